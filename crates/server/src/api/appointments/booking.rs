//! Writing appointments. Every write that makes an appointment claim a veterinarian or room
//! goes through [`book`]: one transaction, serialised per resource, that checks for
//! overlapping appointments and writes the row and its audit entry. Also the checks of the
//! ids a body names (type, veterinarian, room) and of the patient.

use axum::http::StatusCode;
use smartdmv_store::tenant::{appointment, appointment_type, patient, practice, room};
use uuid::Uuid;

use super::snapshot;
use crate::auth::TenantPrincipal;
use crate::error::{ApiError, ApiResult};

fn id_field(raw: &str, field: &str, what: &str) -> ApiResult<Uuid> {
    raw.parse()
        .map_err(|_| ApiError::invalid_field(field, format!("unknown {what}")))
}

/// An active appointment type named in a body.
pub(crate) async fn resolve_type(
    auth: &TenantPrincipal,
    raw: &str,
) -> ApiResult<appointment_type::Model> {
    let id = id_field(raw, "typeId", "appointment type")?;
    appointment_type::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .filter(|t| t.active)
        .ok_or_else(|| ApiError::invalid_field("typeId", "unknown appointment type"))
}

/// A veterinarian of the practice named in a body.
pub(crate) async fn resolve_vet(
    auth: &TenantPrincipal,
    practice: &practice::Model,
    raw: &str,
) -> ApiResult<Uuid> {
    let id = id_field(raw, "veterinarianId", "veterinarian")?;
    let vets = appointment::veterinarians_of(auth.db(), practice.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    if vets.iter().any(|v| v.id == id) {
        Ok(id)
    } else {
        Err(ApiError::invalid_field(
            "veterinarianId",
            "is not a veterinarian of this practice",
        ))
    }
}

/// An active room of the practice named in a body.
pub(crate) async fn resolve_room(
    auth: &TenantPrincipal,
    practice: &practice::Model,
    raw: &str,
) -> ApiResult<Uuid> {
    let id = id_field(raw, "roomId", "room")?;
    room::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .filter(|r| r.practice_id == practice.id && r.active)
        .map(|r| r.id)
        .ok_or_else(|| ApiError::invalid_field("roomId", "is not a room of this practice"))
}

/// 409 for a patient that can take no new bookings (deceased or deactivated).
pub(crate) fn require_bookable(p: &patient::Model) -> ApiResult<()> {
    if p.deceased_on.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "patient_deceased",
            format!(
                "{} is recorded as deceased and takes no new appointments",
                p.name
            ),
        ));
    }
    if !p.active {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "patient_inactive",
            format!("{} is deactivated and takes no new appointments", p.name),
        ));
    }
    Ok(())
}

pub(crate) async fn patient_of(
    auth: &TenantPrincipal,
    m: &appointment::Model,
) -> ApiResult<patient::Model> {
    patient::find(auth.db(), m.patient_id)
        .await
        .map_err(|e| auth.db_error(e))?
        .ok_or_else(|| ApiError::internal("appointment without its patient"))
}

/// How [`book`] writes.
pub(crate) struct Booking<'a> {
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

/// Writes an appointment and its audit entry in one transaction. With `check`, the
/// transaction first serialises on the veterinarian and room (SQLite: the write lock from
/// `BEGIN IMMEDIATE`; PostgreSQL: advisory locks) and refuses an overlap with 409
/// `appointment_conflict` unless `double_book`, in which case the row is marked
/// `double_booked`. An update only applies if the status is still the one read before
/// (409 `appointment_changed` otherwise).
pub(crate) async fn book(
    auth: &TenantPrincipal,
    mut m: appointment::Model,
    b: Booking<'_>,
) -> ApiResult<appointment::Model> {
    enum Outcome {
        Saved(appointment::Model),
        Conflict(ApiError),
        Changed,
    }
    let db = auth.db();
    let outcome = async move {
        let txn = appointment::begin_booking(db).await?;
        if b.check {
            let resources: Vec<Uuid> = m.veterinarian_id.into_iter().chain(m.room_id).collect();
            appointment::lock_resources(&txn, &resources).await?;
            let clash = appointment::conflicts(
                &txn,
                m.veterinarian_id,
                m.room_id,
                m.starts_at,
                m.ends_at,
                Some(m.id),
            )
            .await?;
            if !clash.is_empty() && !b.double_book {
                return Ok(Outcome::Conflict(conflict_error(&m, &clash)));
            }
            m.double_booked = !clash.is_empty();
        }
        let saved = match b.before {
            None => appointment::insert(&txn, m).await?,
            Some(before) => {
                if !appointment::update_if_status(&txn, m.clone(), &before.status).await? {
                    return Ok(Outcome::Changed);
                }
                m
            }
        };
        let mut after = snapshot(&saved, b.practice);
        if let (Some(serde_json::Value::Object(o)), Some(note)) = (after.as_mut(), b.note) {
            o.insert("statusReason".into(), serde_json::json!(note));
        }
        auth.audit(
            &txn,
            b.action,
            "appointment",
            Some(saved.id),
            Some(saved.practice_id),
            b.before.and_then(|x| snapshot(x, b.practice)),
            after,
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(Outcome::Saved(saved))
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    match outcome {
        Outcome::Saved(m) => Ok(m),
        Outcome::Conflict(e) => Err(e),
        Outcome::Changed => Err(ApiError::new(
            StatusCode::CONFLICT,
            "appointment_changed",
            "the appointment was changed at the same time; reload it and try again",
        )),
    }
}

fn conflict_error(m: &appointment::Model, clash: &[appointment::Model]) -> ApiError {
    let mut resources = Vec::new();
    if m.veterinarian_id.is_some() && clash.iter().any(|c| c.veterinarian_id == m.veterinarian_id) {
        resources.push("veterinarian");
    }
    if m.room_id.is_some() && clash.iter().any(|c| c.room_id == m.room_id) {
        resources.push("room");
    }
    ApiError::new(
        StatusCode::CONFLICT,
        "appointment_conflict",
        format!(
            "the {} already booked at that time; choose another time or mark it as a double-booking",
            resources.join(" and ") + if resources.len() > 1 { " are" } else { " is" }
        ),
    )
    .with(
        "conflicts",
        serde_json::json!(clash.iter().map(|c| c.id.to_string()).collect::<Vec<_>>()),
    )
    .with("resources", serde_json::json!(resources))
}
