//! `/api/practices`: a company's practices and their settings. The rules live in
//! [`smartdmv_practice::practices`]; these handlers extract, call and answer.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::PracticeId;
use smartdmv_practice::PageRequest;
use smartdmv_practice::practices::{self, NewPractice, PracticeChanges, PracticeOut};

use super::{Page, PageParams};
use crate::auth::Authorized;
use crate::auth::perms::{PracticesCreate, PracticesDelete, PracticesRead, PracticesUpdate};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/practices", list)
        .post("/api/practices", create)
        .get("/api/practices/{id}", show)
        .patch("/api/practices/{id}", update)
        .delete("/api/practices/{id}", close)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePractice {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub tax_rate_bp: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePractice {
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub opening_hours: Option<serde_json::Value>,
    pub allow_client_signup: Option<bool>,
    pub tax_rate_bp: Option<i32>,
    /// `true` reopens a closed practice (counted against the plan's limit).
    pub active: Option<bool>,
}

/// `GET /api/practices`: the practices the caller works in.
pub(crate) async fn list(
    auth: Authorized<PracticesRead>,
    ApiQuery(q): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PracticeOut>>> {
    let page = PageRequest {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(practices::list(&auth, &page).await?.map(Into::into)))
}

/// `POST /api/practices`: opens a practice, if the plan has room for one more.
pub(crate) async fn create(
    auth: Authorized<PracticesCreate>,
    ApiJson(b): ApiJson<CreatePractice>,
) -> ApiResult<(StatusCode, Json<PracticeOut>)> {
    let input = NewPractice {
        name: b.name,
        address: b.address,
        phone: b.phone,
        email: b.email,
        time_zone: b.time_zone,
        currency: b.currency,
        tax_rate_bp: b.tax_rate_bp,
    };
    let saved = practices::create(&auth, input).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// `GET /api/practices/{id}`
pub(crate) async fn show(
    auth: Authorized<PracticesRead>,
    IdPath(id): IdPath<PracticeId>,
) -> ApiResult<Json<PracticeOut>> {
    Ok(Json(practices::get(&auth, id).await?.into()))
}

/// `PATCH /api/practices/{id}`: details and settings; `"active": true` reopens.
pub(crate) async fn update(
    auth: Authorized<PracticesUpdate>,
    IdPath(id): IdPath<PracticeId>,
    ApiJson(b): ApiJson<UpdatePractice>,
) -> ApiResult<Json<PracticeOut>> {
    let changes = PracticeChanges {
        name: b.name,
        address: b.address,
        phone: b.phone,
        email: b.email,
        time_zone: b.time_zone,
        currency: b.currency,
        opening_hours: b.opening_hours,
        allow_client_signup: b.allow_client_signup,
        tax_rate_bp: b.tax_rate_bp,
        active: b.active,
    };
    Ok(Json(practices::update(&auth, id, changes).await?.into()))
}

/// `DELETE /api/practices/{id}`: closes a practice; its records stay and it can be reopened
/// with `PATCH {"active": true}`. The last open practice cannot be closed, nor one with
/// appointments still to come.
pub(crate) async fn close(
    auth: Authorized<PracticesDelete>,
    IdPath(id): IdPath<PracticeId>,
) -> ApiResult<Json<PracticeOut>> {
    Ok(Json(practices::close(&auth, id).await?.into()))
}
