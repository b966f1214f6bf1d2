//! Roles: the built-in roles (read-only, as data from the domain crate) and the company's
//! custom roles, each a named set of permissions. Nobody puts a permission they do not hold
//! into a role. A change takes effect on the next request of every holder.

use serde::{Deserialize, Serialize};
use smartdmv_domain::perm::{Permission, role_permissions};
use smartdmv_domain::{RoleId, TenantRole};
use smartdmv_store::tenant::access::{self, role};
use std::collections::BTreeSet;
use uuid::Uuid;

use crate::audited::{Audited, change, save};
use crate::users::grants::check_grantable;
use crate::{ConflictAs, ServiceError, ServiceResult, TenantPrincipal, rfc3339};

/// A role as answers and pages show it.
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

impl From<TenantRole> for RoleOut {
    fn from(r: TenantRole) -> Self {
        Self {
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
}

impl From<role::Model> for RoleOut {
    fn from(m: role::Model) -> Self {
        Self {
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
}

/// The permissions a custom role grants (names this binary does not know are skipped).
pub fn permissions_of(r: &role::Model) -> impl Iterator<Item = Permission> + '_ {
    r.permissions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().and_then(Permission::parse))
}

/// Built-in roles first, then custom roles by name.
pub async fn list(cx: &TenantPrincipal) -> ServiceResult<Vec<RoleOut>> {
    let mut items: Vec<RoleOut> = TenantRole::ALL.into_iter().map(RoleOut::from).collect();
    let rows = access::list_roles(cx.db()).await?;
    items.extend(rows.into_iter().map(RoleOut::from));
    Ok(items)
}

/// A custom role.
pub async fn get(cx: &TenantPrincipal, id: RoleId) -> ServiceResult<role::Model> {
    role::find(cx.db(), id)
        .await?
        .ok_or(ServiceError::NotFound("role"))
}

/// A new role, or changes to one (absent fields are kept).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permissions: Option<Vec<Permission>>,
}

fn validate(input: &RoleInput, creating: bool) -> ServiceResult<()> {
    let mut errs = Vec::new();
    match &input.name {
        Some(n) if n.trim().is_empty() || n.trim().chars().count() > 100 => {
            errs.push(("name".to_owned(), "must be 1 to 100 characters".to_owned()))
        }
        Some(n) if TenantRole::parse(n.trim()).is_some() => {
            errs.push(("name".into(), "is the name of a built-in role".into()))
        }
        None if creating => errs.push(("name".into(), "is required".into())),
        _ => {}
    }
    if creating && input.permissions.as_ref().is_none_or(Vec::is_empty) {
        errs.push((
            "permissions".into(),
            "must list at least one permission".into(),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errs))
    }
}

fn perms_json(ps: &[Permission]) -> serde_json::Value {
    let set: BTreeSet<String> = ps.iter().map(ToString::to_string).collect();
    serde_json::json!(set)
}

impl Audited for role::Model {
    const ENTITY: &'static str = "role";
    type Out = RoleOut;
    fn entity_id(&self) -> Uuid {
        self.id.0
    }
    /// Only the name and permissions, as the log has always kept them.
    fn snapshot(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({"name": self.name, "permissions": self.permissions}))
    }
}

/// A custom role with permissions the caller holds; 409 `role_name_taken` for a taken name.
pub async fn create(cx: &TenantPrincipal, input: RoleInput) -> ServiceResult<role::Model> {
    validate(&input, true)?;
    let perms = input.permissions.unwrap_or_default();
    check_grantable(cx, &perms, "the role")?;
    let now = smartdmv_store::now();
    let m = role::Model {
        id: RoleId::new(),
        name: input.name.unwrap_or_default().trim().to_owned(),
        description: input.description,
        permissions: perms_json(&perms),
        created_at: now,
        updated_at: now,
    };
    save(cx, "create", None, m)
        .await
        .conflict_as("role_name_taken", "a role with this name exists")
}

/// Renames a custom role or changes its description or permissions.
pub async fn update(
    cx: &TenantPrincipal,
    id: RoleId,
    input: RoleInput,
) -> ServiceResult<role::Model> {
    validate(&input, false)?;
    let before = get(cx, id).await?;
    let mut m = before.clone();
    if let Some(n) = &input.name {
        m.name = n.trim().to_owned();
    }
    if input.description.is_some() {
        m.description = input.description;
    }
    if let Some(ps) = &input.permissions {
        if ps.is_empty() {
            return Err(ServiceError::invalid(
                "permissions",
                "must list at least one permission",
            ));
        }
        check_grantable(cx, ps, "the role")?;
        m.permissions = perms_json(ps);
    }
    m.updated_at = smartdmv_store::now();
    save(cx, "update", Some(&before), m)
        .await
        .conflict_as("role_name_taken", "a role with this name exists")
}

/// Removes a custom role and its assignments.
pub async fn remove(cx: &TenantPrincipal, id: RoleId) -> ServiceResult<()> {
    let before = get(cx, id).await?;
    cx.write(|w| async move {
        access::delete_role(w.tx(), before.id).await?;
        w.audit(change("delete", Some(&before), None)).await
    })
    .await
}
