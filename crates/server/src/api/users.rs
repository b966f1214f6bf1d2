//! `/api/users`: company user management for administrators: invite or create, assign roles
//! and practices, deactivate, and per-user permission overrides. The rules live in
//! [`smartdmv_practice::users`]; these handlers extract, call and answer.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::{IdInput, UserId};
use smartdmv_practice::users::{self, overrides, write};

pub use smartdmv_practice::users::{CreatedUser, InvitationOut, OverrideOut, UserOut};

use super::Page;
use crate::api::{created, page};
use crate::auth::perms::{
    RolesRead, RolesUpdate, UsersCreate, UsersDelete, UsersRead, UsersUpdate,
};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/users", list)
        .post("/api/users", create)
        .get("/api/users/{id}", show)
        .patch("/api/users/{id}", update)
        .delete("/api/users/{id}", deactivate)
        .get("/api/users/{id}/overrides", list_overrides)
        .post("/api/users/{id}/overrides", add_override)
        .delete("/api/users/{id}/overrides/{override_id}", remove_override)
}

/// For the portal-account handler of `/api/clients`, which makes users the same way.
pub(crate) use smartdmv_practice::users::{new_credentials, user_out};

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// Part of a name or email, ignoring case.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/users?q=`
pub(crate) async fn list(
    auth: Authorized<UsersRead>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<UserOut>>> {
    let filter = users::UserFilter { q: params.q };
    let page = page(params.limit, params.cursor);
    Ok(Json(users::list(&auth, &filter, &page).await?))
}

/// `POST /api/users`: creates a user with a password, or invites them.
pub(crate) async fn create(
    auth: Authorized<UsersCreate>,
    ApiJson(input): ApiJson<users::NewUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    created(write::create(&auth, input).await?)
}

/// `GET /api/users/{id}`: anyone may read themselves; others need `users:read` and the
/// user's practice.
pub(crate) async fn show(
    p: TenantPrincipal,
    IdPath(id): IdPath<UserId>,
) -> ApiResult<Json<UserOut>> {
    Ok(Json(users::get(&p, id).await?))
}

/// `PATCH /api/users/{id}`: a change of roles, practices or activity revokes every session
/// of the user.
pub(crate) async fn update(
    auth: Authorized<UsersUpdate>,
    IdPath(id): IdPath<UserId>,
    ApiJson(changes): ApiJson<users::UserChanges>,
) -> ApiResult<Json<UserOut>> {
    Ok(Json(write::update(&auth, id, changes).await?))
}

/// `DELETE /api/users/{id}`: deactivates (users are never erased) and signs them out.
pub(crate) async fn deactivate(
    auth: Authorized<UsersDelete>,
    IdPath(id): IdPath<UserId>,
) -> ApiResult<Json<UserOut>> {
    Ok(Json(write::deactivate(&auth, id).await?))
}

/// `GET /api/users/{id}/overrides`
pub(crate) async fn list_overrides(
    auth: Authorized<RolesRead>,
    IdPath(id): IdPath<UserId>,
) -> ApiResult<Json<Page<OverrideOut>>> {
    Ok(Json(Page::all(overrides::list(&auth, id).await?)))
}

/// `POST /api/users/{id}/overrides`: grants (only what the principal holds) or denies one
/// permission to one user, optionally until a time.
pub(crate) async fn add_override(
    auth: Authorized<RolesUpdate>,
    IdPath(id): IdPath<UserId>,
    ApiJson(input): ApiJson<users::NewOverride>,
) -> ApiResult<(StatusCode, Json<OverrideOut>)> {
    created(overrides::add(&auth, id, input).await?)
}

/// `DELETE /api/users/{id}/overrides/{overrideId}`
pub(crate) async fn remove_override(
    auth: Authorized<RolesUpdate>,
    Path((id, override_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id: UserId = id.parse().map_err(|_| ApiError::not_found("user"))?;
    overrides::remove(&auth, id, IdInput::parse(&override_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
