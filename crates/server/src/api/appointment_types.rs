//! `/api/appointment-types`: the company's kinds of appointment. The rules live in
//! [`smartdmv_practice::appointment_types`]; these handlers extract, call and answer.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::AppointmentTypeId;
use smartdmv_practice::appointment_types::{self, AppointmentTypeInput, AppointmentTypeOut};

use super::Page;
use crate::api::{created, page};
use crate::auth::Authorized;
use crate::auth::perms::{AppointmentsRead, SettingsUpdate};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};

/// Allowed lengths of an appointment, in minutes.
pub use smartdmv_domain::appointment_type::DURATION_MINUTES;

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/appointment-types", list)
        .post("/api/appointment-types", create)
        .get("/api/appointment-types/{id}", show)
        .patch("/api/appointment-types/{id}", update)
        .delete("/api/appointment-types/{id}", deactivate)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Also list deactivated types.
    #[serde(default)]
    pub include_inactive: bool,
}

/// `GET /api/appointment-types`: active types (all with `includeInactive=true`).
pub(crate) async fn list(
    auth: Authorized<AppointmentsRead>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<AppointmentTypeOut>>> {
    let page = page(q.limit, q.cursor);
    let types = appointment_types::list(&auth, q.include_inactive, &page).await?;
    Ok(Json(types.map(Into::into)))
}

/// `GET /api/appointment-types/{id}`
pub(crate) async fn show(
    auth: Authorized<AppointmentsRead>,
    IdPath(id): IdPath<AppointmentTypeId>,
) -> ApiResult<Json<AppointmentTypeOut>> {
    Ok(Json(appointment_types::get(&auth, id).await?.into()))
}

/// `POST /api/appointment-types`
pub(crate) async fn create(
    auth: Authorized<SettingsUpdate>,
    ApiJson(input): ApiJson<AppointmentTypeInput>,
) -> ApiResult<(StatusCode, Json<AppointmentTypeOut>)> {
    let saved = appointment_types::create(&auth, input).await?;
    created(saved.into())
}

/// `PATCH /api/appointment-types/{id}`: name, length, colour, `active`.
pub(crate) async fn update(
    auth: Authorized<SettingsUpdate>,
    IdPath(id): IdPath<AppointmentTypeId>,
    ApiJson(input): ApiJson<AppointmentTypeInput>,
) -> ApiResult<Json<AppointmentTypeOut>> {
    let saved = appointment_types::update(&auth, id, input).await?;
    Ok(Json(saved.into()))
}

/// `DELETE /api/appointment-types/{id}`: deactivates the type (no new appointments of it).
pub(crate) async fn deactivate(
    auth: Authorized<SettingsUpdate>,
    IdPath(id): IdPath<AppointmentTypeId>,
) -> ApiResult<Json<AppointmentTypeOut>> {
    Ok(Json(appointment_types::deactivate(&auth, id).await?.into()))
}
