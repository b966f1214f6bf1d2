//! `/api/appointments`: booking, rescheduling and the status flow of appointments, free slots
//! and a practice's day view. The rules live in [`smartdmv_practice::appointments`]; these
//! handlers extract, call and answer.

use axum::Json;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::Deserialize;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{AppointmentId, PracticeId, TypedId};
use smartdmv_practice::ServiceError;
use smartdmv_practice::appointments::{
    self, AppointmentChanges, AppointmentFilter, AppointmentOut, DayOut, DayQuery, FreeSlotsOut,
    NewAppointment, SlotQuery, StatusChange,
};

use super::Page;
use crate::api::{created, page};
use crate::auth::Authorized;
use crate::auth::perms::{AppointmentsCreate, AppointmentsRead, AppointmentsUpdate};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/appointments", list)
        .post("/api/appointments", create)
        .get("/api/appointments/free-slots", free_slots)
        .get("/api/appointments/{id}", show)
        .patch("/api/appointments/{id}", update)
        .post("/api/appointments/{id}/status", change_status)
        .post("/api/appointments/{id}/cancel", cancel)
        .get("/api/practices/{id}/day", day)
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

fn bad_query(what: &str) -> ServiceError {
    ServiceError::bad_request("invalid_query", format!("{what} is not valid"))
}

fn id_param<T: TypedId>(raw: &Option<String>, name: &str) -> Result<Option<T>, ServiceError> {
    match raw.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| bad_query(name)),
    }
}

fn instant_param(raw: &Option<String>, name: &str) -> Result<Option<Timestamp>, ServiceError> {
    match raw.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<Timestamp>().map(Some).map_err(|_| {
            ServiceError::bad_request(
                "invalid_query",
                format!("{name} must be an RFC 3339 time such as 2027-01-04T09:00:00Z"),
            )
        }),
    }
}

impl ListParams {
    fn filter(&self) -> Result<AppointmentFilter, ServiceError> {
        let statuses = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                s.split(',')
                    .map(|x| AppointmentStatus::parse(x.trim()).ok_or_else(|| bad_query("status")))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(AppointmentFilter {
            practice_id: id_param(&self.practice_id, "practiceId")?,
            from: instant_param(&self.from, "from")?,
            to: instant_param(&self.to, "to")?,
            veterinarian_id: id_param(&self.veterinarian_id, "veterinarianId")?,
            room_id: id_param(&self.room_id, "roomId")?,
            pet_id: id_param(&self.pet_id, "petId")?,
            client_id: id_param(&self.client_id, "clientId")?,
            statuses,
        })
    }
}

/// `GET /api/appointments`: by start time, narrowed by the filters; staff see their
/// practices' appointments, a client their own.
pub(crate) async fn list(
    auth: Authorized<AppointmentsRead>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<AppointmentOut>>> {
    let page = page(q.limit, q.cursor.clone());
    page.limit()?;
    let filter = q.filter()?;
    Ok(Json(appointments::list(&auth, &filter, &page).await?))
}

/// `GET /api/appointments/{id}`
pub(crate) async fn show(
    auth: Authorized<AppointmentsRead>,
    IdPath(id): IdPath<AppointmentId>,
) -> ApiResult<Json<AppointmentOut>> {
    Ok(Json(appointments::get(&auth, id).await?))
}

/// `POST /api/appointments`: staff book (`booked`); a client requests one for their own pet
/// (`requested`, no overlap check until staff book it).
pub(crate) async fn create(
    auth: Authorized<AppointmentsCreate>,
    ApiJson(input): ApiJson<NewAppointment>,
) -> ApiResult<(StatusCode, Json<AppointmentOut>)> {
    let saved = appointments::create(&auth, input).await?;
    created(saved)
}

/// `PATCH /api/appointments/{id}`: reschedule (start, length) or change the veterinarian,
/// room, type or reason.
pub(crate) async fn update(
    auth: Authorized<AppointmentsUpdate>,
    IdPath(id): IdPath<AppointmentId>,
    ApiJson(changes): ApiJson<AppointmentChanges>,
) -> ApiResult<Json<AppointmentOut>> {
    Ok(Json(appointments::update(&auth, id, changes).await?))
}

/// `POST /api/appointments/{id}/status {status, reason?}`: staff move an appointment along
/// its flow (book a request, confirm, check in, start, complete, no-show, cancel).
pub(crate) async fn change_status(
    auth: Authorized<AppointmentsUpdate>,
    IdPath(id): IdPath<AppointmentId>,
    ApiJson(change): ApiJson<StatusChange>,
) -> ApiResult<Json<AppointmentOut>> {
    Ok(Json(appointments::change_status(&auth, id, change).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelBody {
    pub reason: Option<String>,
}

/// `POST /api/appointments/{id}/cancel {reason?}`: staff cancel what the machine allows; a
/// client cancels their own requested, booked or confirmed appointment before it starts.
pub(crate) async fn cancel(
    auth: Authorized<AppointmentsUpdate>,
    IdPath(id): IdPath<AppointmentId>,
    ApiJson(body): ApiJson<CancelBody>,
) -> ApiResult<Json<AppointmentOut>> {
    Ok(Json(appointments::cancel(&auth, id, body.reason).await?))
}

/// `GET /api/appointments/free-slots?practiceId&date&typeId&veterinarianId?`: the free
/// slots of the type's length in the practice's opening hours of that local day.
pub(crate) async fn free_slots(
    auth: Authorized<AppointmentsRead>,
    ApiQuery(query): ApiQuery<SlotQuery>,
) -> ApiResult<Json<FreeSlotsOut>> {
    Ok(Json(appointments::free_slots(&auth, query).await?))
}

/// `GET /api/practices/{id}/day?date=YYYY-MM-DD&sort=`: every appointment of the practice
/// starting on that local day, grouped by veterinarian and by room. For staff.
pub(crate) async fn day(
    auth: Authorized<AppointmentsRead>,
    IdPath(id): IdPath<PracticeId>,
    ApiQuery(query): ApiQuery<DayQuery>,
) -> ApiResult<Json<DayOut>> {
    Ok(Json(appointments::day(&auth, id, query).await?))
}
