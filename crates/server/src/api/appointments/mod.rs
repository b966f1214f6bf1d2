//! `/api/appointments`: booking, rescheduling and the status flow of appointments, free slots
//! and a practice's day view. Times are stored in UTC and answered both in UTC and in the
//! practice's local time. Staff see the appointments of their practices; a `CLIENT` sees and
//! requests their own.
//!
//! `booking` writes appointments under the conflict rule, `edit` books and reschedules,
//! `status` moves them through the status machine, `slots` answers free slots and `day` the
//! day view.

mod booking;
pub(crate) mod day;
pub(crate) mod edit;
pub(crate) mod slots;
pub(crate) mod status;

use axum::Json;
use axum::extract::Path;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_store::tenant::{appointment, practice};
use std::collections::HashMap;
use uuid::Uuid;

use super::Page;
use super::auth::rfc3339;
use crate::auth::perms::AppointmentsRead;
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/appointments", list)
        .post("/api/appointments", edit::create)
        .get("/api/appointments/free-slots", slots::free_slots)
        .get("/api/appointments/{id}", show)
        .patch("/api/appointments/{id}", edit::update)
        .post("/api/appointments/{id}/status", status::change)
        .post("/api/appointments/{id}/cancel", status::cancel)
        .get("/api/practices/{id}/day", day::day)
}

/// A stored time as an instant.
pub(crate) fn to_instant(t: time::OffsetDateTime) -> Timestamp {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// An instant as a stored (UTC) time, to the second.
pub(crate) fn to_stored(t: Timestamp) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.as_second())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The practice's time zone (UTC if its name is not known to the bundled database).
pub(crate) fn zone_of(p: &practice::Model) -> TimeZone {
    smartdmv_domain::schedule::time_zone(&p.time_zone).unwrap_or(TimeZone::UTC)
}

/// RFC 3339 with the zone's offset at that instant, e.g. `2026-10-24T09:00:00+01:00`.
pub(crate) fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.display_with_offset(tz.to_offset(t)).to_string()
}

pub(crate) fn status_of(m: &appointment::Model) -> AppointmentStatus {
    AppointmentStatus::parse(&m.status).unwrap_or(AppointmentStatus::Cancelled)
}

/// An appointment as every route answers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentOut {
    pub id: String,
    pub practice_id: String,
    pub pet_id: String,
    pub client_id: String,
    pub type_id: Option<String>,
    pub veterinarian_id: Option<String>,
    pub room_id: Option<String>,
    /// UTC.
    pub starts_at: String,
    pub ends_at: String,
    /// The practice's local time, with its offset.
    pub starts_at_local: String,
    pub ends_at_local: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub reason: Option<String>,
    pub status: String,
    /// Where the status may go from here.
    pub next_statuses: Vec<&'static str>,
    pub double_booked: bool,
    pub requested_by_client: bool,
    pub cancel_reason: Option<String>,
    pub created_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

pub(crate) fn out(m: appointment::Model, p: &practice::Model) -> AppointmentOut {
    let tz = zone_of(p);
    let (s, e) = (to_instant(m.starts_at), to_instant(m.ends_at));
    AppointmentOut {
        id: m.id.to_string(),
        practice_id: m.practice_id.to_string(),
        pet_id: m.patient_id.to_string(),
        client_id: m.client_id.to_string(),
        type_id: m.type_id.map(|x| x.to_string()),
        veterinarian_id: m.veterinarian_id.map(|x| x.to_string()),
        room_id: m.room_id.map(|x| x.to_string()),
        starts_at: s.to_string(),
        ends_at: e.to_string(),
        starts_at_local: local(s, &tz),
        ends_at_local: local(e, &tz),
        time_zone: p.time_zone.clone(),
        duration_minutes: e.duration_since(s).as_mins(),
        reason: m.reason.clone(),
        status: m.status.clone(),
        next_statuses: status_of(&m).next().iter().map(|s| s.as_str()).collect(),
        double_booked: m.double_booked,
        requested_by_client: m.requested_by_client,
        cancel_reason: m.cancel_reason.clone(),
        created_by: m.created_by.map(|x| x.to_string()),
        created_at: rfc3339(m.created_at),
        updated_at: rfc3339(m.updated_at),
    }
}

/// What the audit log keeps of an appointment.
pub(crate) fn snapshot(m: &appointment::Model, p: &practice::Model) -> Option<serde_json::Value> {
    serde_json::to_value(out(m.clone(), p)).ok()
}

fn not_found() -> ApiError {
    ApiError::not_found("appointment")
}

/// An appointment the caller may see, with its practice: staff within their practices, a
/// client only their own. Anything else is 404, so ids cannot be probed.
pub(crate) async fn visible(
    auth: &TenantPrincipal,
    id: &str,
) -> ApiResult<(appointment::Model, practice::Model)> {
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let m = appointment::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .ok_or_else(not_found)?;
    if auth.is_client() {
        let own = auth.own_client().await?;
        if own.is_none_or(|c| c.id != m.client_id) {
            return Err(not_found());
        }
    } else if !auth.in_scope(Some(m.practice_id)) {
        return Err(not_found());
    }
    let p = practice::find(auth.db(), m.practice_id)
        .await
        .map_err(|e| auth.db_error(e))?
        .ok_or_else(not_found)?;
    Ok((m, p))
}

/// The practices of a set of appointments, by id.
pub(crate) async fn practices_of(
    auth: &TenantPrincipal,
) -> ApiResult<HashMap<Uuid, practice::Model>> {
    Ok(practice::list(auth.db())
        .await
        .map_err(|e| auth.db_error(e))?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

/// `GET /api/appointments/{id}`
pub(crate) async fn show(
    auth: Authorized<AppointmentsRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<AppointmentOut>> {
    let (m, p) = visible(&auth, &id).await?;
    Ok(Json(out(m, &p)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub practice_id: Option<String>,
    /// Appointments ending after this instant (RFC 3339).
    pub from: Option<String>,
    /// Appointments starting before this instant (RFC 3339).
    pub to: Option<String>,
    pub veterinarian_id: Option<String>,
    pub room_id: Option<String>,
    pub pet_id: Option<String>,
    pub client_id: Option<String>,
    /// One status or several separated by commas.
    pub status: Option<String>,
}

fn bad_query(what: &str) -> ApiError {
    ApiError::bad_request("invalid_query", format!("{what} is not valid"))
}

fn id_param(raw: &Option<String>, name: &str) -> ApiResult<Option<Uuid>> {
    match raw.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| bad_query(name)),
    }
}

fn instant_param(raw: &Option<String>, name: &str) -> ApiResult<Option<time::OffsetDateTime>> {
    match raw.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<Timestamp>()
            .map(|t| Some(to_stored(t)))
            .map_err(|_| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("{name} must be an RFC 3339 time such as 2027-01-04T09:00:00Z"),
                )
            }),
    }
}

/// The `(startsAt, id)` cursor of the appointment list: `<unix seconds>_<id>`.
fn parse_cursor(raw: &Option<String>) -> ApiResult<Option<(time::OffsetDateTime, Uuid)>> {
    let Some(c) = raw.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || ApiError::bad_request("invalid_query", "cursor is not valid");
    let (secs, id) = c.split_once('_').ok_or_else(bad)?;
    let secs: i64 = secs.parse().map_err(|_| bad())?;
    let at = time::OffsetDateTime::from_unix_timestamp(secs).map_err(|_| bad())?;
    Ok(Some((at, id.parse().map_err(|_| bad())?)))
}

/// `GET /api/appointments`: by start time, narrowed by the filters; staff see their
/// practices' appointments, a client their own.
pub(crate) async fn list(
    auth: Authorized<AppointmentsRead>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<AppointmentOut>>> {
    let limit = super::PageParams {
        limit: q.limit,
        cursor: None,
    }
    .limit()?;
    let statuses = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.split(',')
                .map(|x| {
                    AppointmentStatus::parse(x.trim())
                        .map(|st| st.as_str().to_owned())
                        .ok_or_else(|| bad_query("status"))
                })
                .collect::<ApiResult<Vec<_>>>()?,
        ),
    };
    let mut f = appointment::Filter {
        scope: None,
        practice: id_param(&q.practice_id, "practiceId")?,
        from: instant_param(&q.from, "from")?,
        to: instant_param(&q.to, "to")?,
        veterinarian: id_param(&q.veterinarian_id, "veterinarianId")?,
        room: id_param(&q.room_id, "roomId")?,
        patient: id_param(&q.pet_id, "petId")?,
        client: id_param(&q.client_id, "clientId")?,
        statuses,
    };
    let cursor = parse_cursor(&q.cursor)?;
    if auth.is_client() {
        let Some(own) = auth.own_client().await? else {
            return Ok(Json(Page {
                items: Vec::new(),
                next_cursor: None,
            }));
        };
        if f.client.is_some_and(|c| c != own.id) {
            return Ok(Json(Page {
                items: Vec::new(),
                next_cursor: None,
            }));
        }
        f.client = Some(own.id);
    } else {
        f.scope = auth.practice_scope().map(<[Uuid]>::to_vec);
    }
    let mut rows = appointment::list_page(auth.db(), &f, cursor, limit + 1)
        .await
        .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| {
        format!("{}_{}", r.starts_at.unix_timestamp(), r.id)
    });
    let practices = practices_of(&auth).await?;
    let items = rows
        .into_iter()
        .filter_map(|m| {
            let p = practices.get(&m.practice_id)?;
            Some(out(m, p))
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}
