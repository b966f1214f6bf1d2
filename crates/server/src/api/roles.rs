//! `/api/roles`: the built-in roles (read-only, as data from the domain crate) and the
//! company's custom roles, each a named set of permissions. The rules live in
//! [`smartdmv_practice::roles`]; these handlers extract, call and answer.

use axum::Json;
use axum::http::StatusCode;
use smartdmv_domain::RoleId;
use smartdmv_practice::roles::{self, RoleInput};

pub use smartdmv_practice::roles::RoleOut;

use super::Page;
use crate::api::created;
use crate::auth::Authorized;
use crate::auth::feature::{Featured, feat};
use crate::auth::perms::{RolesCreate, RolesDelete, RolesRead, RolesUpdate};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/roles", list)
        .post("/api/roles", create)
        .get("/api/roles/{id}", show)
        .patch("/api/roles/{id}", update)
        .delete("/api/roles/{id}", remove)
}

/// `GET /api/roles`: built-in roles first, then custom roles by name.
pub(crate) async fn list(auth: Authorized<RolesRead>) -> ApiResult<Json<Page<RoleOut>>> {
    Ok(Json(Page::all(roles::list(&auth).await?)))
}

/// `GET /api/roles/{id}` (custom roles).
pub(crate) async fn show(
    auth: Authorized<RolesRead>,
    IdPath(id): IdPath<RoleId>,
) -> ApiResult<Json<RoleOut>> {
    Ok(Json(roles::get(&auth, id).await?.into()))
}

/// `POST /api/roles`
pub(crate) async fn create(
    _: Featured<feat::CustomRoles>,
    auth: Authorized<RolesCreate>,
    ApiJson(input): ApiJson<RoleInput>,
) -> ApiResult<(StatusCode, Json<RoleOut>)> {
    let saved = roles::create(&auth, input).await?;
    created(saved.into())
}

/// `PATCH /api/roles/{id}`: takes effect on the next request of every holder.
pub(crate) async fn update(
    _: Featured<feat::CustomRoles>,
    auth: Authorized<RolesUpdate>,
    IdPath(id): IdPath<RoleId>,
    ApiJson(input): ApiJson<RoleInput>,
) -> ApiResult<Json<RoleOut>> {
    Ok(Json(roles::update(&auth, id, input).await?.into()))
}

/// `DELETE /api/roles/{id}`: removes the role and its assignments.
pub(crate) async fn remove(
    auth: Authorized<RolesDelete>,
    IdPath(id): IdPath<RoleId>,
) -> ApiResult<StatusCode> {
    roles::remove(&auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
