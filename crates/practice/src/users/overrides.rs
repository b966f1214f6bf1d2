//! Per-user permission overrides: grant (only what the caller holds) or deny one permission
//! to one user, optionally until a time; list and remove them.

use serde::{Deserialize, Serialize};
use smartdmv_domain::perm::{Effect, Permission};
use smartdmv_domain::{IdInput, OverrideId, UserId};
use smartdmv_store::tenant::access::{self, permission_override};

use super::grants::{check_grantable, check_outranks};
use super::{stored, visible};
use crate::work::Change;
use crate::{ServiceError, ServiceResult, TenantPrincipal, rfc3339};

/// An override as answers and pages show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OverrideOut {
    pub id: String,
    pub permission: String,
    pub effect: Effect,
    pub expires_at: Option<String>,
    pub reason: Option<String>,
}

impl From<permission_override::Model> for OverrideOut {
    fn from(o: permission_override::Model) -> Self {
        Self {
            id: o.id.to_string(),
            permission: o.permission,
            effect: Effect::of(o.grant),
            expires_at: o.expires_at.map(rfc3339),
            reason: o.reason,
        }
    }
}

/// A new override.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOverride {
    pub permission: Permission,
    pub effect: Effect,
    #[serde(default)]
    pub expires_at: Option<smartdmv_store::Stamp>,
    pub reason: Option<String>,
}

/// The overrides of a user the caller may see.
pub async fn list(cx: &TenantPrincipal, id: UserId) -> ServiceResult<Vec<OverrideOut>> {
    let target = visible(cx, id).await?;
    let rows = access::load_user_access(cx.db(), target.id).await?;
    Ok(rows.overrides.into_iter().map(OverrideOut::from).collect())
}

/// Adds an override to someone else, who holds no more than the caller.
pub async fn add(
    cx: &TenantPrincipal,
    id: UserId,
    input: NewOverride,
) -> ServiceResult<OverrideOut> {
    let target = visible(cx, id).await?;
    if target.id == cx.user.id {
        return Err(ServiceError::forbidden(
            "forbidden",
            "you cannot change your own permissions",
        ));
    }
    check_grantable(cx, &[input.permission], "the override")?;
    check_outranks(cx, &target, "this user's current access").await?;
    if input.expires_at.is_some_and(|t| t <= smartdmv_store::now()) {
        return Err(ServiceError::invalid("expiresAt", "must be in the future"));
    }
    let m = permission_override::Model {
        id: OverrideId::new(),
        user_id: target.id,
        permission: input.permission.to_string(),
        grant: input.effect == Effect::Grant,
        expires_at: input.expires_at,
        reason: input.reason,
        created_by: Some(cx.user.id),
        created_at: smartdmv_store::now(),
    };
    let saved = cx
        .write(|w| async move {
            let saved = access::insert_override(w.tx(), m).await?;
            w.audit(Change {
                action: "override_add",
                entity: "user",
                entity_id: Some(target.id.into()),
                practice_id: target.practice_id,
                before: None,
                after: Some(serde_json::json!({
                    "permission": saved.permission,
                    "grant": saved.grant,
                    "expiresAt": saved.expires_at.map(rfc3339),
                })),
            })
            .await?;
            Ok(saved)
        })
        .await?;
    Ok(saved.into())
}

/// Removes an override of a user who holds no more than the caller.
pub async fn remove(
    cx: &TenantPrincipal,
    id: UserId,
    override_id: IdInput<OverrideId>,
) -> ServiceResult<()> {
    // An unknown user answers before a malformed override id, as before a well-formed one.
    let target = visible(cx, id).await?;
    let override_id = override_id.id().ok_or(ServiceError::NotFound("override"))?;
    let o = access::find_override(cx.db(), target.id, override_id)
        .await
        .map_err(stored)?;
    check_outranks(cx, &target, "this user's current access").await?;
    cx.write(|w| async move {
        access::delete_override(w.tx(), o.id).await?;
        w.audit(Change {
            action: "override_remove",
            entity: "user",
            entity_id: Some(target.id.into()),
            practice_id: target.practice_id,
            before: Some(serde_json::json!({"permission": o.permission, "grant": o.grant})),
            after: None,
        })
        .await
    })
    .await
}
