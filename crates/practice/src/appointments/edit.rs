//! Booking (or, for a client, requesting) and rescheduling, through [`super::booking::book`].

use jiff::Timestamp;
use serde::Deserialize;
use smartdmv_domain::calendar::Interval;
use smartdmv_domain::schedule::{self, AppointmentStatus, DURATION_MINUTES};
use smartdmv_domain::{
    AppointmentId, AppointmentTypeId, ClientId, IdInput, PatientId, PracticeId, RoomId, UserId,
};
use smartdmv_store::tenant::{appointment, patient};

use super::booking::{
    Booking, book, patient_of, require_bookable, resolve_room, resolve_type, resolve_vet,
};
use super::{AppointmentOut, to_instant, to_stored, visible};
use crate::fields::double_option;
use crate::practices::{for_input, require_open};
use crate::{FieldErrors, ServiceError, ServiceResult, TenantPrincipal};

fn check_reason(r: Option<&str>, errs: &mut FieldErrors) {
    if schedule::reason_too_long(r) {
        errs.push(("reason".into(), "must be at most 2000 characters".into()));
    }
}

fn check_duration(d: Option<i32>, errs: &mut FieldErrors) {
    if d.is_some_and(|d| !DURATION_MINUTES.contains(&d)) {
        errs.push(("durationMinutes".into(), "must be 5 to 480 minutes".into()));
    }
}

/// A new appointment. Ids are as given, so that an unknown or malformed one is a field error.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAppointment {
    pub pet_id: IdInput<PatientId>,
    /// RFC 3339 with an offset.
    pub starts_at: String,
    /// Defaults to the type's.
    pub duration_minutes: Option<i32>,
    /// Defaults to the caller's only practice (a client's home practice).
    pub practice_id: Option<IdInput<PracticeId>>,
    pub veterinarian_id: Option<IdInput<UserId>>,
    pub room_id: Option<IdInput<RoomId>>,
    #[serde(alias = "type")]
    pub type_id: Option<IdInput<AppointmentTypeId>>,
    pub reason: Option<String>,
    /// Defaults to the pet's primary owner; must be a current owner.
    pub client_id: Option<IdInput<ClientId>>,
    /// Staff only: book even if the veterinarian or room is taken.
    #[serde(default)]
    pub double_book: bool,
}

/// Staff book (`booked`); a client requests one for their own pet (`requested`, no overlap
/// check until staff book it).
pub async fn create(cx: &TenantPrincipal, input: NewAppointment) -> ServiceResult<AppointmentOut> {
    let is_client = cx.is_client();
    let own = cx.own_client().await?;
    let mut errs = FieldErrors::new();
    let start = match schedule::parse_start(&input.starts_at) {
        Ok(t) => Some(t),
        Err(msg) => {
            errs.push(("startsAt".to_owned(), msg.to_owned()));
            None
        }
    };
    check_duration(input.duration_minutes, &mut errs);
    check_reason(input.reason.as_deref(), &mut errs);
    if is_client && input.double_book {
        errs.push((
            "doubleBook".into(),
            "only practice staff can double-book".into(),
        ));
    }
    if is_client && start.is_some_and(|s| s <= Timestamp::now()) {
        errs.push(("startsAt".into(), "must be in the future".into()));
    }
    let Some(start) = start.filter(|_| errs.is_empty()) else {
        return Err(ServiceError::Invalid(errs));
    };

    let practice = for_input(
        cx,
        input.practice_id,
        own.as_ref().and_then(|c| c.home_practice_id),
    )
    .await?;
    let unknown_pet = || ServiceError::invalid("petId", "unknown pet");
    let pet_id = input.pet_id.id().ok_or_else(unknown_pet)?;
    let pet = patient::find(cx.db(), pet_id)
        .await?
        .ok_or_else(unknown_pet)?;
    let owners = appointment::current_owners(cx.db(), pet.id).await?;
    let client_id = if is_client {
        let own_id = own
            .as_ref()
            .map(|c| c.id)
            .filter(|id| owners.iter().any(|o| o.client_id == *id))
            .ok_or_else(unknown_pet)?;
        if input.client_id.is_some_and(|c| c != IdInput::Id(own_id)) {
            return Err(ServiceError::invalid("clientId", "must be yourself"));
        }
        own_id
    } else {
        match input.client_id {
            Some(given) => given
                .id()
                .filter(|id| owners.iter().any(|o| o.client_id == *id))
                .ok_or_else(|| {
                    ServiceError::invalid("clientId", "is not a current owner of the pet")
                })?,
            None => {
                owners
                    .first()
                    .ok_or_else(|| ServiceError::invalid("petId", "has no current owner"))?
                    .client_id
            }
        }
    };
    let kind = match input.type_id {
        Some(given) => Some(resolve_type(cx, given).await?),
        None => None,
    };
    let Some(minutes) = input
        .duration_minutes
        .or(kind.as_ref().map(|t| t.duration_minutes))
    else {
        return Err(ServiceError::invalid(
            "durationMinutes",
            "is required when no typeId is given",
        ));
    };
    let vet = match input.veterinarian_id {
        Some(given) => Some(resolve_vet(cx, &practice, given).await?),
        None => None,
    };
    let room_id = match input.room_id {
        Some(given) => Some(resolve_room(cx, &practice, given).await?),
        None => None,
    };
    require_open(&practice)?;
    require_bookable(&pet)?;
    let at = Interval::from_minutes(start, minutes.into())
        .ok_or_else(|| ServiceError::invalid("startsAt", "is out of range"))?;
    let status = if is_client {
        AppointmentStatus::Requested
    } else {
        AppointmentStatus::Booked
    };
    let now = smartdmv_store::now();
    let m = appointment::Model {
        id: AppointmentId::new(),
        practice_id: practice.id,
        patient_id: pet.id,
        client_id,
        type_id: kind.map(|t| t.id),
        veterinarian_id: vet,
        room_id,
        starts_at: to_stored(at.start),
        ends_at: to_stored(at.end),
        reason: input.reason.filter(|r| !r.trim().is_empty()),
        status,
        double_booked: false,
        requested_by_client: is_client,
        cancel_reason: None,
        created_by: Some(cx.user.id),
        visit_id: None,
        created_at: now,
        updated_at: now,
    };
    let saved = book(
        cx,
        m,
        Booking {
            practice: &practice,
            before: None,
            check: status.blocks_resources(),
            double_book: input.double_book,
            action: "create",
            note: None,
        },
    )
    .await?;
    Ok(AppointmentOut::new(saved, &practice))
}

/// Changes to an appointment: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppointmentChanges {
    pub starts_at: Option<String>,
    pub duration_minutes: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    pub veterinarian_id: Option<Option<IdInput<UserId>>>,
    #[serde(default, deserialize_with = "double_option")]
    pub room_id: Option<Option<IdInput<RoomId>>>,
    #[serde(default, deserialize_with = "double_option", alias = "type")]
    pub type_id: Option<Option<IdInput<AppointmentTypeId>>>,
    #[serde(default, deserialize_with = "double_option")]
    pub reason: Option<Option<String>>,
    #[serde(default)]
    pub double_book: bool,
}

/// Reschedules (start, length) or changes the veterinarian, room, type or reason. A new
/// time or resource is checked for overlaps again. Finished appointments are not changed;
/// clients cancel rather than change.
pub async fn update(
    cx: &TenantPrincipal,
    id: AppointmentId,
    changes: AppointmentChanges,
) -> ServiceResult<AppointmentOut> {
    let (before, practice) = visible(cx, id).await?;
    if cx.is_client() {
        return Err(ServiceError::forbidden(
            "forbidden",
            "clients can cancel their appointments but not change them; ask the practice",
        ));
    }
    let status = before.status;
    if status.is_final() {
        return Err(ServiceError::conflict(
            "appointment_closed",
            format!("a {status} appointment cannot be changed"),
        ));
    }
    let mut errs = FieldErrors::new();
    let start = match changes.starts_at.as_deref().map(schedule::parse_start) {
        None => to_instant(before.starts_at),
        Some(Ok(t)) => t,
        Some(Err(msg)) => {
            errs.push(("startsAt".to_owned(), msg.to_owned()));
            to_instant(before.starts_at)
        }
    };
    check_duration(changes.duration_minutes, &mut errs);
    check_reason(
        changes.reason.as_ref().and_then(|r| r.as_deref()),
        &mut errs,
    );
    if !errs.is_empty() {
        return Err(ServiceError::Invalid(errs));
    }
    let minutes = changes.duration_minutes.map_or_else(
        || {
            to_instant(before.ends_at)
                .duration_since(to_instant(before.starts_at))
                .as_mins()
        },
        i64::from,
    );
    let at = Interval::from_minutes(start, minutes)
        .ok_or_else(|| ServiceError::invalid("startsAt", "is out of range"))?;
    let mut m = before.clone();
    m.starts_at = to_stored(at.start);
    m.ends_at = to_stored(at.end);
    if let Some(v) = changes.veterinarian_id {
        m.veterinarian_id = match v {
            Some(given) => Some(resolve_vet(cx, &practice, given).await?),
            None => None,
        };
    }
    if let Some(r) = changes.room_id {
        m.room_id = match r {
            Some(given) => Some(resolve_room(cx, &practice, given).await?),
            None => None,
        };
    }
    if let Some(t) = changes.type_id {
        m.type_id = match t {
            Some(given) => Some(resolve_type(cx, given).await?.id),
            None => None,
        };
    }
    if let Some(r) = changes.reason {
        m.reason = r.filter(|r| !r.trim().is_empty());
    }
    let moved = m.starts_at != before.starts_at
        || m.ends_at != before.ends_at
        || m.veterinarian_id != before.veterinarian_id
        || m.room_id != before.room_id;
    if moved {
        require_open(&practice)?;
        require_bookable(&patient_of(cx, &before).await?)?;
    }
    m.updated_at = smartdmv_store::now();
    let saved = book(
        cx,
        m,
        Booking {
            practice: &practice,
            before: Some(&before),
            check: moved && status.blocks_resources(),
            double_book: changes.double_book,
            action: "update",
            note: None,
        },
    )
    .await?;
    Ok(AppointmentOut::new(saved, &practice))
}
