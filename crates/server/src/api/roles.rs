//! `/api/roles`: the built-in roles (read-only, as data from the domain crate) and the
//! company's custom roles, each a named set of permissions. The rules live in
//! [`smartdmv_practice::roles`]; these handlers extract, call and answer.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::RoleId;
use smartdmv_domain::perm::Permission;
use smartdmv_practice::roles::{self, RoleInput};

pub use smartdmv_practice::roles::RoleOut;

use super::Page;
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
    Ok(Json(Page {
        items: roles::list(&auth).await?,
        next_cursor: None,
    }))
}

/// `GET /api/roles/{id}` (custom roles).
pub(crate) async fn show(
    auth: Authorized<RolesRead>,
    IdPath(id): IdPath<RoleId>,
) -> ApiResult<Json<RoleOut>> {
    Ok(Json(roles::get(&auth, id).await?.into()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<Permission>>,
}

impl From<RoleBody> for RoleInput {
    fn from(b: RoleBody) -> Self {
        Self {
            name: b.name,
            description: b.description,
            permissions: b.permissions,
        }
    }
}

/// `POST /api/roles`
pub(crate) async fn create(
    _: Featured<feat::CustomRoles>,
    auth: Authorized<RolesCreate>,
    ApiJson(body): ApiJson<RoleBody>,
) -> ApiResult<(StatusCode, Json<RoleOut>)> {
    let saved = roles::create(&auth, body.into()).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// `PATCH /api/roles/{id}`: takes effect on the next request of every holder.
pub(crate) async fn update(
    _: Featured<feat::CustomRoles>,
    auth: Authorized<RolesUpdate>,
    IdPath(id): IdPath<RoleId>,
    ApiJson(body): ApiJson<RoleBody>,
) -> ApiResult<Json<RoleOut>> {
    Ok(Json(roles::update(&auth, id, body.into()).await?.into()))
}

/// `DELETE /api/roles/{id}`: removes the role and its assignments.
pub(crate) async fn remove(
    auth: Authorized<RolesDelete>,
    IdPath(id): IdPath<RoleId>,
) -> ApiResult<StatusCode> {
    roles::remove(&auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
