//! Writing appointments. Every write that makes an appointment claim a veterinarian or room
//! goes through [`book`]: one unit of work, serialised per resource, that checks for
//! overlapping appointments and writes the row and its audit entry. Also the checks of the
//! ids an input names (type, veterinarian, room) and of the patient.

use serde_json::json;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{AppointmentTypeId, IdInput, RoomId, TypedId, UserId};
use smartdmv_store::tenant::{appointment, appointment_type, patient, practice, room};
use uuid::Uuid;

use super::snapshot;
use crate::work::Change;
use crate::{Refusal, ServiceError, ServiceResult, TenantPrincipal};

fn id_field<T: TypedId>(given: IdInput<T>, field: &str, what: &str) -> ServiceResult<T> {
    given
        .id()
        .ok_or_else(|| ServiceError::invalid(field, format!("unknown {what}")))
}

/// An active appointment type named in an input.
pub(super) async fn resolve_type(
    cx: &TenantPrincipal,
    given: IdInput<AppointmentTypeId>,
) -> ServiceResult<appointment_type::Model> {
    let id = id_field(given, "typeId", "appointment type")?;
    appointment_type::find(cx.db(), id)
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| ServiceError::invalid("typeId", "unknown appointment type"))
}

/// A veterinarian of the practice named in an input.
pub(super) async fn resolve_vet(
    cx: &TenantPrincipal,
    practice: &practice::Model,
    given: IdInput<UserId>,
) -> ServiceResult<UserId> {
    let id = id_field(given, "veterinarianId", "veterinarian")?;
    let vets = appointment::veterinarians_of(cx.db(), practice.id).await?;
    if vets.iter().any(|v| v.id == id) {
        Ok(id)
    } else {
        Err(ServiceError::invalid(
            "veterinarianId",
            "is not a veterinarian of this practice",
        ))
    }
}

/// An active room of the practice named in an input.
pub(super) async fn resolve_room(
    cx: &TenantPrincipal,
    practice: &practice::Model,
    given: IdInput<RoomId>,
) -> ServiceResult<RoomId> {
    let id = id_field(given, "roomId", "room")?;
    room::find(cx.db(), id)
        .await?
        .filter(|r| r.practice_id == practice.id && r.active)
        .map(|r| r.id)
        .ok_or_else(|| ServiceError::invalid("roomId", "is not a room of this practice"))
}

/// 409 for a patient that can take no new bookings (deceased or deactivated).
pub(super) fn require_bookable(p: &patient::Model) -> ServiceResult<()> {
    if p.deceased_on.is_some() {
        return Err(ServiceError::conflict(
            "patient_deceased",
            format!(
                "{} is recorded as deceased and takes no new appointments",
                p.name
            ),
        ));
    }
    if !p.active {
        return Err(ServiceError::conflict(
            "patient_inactive",
            format!("{} is deactivated and takes no new appointments", p.name),
        ));
    }
    Ok(())
}

pub(super) async fn patient_of(
    cx: &TenantPrincipal,
    m: &appointment::Model,
) -> ServiceResult<patient::Model> {
    patient::find(cx.db(), m.patient_id)
        .await?
        .ok_or_else(|| ServiceError::internal("appointment without its patient"))
}

/// How [`book`] writes.
pub(super) struct Booking<'a> {
    pub practice: &'a practice::Model,
    /// The row as stored before (an update), or `None` (an insert).
    pub before: Option<&'a appointment::Model>,
    /// Check the veterinarian and room for overlaps (the appointment claims them anew).
    pub check: bool,
    /// Staff allow an overlap.
    pub double_book: bool,
    /// The audit action.
    pub action: &'a str,
    /// A reason given with a status change, kept in the audit entry.
    pub note: Option<&'a str>,
}

/// Writes an appointment and its audit entry in one unit of work. With `check`, the
/// transaction first serialises on the veterinarian and room (SQLite: the write lock from
/// `BEGIN IMMEDIATE`; PostgreSQL: advisory locks) and refuses an overlap with 409
/// `appointment_conflict` unless `double_book`, in which case the row is marked
/// `double_booked`. An update only applies if the status is still the one read before
/// (409 `appointment_changed` otherwise).
pub(super) async fn book(
    cx: &TenantPrincipal,
    mut m: appointment::Model,
    b: Booking<'_>,
) -> ServiceResult<appointment::Model> {
    cx.write_with(appointment::booking_options(), |w| async move {
        if b.check {
            let resources: Vec<Uuid> = (m.veterinarian_id.map(Uuid::from).into_iter())
                .chain(m.room_id.map(Uuid::from))
                .collect();
            appointment::lock_resources(w.tx(), &resources).await?;
            let clash = appointment::conflicts(
                w.tx(),
                m.veterinarian_id,
                m.room_id,
                m.starts_at,
                m.ends_at,
                Some(m.id),
            )
            .await?;
            if !clash.is_empty() && !b.double_book {
                return Err(conflict_error(&m, &clash));
            }
            m.double_booked = !clash.is_empty();
        }
        // Checking in opens the visit, in this unit of work.
        if m.status == AppointmentStatus::CheckedIn && m.visit_id.is_none() {
            m.visit_id = Some(
                crate::record::visits::open_for_check_in(cx, &w, &m)
                    .await?
                    .id,
            );
        }
        let saved = match b.before {
            None => appointment::insert(w.tx(), m).await?,
            Some(before) => {
                if !appointment::update_if_status(w.tx(), m.clone(), before.status).await? {
                    return Err(ServiceError::conflict(
                        "appointment_changed",
                        "the appointment was changed at the same time; reload it and try again",
                    ));
                }
                m
            }
        };
        let mut after = snapshot(&saved, b.practice);
        if let (Some(serde_json::Value::Object(o)), Some(note)) = (after.as_mut(), b.note) {
            o.insert("statusReason".into(), json!(note));
        }
        w.audit(Change {
            action: b.action,
            entity: "appointment",
            entity_id: Some(saved.id.into()),
            practice_id: Some(saved.practice_id),
            before: b.before.and_then(|x| snapshot(x, b.practice)),
            after,
        })
        .await?;
        Ok(saved)
    })
    .await
}

fn conflict_error(m: &appointment::Model, clash: &[appointment::Model]) -> ServiceError {
    let mut resources = Vec::new();
    if m.veterinarian_id.is_some() && clash.iter().any(|c| c.veterinarian_id == m.veterinarian_id) {
        resources.push("veterinarian");
    }
    if m.room_id.is_some() && clash.iter().any(|c| c.room_id == m.room_id) {
        resources.push("room");
    }
    ServiceError::Conflict(
        Refusal::new(
            "appointment_conflict",
            format!(
                "the {} already booked at that time; choose another time or mark it as a double-booking",
                resources.join(" and ") + if resources.len() > 1 { " are" } else { " is" }
            ),
        )
        .with(
            "conflicts",
            json!(clash.iter().map(|c| c.id.to_string()).collect::<Vec<_>>()),
        )
        .with("resources", json!(resources)),
    )
}
