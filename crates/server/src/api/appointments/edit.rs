//! `POST /api/appointments` and `PATCH /api/appointments/{id}`: booking (or, for a client,
//! requesting) and rescheduling, through [`super::booking::book`].

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use smartdmv_domain::calendar::Interval;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_store::tenant::{appointment, patient};
use uuid::Uuid;

use super::booking::{
    Booking, book, patient_of, require_bookable, resolve_room, resolve_type, resolve_vet,
};
use super::{AppointmentOut, out, status_of, to_instant, to_stored, visible};
use crate::api::appointment_types::DURATION_MINUTES;
use crate::api::double_option;
use crate::auth::Authorized;
use crate::auth::perms::{AppointmentsCreate, AppointmentsUpdate};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use smartdmv_practice::practices::{for_input as practice_for_body, require_open};

const REASON_MAX: usize = 2000;

/// A start time: RFC 3339 with an offset, on a whole minute.
fn parse_start(raw: &str) -> Result<Timestamp, &'static str> {
    let t: Timestamp = raw
        .parse()
        .map_err(|_| "must be an RFC 3339 time with an offset, such as 2027-01-04T09:00:00Z")?;
    if t.as_second() % 60 != 0 || t.subsec_nanosecond() != 0 {
        return Err("must be on a whole minute");
    }
    Ok(t)
}

fn check_reason(r: Option<&str>, errs: &mut Vec<(String, String)>) {
    if r.is_some_and(|r| r.chars().count() > REASON_MAX) {
        errs.push(("reason".into(), "must be at most 2000 characters".into()));
    }
}

fn check_duration(d: Option<i32>, errs: &mut Vec<(String, String)>) {
    if d.is_some_and(|d| !DURATION_MINUTES.contains(&d)) {
        errs.push(("durationMinutes".into(), "must be 5 to 480 minutes".into()));
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateAppointment {
    pub pet_id: String,
    /// RFC 3339 with an offset.
    pub starts_at: String,
    /// Defaults to the type's.
    pub duration_minutes: Option<i32>,
    /// Defaults to the caller's only practice (a client's home practice).
    pub practice_id: Option<String>,
    pub veterinarian_id: Option<String>,
    pub room_id: Option<String>,
    #[serde(alias = "type")]
    pub type_id: Option<String>,
    pub reason: Option<String>,
    /// Defaults to the pet's primary owner; must be a current owner.
    pub client_id: Option<String>,
    /// Staff only: book even if the veterinarian or room is taken.
    #[serde(default)]
    pub double_book: bool,
}

/// `POST /api/appointments`: staff book (`booked`); a client requests one for their own pet
/// (`requested`, no overlap check until staff book it).
pub(crate) async fn create(
    auth: Authorized<AppointmentsCreate>,
    ApiJson(body): ApiJson<CreateAppointment>,
) -> ApiResult<(StatusCode, Json<AppointmentOut>)> {
    let is_client = auth.is_client();
    let own = auth.own_client().await?;
    let mut errs = Vec::new();
    let start = match parse_start(&body.starts_at) {
        Ok(t) => Some(t),
        Err(msg) => {
            errs.push(("startsAt".to_owned(), msg.to_owned()));
            None
        }
    };
    check_duration(body.duration_minutes, &mut errs);
    check_reason(body.reason.as_deref(), &mut errs);
    if is_client && body.double_book {
        errs.push((
            "doubleBook".into(),
            "only practice staff can double-book".into(),
        ));
    }
    if is_client && start.is_some_and(|s| s <= Timestamp::now()) {
        errs.push(("startsAt".into(), "must be in the future".into()));
    }
    let Some(start) = start.filter(|_| errs.is_empty()) else {
        return Err(ApiError::validation(errs));
    };

    let practice = practice_for_body(
        &auth,
        body.practice_id.as_deref(),
        own.as_ref().and_then(|c| c.home_practice_id),
    )
    .await?;
    let unknown_pet = || ApiError::invalid_field("petId", "unknown pet");
    let pet_id: Uuid = body.pet_id.parse().map_err(|_| unknown_pet())?;
    let pet = patient::find(auth.db(), pet_id)
        .await
        .map_err(|e| auth.db_error(e))?
        .ok_or_else(unknown_pet)?;
    let owners = appointment::current_owners(auth.db(), pet.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    let client_id = if is_client {
        let own_id = own
            .as_ref()
            .map(|c| c.id)
            .filter(|id| owners.iter().any(|o| o.client_id == *id))
            .ok_or_else(unknown_pet)?;
        if body
            .client_id
            .as_deref()
            .is_some_and(|c| c != own_id.to_string())
        {
            return Err(ApiError::invalid_field("clientId", "must be yourself"));
        }
        own_id
    } else {
        match &body.client_id {
            Some(raw) => {
                let id: Option<Uuid> = raw.parse().ok();
                id.filter(|id| owners.iter().any(|o| o.client_id == *id))
                    .ok_or_else(|| {
                        ApiError::invalid_field("clientId", "is not a current owner of the pet")
                    })?
            }
            None => {
                owners
                    .first()
                    .ok_or_else(|| ApiError::invalid_field("petId", "has no current owner"))?
                    .client_id
            }
        }
    };
    let kind = match &body.type_id {
        Some(raw) => Some(resolve_type(&auth, raw).await?),
        None => None,
    };
    let Some(minutes) = body
        .duration_minutes
        .or(kind.as_ref().map(|t| t.duration_minutes))
    else {
        return Err(ApiError::invalid_field(
            "durationMinutes",
            "is required when no typeId is given",
        ));
    };
    let vet = match &body.veterinarian_id {
        Some(raw) => Some(resolve_vet(&auth, &practice, raw).await?),
        None => None,
    };
    let room_id = match &body.room_id {
        Some(raw) => Some(resolve_room(&auth, &practice, raw).await?),
        None => None,
    };
    require_open(&practice)?;
    require_bookable(&pet)?;
    let at = Interval::from_minutes(start, minutes.into())
        .ok_or_else(|| ApiError::invalid_field("startsAt", "is out of range"))?;
    let status = if is_client {
        AppointmentStatus::Requested
    } else {
        AppointmentStatus::Booked
    };
    let now = smartdmv_store::now();
    let m = appointment::Model {
        id: Uuid::now_v7(),
        practice_id: practice.id,
        patient_id: pet.id,
        client_id,
        type_id: kind.map(|t| t.id),
        veterinarian_id: vet,
        room_id,
        starts_at: to_stored(at.start),
        ends_at: to_stored(at.end),
        reason: body.reason.filter(|r| !r.trim().is_empty()),
        status: status.as_str().into(),
        double_booked: false,
        requested_by_client: is_client,
        cancel_reason: None,
        created_by: Some(auth.user.id),
        created_at: now,
        updated_at: now,
    };
    let saved = book(
        &auth,
        m,
        Booking {
            practice: &practice,
            before: None,
            check: status.blocks_resources(),
            double_book: body.double_book,
            action: "create",
            note: None,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out(saved, &practice))))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateAppointment {
    pub starts_at: Option<String>,
    pub duration_minutes: Option<i32>,
    #[serde(default, deserialize_with = "double_option")]
    pub veterinarian_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub room_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", alias = "type")]
    pub type_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub reason: Option<Option<String>>,
    #[serde(default)]
    pub double_book: bool,
}

/// `PATCH /api/appointments/{id}`: reschedule (start, length) or change the veterinarian,
/// room, type or reason. A new time or resource is checked for overlaps again. Finished
/// appointments are not changed; clients cancel rather than change.
pub(crate) async fn update(
    auth: Authorized<AppointmentsUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateAppointment>,
) -> ApiResult<Json<AppointmentOut>> {
    let (before, practice) = visible(&auth, &id).await?;
    if auth.is_client() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "clients can cancel their appointments but not change them; ask the practice",
        ));
    }
    let status = status_of(&before);
    if status.is_final() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "appointment_closed",
            format!("a {status} appointment cannot be changed"),
        ));
    }
    let mut errs = Vec::new();
    let start = match body.starts_at.as_deref().map(parse_start) {
        None => to_instant(before.starts_at),
        Some(Ok(t)) => t,
        Some(Err(msg)) => {
            errs.push(("startsAt".to_owned(), msg.to_owned()));
            to_instant(before.starts_at)
        }
    };
    check_duration(body.duration_minutes, &mut errs);
    check_reason(body.reason.as_ref().and_then(|r| r.as_deref()), &mut errs);
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let minutes = body.duration_minutes.map_or_else(
        || {
            to_instant(before.ends_at)
                .duration_since(to_instant(before.starts_at))
                .as_mins()
        },
        i64::from,
    );
    let at = Interval::from_minutes(start, minutes)
        .ok_or_else(|| ApiError::invalid_field("startsAt", "is out of range"))?;
    let mut m = before.clone();
    m.starts_at = to_stored(at.start);
    m.ends_at = to_stored(at.end);
    if let Some(v) = &body.veterinarian_id {
        m.veterinarian_id = match v {
            Some(raw) => Some(resolve_vet(&auth, &practice, raw).await?),
            None => None,
        };
    }
    if let Some(r) = &body.room_id {
        m.room_id = match r {
            Some(raw) => Some(resolve_room(&auth, &practice, raw).await?),
            None => None,
        };
    }
    if let Some(t) = &body.type_id {
        m.type_id = match t {
            Some(raw) => Some(resolve_type(&auth, raw).await?.id),
            None => None,
        };
    }
    if let Some(r) = body.reason {
        m.reason = r.filter(|r| !r.trim().is_empty());
    }
    let moved = m.starts_at != before.starts_at
        || m.ends_at != before.ends_at
        || m.veterinarian_id != before.veterinarian_id
        || m.room_id != before.room_id;
    if moved {
        require_open(&practice)?;
        require_bookable(&patient_of(&auth, &before).await?)?;
    }
    m.updated_at = smartdmv_store::now();
    let saved = book(
        &auth,
        m,
        Booking {
            practice: &practice,
            before: Some(&before),
            check: moved && status.blocks_resources(),
            double_book: body.double_book,
            action: "update",
            note: None,
        },
    )
    .await?;
    Ok(Json(out(saved, &practice)))
}
