//! `/api/practices`: a company's practices and their settings. The rules live in
//! [`smartdmv_practice::practices`]; these handlers extract, call and answer.

use axum::Json;
use axum::http::StatusCode;
use smartdmv_domain::PracticeId;
use smartdmv_practice::PageRequest;
use smartdmv_practice::practices::{self, NewPractice, PracticeChanges, PracticeOut};

use super::Page;
use crate::api::created;
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

/// `GET /api/practices`: the practices the caller works in.
pub(crate) async fn list(
    auth: Authorized<PracticesRead>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<PracticeOut>>> {
    Ok(Json(practices::list(&auth, &page).await?.map(Into::into)))
}

/// `POST /api/practices`: opens a practice, if the plan has room for one more.
pub(crate) async fn create(
    auth: Authorized<PracticesCreate>,
    ApiJson(input): ApiJson<NewPractice>,
) -> ApiResult<(StatusCode, Json<PracticeOut>)> {
    let saved = practices::create(&auth, input).await?;
    created(saved.into())
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
    ApiJson(changes): ApiJson<PracticeChanges>,
) -> ApiResult<Json<PracticeOut>> {
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
