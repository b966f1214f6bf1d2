//! `/api/roles`: the built-in roles (read-only, as data from the domain crate) and the
//! company's custom roles, each a named set of permissions.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use smartdmv_domain::TenantRole;
use smartdmv_domain::perm::{Permission, role_permissions};
use smartdmv_store::tenant::{access, audit};
use std::collections::BTreeSet;
use uuid::Uuid;

use super::Page;
use super::auth::{rfc3339, store_db};
use crate::auth::Authorized;
use crate::auth::feature::{Featured, feat};
use crate::auth::perms::{RolesCreate, RolesDelete, RolesRead, RolesUpdate};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/roles", list)
        .post("/api/roles", create)
        .get("/api/roles/{id}", show)
        .patch("/api/roles/{id}", update)
        .delete("/api/roles/{id}", remove)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleOut {
    /// The key used in a user's `roles`: a built-in name or `custom:<id>`.
    pub key: String,
    pub id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub built_in: bool,
    pub permissions: Vec<String>,
    pub updated_at: Option<String>,
}

fn built_in(r: TenantRole) -> RoleOut {
    RoleOut {
        key: r.as_str().into(),
        id: None,
        name: r.as_str().into(),
        description: None,
        built_in: true,
        permissions: role_permissions(r)
            .iter()
            .map(ToString::to_string)
            .collect(),
        updated_at: None,
    }
}

fn custom(m: access::role::Model) -> RoleOut {
    RoleOut {
        key: format!("custom:{}", m.id),
        id: Some(m.id.to_string()),
        name: m.name,
        description: m.description,
        built_in: false,
        permissions: m
            .permissions
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        updated_at: Some(rfc3339(m.updated_at)),
    }
}

/// `GET /api/roles`: built-in roles first, then custom roles by name.
pub(crate) async fn list(auth: Authorized<RolesRead>) -> ApiResult<Json<Page<RoleOut>>> {
    let mut items: Vec<RoleOut> = TenantRole::ALL.into_iter().map(built_in).collect();
    let rows = access::list_roles(auth.db())
        .await
        .map_err(|e| auth.db_error(e))?;
    items.extend(rows.into_iter().map(custom));
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

pub(crate) async fn find(
    auth: &crate::auth::TenantPrincipal,
    id: &str,
) -> ApiResult<access::role::Model> {
    let id: Uuid = id.parse().map_err(|_| ApiError::not_found("role"))?;
    Ok(access::find_role(auth.db(), id).await?)
}

/// `GET /api/roles/{id}` (custom roles).
pub(crate) async fn show(
    auth: Authorized<RolesRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<RoleOut>> {
    Ok(Json(custom(find(&auth, &id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<Permission>>,
}

fn validate(body: &RoleBody, creating: bool) -> ApiResult<()> {
    let mut errs = Vec::new();
    match &body.name {
        Some(n) if n.trim().is_empty() || n.trim().chars().count() > 100 => {
            errs.push(("name".to_owned(), "must be 1 to 100 characters".to_owned()))
        }
        Some(n) if TenantRole::parse(n.trim()).is_some() => {
            errs.push(("name".into(), "is the name of a built-in role".into()))
        }
        None if creating => errs.push(("name".into(), "is required".into())),
        _ => {}
    }
    if creating && body.permissions.as_ref().is_none_or(Vec::is_empty) {
        errs.push((
            "permissions".into(),
            "must list at least one permission".into(),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errs))
    }
}

fn check_grantable(auth: &crate::auth::TenantPrincipal, perms: &[Permission]) -> ApiResult<()> {
    let now = crate::auth::tenant::now_unix();
    if let Some(p) = perms.iter().find(|p| !auth.access.allows(**p, now)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cannot_grant",
            format!("the role includes {p}, which you do not hold yourself"),
        ));
    }
    Ok(())
}

fn perms_json(ps: &[Permission]) -> serde_json::Value {
    let set: BTreeSet<String> = ps.iter().map(ToString::to_string).collect();
    serde_json::json!(set)
}

fn conflict(e: sea_orm::DbErr) -> Option<ApiError> {
    e.to_string().contains("role name already exists").then(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "role_name_taken",
            "a role with this name exists",
        )
    })
}

/// `POST /api/roles`
pub(crate) async fn create(
    _: Featured<feat::CustomRoles>,
    auth: Authorized<RolesCreate>,
    ApiJson(body): ApiJson<RoleBody>,
) -> ApiResult<(StatusCode, Json<RoleOut>)> {
    validate(&body, true)?;
    let perms = body.permissions.clone().unwrap_or_default();
    check_grantable(&auth, &perms)?;
    let now = smartdmv_store::now();
    let m = access::role::Model {
        id: Uuid::now_v7(),
        name: body.name.clone().unwrap_or_default().trim().to_owned(),
        description: body.description.clone(),
        permissions: perms_json(&perms),
        created_at: now,
        updated_at: now,
    };
    let db = auth.db();
    let actor = auth.actor_label();
    let saved = async {
        let txn = db.begin().await?;
        let saved = access::insert_role(&txn, m).await.map_err(store_db)?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(auth.user.id),
                actor: &actor,
                action: "create",
                entity: "role",
                entity_id: Some(saved.id),
                practice_id: None,
                before: None,
                after: Some(
                    serde_json::json!({"name": saved.name, "permissions": saved.permissions}),
                ),
                ip: auth.ip.clone(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| conflict(e.clone()).unwrap_or_else(|| auth.db_error(e).into()))?;
    Ok((StatusCode::CREATED, Json(custom(saved))))
}

/// `PATCH /api/roles/{id}`: takes effect on the next request of every holder.
pub(crate) async fn update(
    _: Featured<feat::CustomRoles>,
    auth: Authorized<RolesUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoleBody>,
) -> ApiResult<Json<RoleOut>> {
    validate(&body, false)?;
    let before = find(&auth, &id).await?;
    let mut m = before.clone();
    if let Some(n) = &body.name {
        m.name = n.trim().to_owned();
    }
    if body.description.is_some() {
        m.description = body.description.clone();
    }
    if let Some(ps) = &body.permissions {
        if ps.is_empty() {
            return Err(ApiError::invalid_field(
                "permissions",
                "must list at least one permission",
            ));
        }
        check_grantable(&auth, ps)?;
        m.permissions = perms_json(ps);
    }
    m.updated_at = smartdmv_store::now();
    let db = auth.db();
    let actor = auth.actor_label();
    let saved = async {
        let txn = db.begin().await?;
        let saved = access::update_role(&txn, m).await.map_err(store_db)?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(auth.user.id),
                actor: &actor,
                action: "update",
                entity: "role",
                entity_id: Some(saved.id),
                practice_id: None,
                before: Some(
                    serde_json::json!({"name": before.name, "permissions": before.permissions}),
                ),
                after: Some(
                    serde_json::json!({"name": saved.name, "permissions": saved.permissions}),
                ),
                ip: auth.ip.clone(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| conflict(e.clone()).unwrap_or_else(|| auth.db_error(e).into()))?;
    Ok(Json(custom(saved)))
}

/// `DELETE /api/roles/{id}`: removes the role and its assignments.
pub(crate) async fn remove(
    auth: Authorized<RolesDelete>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let before = find(&auth, &id).await?;
    let db = auth.db();
    let actor = auth.actor_label();
    async {
        let txn = db.begin().await?;
        access::delete_role(&txn, before.id).await?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(auth.user.id),
                actor: &actor,
                action: "delete",
                entity: "role",
                entity_id: Some(before.id),
                practice_id: None,
                before: Some(
                    serde_json::json!({"name": before.name, "permissions": before.permissions}),
                ),
                after: None,
                ip: auth.ip.clone(),
            },
        )
        .await?;
        txn.commit().await
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}
