//! What a caller may hand out: the permissions a role key grants, what a user holds, the
//! rule that nobody grants what they do not hold themselves, the practices a caller may
//! assign, and the plan's limits on adding users (seats, a verified sign-up address).

use serde_json::json;
use smartdmv_domain::perm::{Action, Permission, Resource, role_permissions};
use smartdmv_domain::usage::{Limit, room_for_one_more};
use smartdmv_domain::{PracticeId, RoleId, TenantRole};
use smartdmv_store::tenant::access::{self, role};
use smartdmv_store::tenant::{practice, user};
use std::collections::BTreeSet;

use crate::principal::now_unix;
use crate::{Refusal, ServiceError, ServiceResult, TenantPrincipal};

/// The permissions a role key (`VETERINARIAN`, `custom:<id>`) grants; a field error of
/// `roles` for an unknown one.
pub async fn role_key_permissions(
    cx: &TenantPrincipal,
    key: &str,
) -> ServiceResult<BTreeSet<Permission>> {
    if let Some(r) = TenantRole::parse(key) {
        return Ok(role_permissions(r));
    }
    let unknown = || ServiceError::invalid("roles", format!("unknown role {key:?}"));
    let id: RoleId = key
        .strip_prefix("custom:")
        .and_then(|s| s.parse().ok())
        .ok_or_else(unknown)?;
    let role = role::find(cx.db(), id)
        .await
        .ok()
        .flatten()
        .ok_or_else(unknown)?;
    Ok(crate::roles::permissions_of(&role).collect())
}

/// Everything a user's roles grant (built-in and custom).
pub async fn holdings(
    cx: &TenantPrincipal,
    u: &user::Model,
) -> ServiceResult<BTreeSet<Permission>> {
    let rows = access::load_user_access(cx.db(), u.id).await?;
    let mut perms = role_permissions(u.role);
    for k in &rows.role_keys {
        perms.extend(role_key_permissions(cx, k).await.unwrap_or_default());
    }
    Ok(perms)
}

/// 403 `cannot_grant` when `perms` holds a permission the caller does not hold themselves;
/// `what` names the set in the answer ("the roles given").
pub fn check_grantable<'a>(
    cx: &TenantPrincipal,
    perms: impl IntoIterator<Item = &'a Permission>,
    what: &str,
) -> ServiceResult<()> {
    let now = now_unix();
    if let Some(missing) = perms.into_iter().find(|x| !cx.access.allows(**x, now)) {
        return Err(ServiceError::forbidden(
            "cannot_grant",
            format!("{what} includes {missing}, which you do not hold yourself"),
        ));
    }
    Ok(())
}

/// 403 `cannot_grant` when the target holds more than the caller: changing such a user
/// would be an escalation path too.
pub async fn check_outranks(
    cx: &TenantPrincipal,
    target: &user::Model,
    what: &str,
) -> ServiceResult<()> {
    check_grantable(cx, &holdings(cx, target).await?, what)
}

/// Each practice must exist (422) and be one of the caller's (403).
pub async fn check_practices(cx: &TenantPrincipal, ids: &[PracticeId]) -> ServiceResult<()> {
    let known: Vec<PracticeId> = practice::list(cx.db())
        .await?
        .iter()
        .map(|x| x.id)
        .collect();
    for id in ids {
        if !known.contains(id) {
            return Err(ServiceError::invalid(
                "practiceIds",
                format!("unknown practice {id}"),
            ));
        }
        if !cx.in_scope(Some(*id)) {
            return Err(ServiceError::forbidden(
                "forbidden",
                "you can only assign your own practices",
            ));
        }
    }
    Ok(())
}

/// The open practices the caller may assign (the first 200 of the company, within the
/// caller's practices); needs `practices:read`.
pub async fn assignable_practices(cx: &TenantPrincipal) -> ServiceResult<Vec<practice::Model>> {
    cx.require(Permission::new(Resource::Practices, Action::Read))?;
    let rows = practice::list_page(cx.db(), None, crate::page::MAX_LIMIT).await?;
    Ok(rows
        .into_iter()
        .filter(|p| cx.in_scope(Some(p.id)) && p.active)
        .collect())
}

/// Whether a user holds one of the seats `maxUsers` limits: active staff (not `CLIENT`).
pub fn takes_a_seat(u: &user::Model) -> bool {
    u.active && u.role.is_staff()
}

/// 402 `plan_limit_reached` when the company has no free seat for one more active staff
/// user (`maxUsers`).
pub async fn require_user_seat(cx: &TenantPrincipal) -> ServiceResult<()> {
    let Some(max) = cx.tenant.company.limits.max_users else {
        return Ok(());
    };
    let used = smartdmv_store::tenant::usage::count_active_staff(cx.db()).await?;
    if room_for_one_more(Some(max), used) {
        Ok(())
    } else {
        Err(ServiceError::LimitReached(
            Refusal::new(
                "plan_limit_reached",
                format!("the company's plan allows {max} active staff users"),
            )
            .with("limit", json!(Limit::MaxUsers.as_str()))
            .with("max", json!(max)),
        ))
    }
}

/// 403 `email_unverified` until the address the company signed up with is verified: an
/// unverified administrator may work in the company but not invite or add users.
pub fn require_email_verified(cx: &TenantPrincipal) -> ServiceResult<()> {
    if cx.tenant.company.email_verified {
        Ok(())
    } else {
        Err(ServiceError::forbidden(
            "email_unverified",
            "verify the email address the company signed up with before adding users",
        ))
    }
}
