//! Adding a user (with a password, or invited to set their own), changing their name, roles,
//! practices or activity, and deactivating them. A change of access signs the user out
//! everywhere.

use serde::{Deserialize, Serialize};
use smartdmv_domain::perm::role_permissions;
use smartdmv_domain::{PracticeId, TenantRole, UserId};
use smartdmv_store::tenant::{access, session, user};
use std::collections::BTreeSet;
use uuid::Uuid;

use super::grants::{
    check_grantable, check_outranks, check_practices, require_email_verified, require_user_seat,
    role_key_permissions, takes_a_seat,
};
use super::{UserOut, snapshot, stored, user_out, visible};
use crate::account::{hash_password, random_token, token_hash};
use crate::fields::double_option;
use crate::work::Change;
use crate::{ConflictAs, ServiceError, ServiceResult, TenantPrincipal, rfc3339};

/// A new user.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    /// Absent: the user is invited and sets their own password.
    pub password: Option<String>,
    pub role: TenantRole,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub practice_ids: Vec<PracticeId>,
}

/// A user just added, with the invitation to send them if they were invited.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUser {
    #[serde(flatten)]
    pub user: UserOut,
    /// For an invited user: the one-time token to send them (shown once).
    pub invitation: Option<InvitationOut>,
}

/// A one-time invitation token and when it expires.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationOut {
    pub token: String,
    pub expires_at: String,
}

/// A new user's password hash, or an unusable one and an invitation (token, expiry) when no
/// password is given.
pub async fn new_credentials(
    password: Option<String>,
) -> ServiceResult<(String, Option<(String, smartdmv_store::Stamp)>)> {
    Ok(match password {
        Some(pw) => (hash_password(pw).await?, None),
        None => {
            let tok = random_token(32);
            let expires = smartdmv_store::now() + jiff::SignedDuration::from_hours(24 * (7));
            // An unusable password until the invitation is accepted.
            (format!("!invited:{}", Uuid::now_v7()), Some((tok, expires)))
        }
    })
}

/// The invitation as the answer shows it.
pub fn invitation_out(
    invitation: Option<(String, smartdmv_store::Stamp)>,
) -> Option<InvitationOut> {
    invitation.map(|(token, e)| InvitationOut {
        token,
        expires_at: rfc3339(e),
    })
}

/// Inserts a user in a unit of work: 409 `email_taken` when a user of the company has the
/// email.
pub async fn insert(
    tx: &impl smartdmv_store::TenantConn,
    u: user::Model,
) -> ServiceResult<user::Model> {
    user::insert(tx, u).await.map_err(stored).conflict_as(
        "email_taken",
        "a user with this email exists in this company",
    )
}

fn check_name(name: &str) -> bool {
    let n = name.trim().chars().count();
    n > 0 && n <= 200
}

/// Creates a user with a password, or invites them. Needs a verified sign-up address, a
/// free seat for staff, and only roles and practices the caller may hand out.
pub async fn create(cx: &TenantPrincipal, input: NewUser) -> ServiceResult<CreatedUser> {
    let email = input.email.trim().to_lowercase();
    let mut errs = Vec::new();
    if !smartdmv_domain::text::is_plausible_email(&email) {
        errs.push(("email".to_owned(), "must be an email address".to_owned()));
    }
    if !check_name(&input.name) {
        errs.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    if let Some(pw) = &input.password
        && let Err(e) = smartdmv_domain::password::check_new_password(pw)
    {
        errs.push(("password".into(), e.to_string()));
    }
    if input.role.is_staff() && input.practice_ids.is_empty() && cx.practice_scope().is_some() {
        errs.push((
            "practiceIds".into(),
            "must name at least one of your practices".into(),
        ));
    }
    if !errs.is_empty() {
        return Err(ServiceError::Invalid(errs));
    }
    let mut perms = role_permissions(input.role);
    for k in &input.roles {
        perms.extend(role_key_permissions(cx, k).await?);
    }
    check_grantable(cx, &perms, "the roles given")?;
    check_practices(cx, &input.practice_ids).await?;
    require_email_verified(cx)?;
    if input.role.is_staff() {
        require_user_seat(cx).await?;
    }

    let (hash, invitation) = new_credentials(input.password).await?;
    let now = smartdmv_store::now();
    let home = input
        .practice_ids
        .first()
        .copied()
        .or(match cx.practice_scope() {
            None => cx.user.practice_id,
            Some(_) => None,
        });
    let u = user::Model {
        id: UserId::new(),
        email,
        name: input.name.trim().to_owned(),
        password_hash: hash,
        role: input.role,
        practice_id: home,
        active: true,
        created_at: now,
        updated_at: now,
        invitation_hash: invitation.as_ref().map(|(t, _)| token_hash(t)),
        invitation_expires_at: invitation.as_ref().map(|(_, e)| *e),
    };
    let extra_practices: Vec<PracticeId> = input.practice_ids.iter().skip(1).copied().collect();
    let action = if invitation.is_some() {
        "invite"
    } else {
        "create"
    };
    let (roles, practice_ids) = (&input.roles, &input.practice_ids);
    let saved = cx
        .write(|w| async move {
            let saved = insert(w.tx(), u).await?;
            access::set_user_roles(w.tx(), saved.id, roles).await?;
            access::set_user_practices(w.tx(), saved.id, &extra_practices).await?;
            w.audit(Change {
                action,
                entity: "user",
                entity_id: Some(saved.id.into()),
                practice_id: saved.practice_id,
                before: None,
                after: Some(snapshot(&saved, roles, practice_ids)),
            })
            .await?;
            Ok(saved)
        })
        .await?;
    Ok(CreatedUser {
        user: user_out(cx.db(), saved).await?,
        invitation: invitation_out(invitation),
    })
}

/// Changes to a user. `practice_id`: `Some(None)` clears the home practice.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserChanges {
    pub name: Option<String>,
    pub role: Option<TenantRole>,
    pub roles: Option<Vec<String>>,
    pub practice_ids: Option<Vec<PracticeId>>,
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub practice_id: Option<Option<PracticeId>>,
}

impl UserChanges {
    /// Whether the change touches what the user may reach (and so signs them out).
    fn changes_access(&self) -> bool {
        self.role.is_some()
            || self.roles.is_some()
            || self.practice_ids.is_some()
            || self.practice_id.is_some()
            || self.active.is_some()
    }
}

/// Changes a user. Anyone may rename themselves but not change their own access; a change
/// of roles, practices or activity revokes every session of the user.
pub async fn update(
    cx: &TenantPrincipal,
    id: UserId,
    changes: UserChanges,
) -> ServiceResult<UserOut> {
    let target = visible(cx, id).await?;
    let rows = access::load_user_access(cx.db(), target.id).await?;
    let self_edit = target.id == cx.user.id;
    let access_change = changes.changes_access();
    if self_edit && access_change {
        return Err(ServiceError::forbidden(
            "forbidden",
            "you cannot change your own roles, practices or activity",
        ));
    }
    if !self_edit {
        check_outranks(cx, &target, "this user's current access").await?;
    }
    let mut u = target.clone();
    if let Some(n) = &changes.name {
        if !check_name(n) {
            return Err(ServiceError::invalid("name", "must be 1 to 200 characters"));
        }
        u.name = n.trim().to_owned();
    }
    let mut perms = BTreeSet::new();
    if let Some(r) = changes.role {
        perms.extend(role_permissions(r));
        u.role = r;
    }
    let new_roles = changes.roles.clone().unwrap_or(rows.role_keys.clone());
    if let Some(keys) = &changes.roles {
        for k in keys {
            perms.extend(role_key_permissions(cx, k).await?);
        }
    }
    check_grantable(cx, &perms, "the roles given")?;
    let mut new_practices: Vec<PracticeId> = u
        .practice_id
        .into_iter()
        .chain(rows.practice_ids.clone())
        .collect();
    if let Some(home) = changes.practice_id {
        if let Some(h) = home {
            check_practices(cx, &[h]).await?;
        }
        u.practice_id = home;
    }
    if let Some(ps) = &changes.practice_ids {
        check_practices(cx, ps).await?;
        new_practices = ps.clone();
        if u.practice_id.is_none_or(|h| !ps.contains(&h)) {
            u.practice_id = ps.first().copied();
        }
    }
    if let Some(a) = changes.active {
        u.active = a;
    }
    if takes_a_seat(&u) && !takes_a_seat(&target) {
        require_user_seat(cx).await?;
    }
    let extra: Vec<PracticeId> = new_practices
        .iter()
        .copied()
        .filter(|x| Some(*x) != u.practice_id)
        .collect();
    let before = snapshot(&target, &rows.role_keys, &rows.practice_ids);
    let (set_roles, set_practices) = (
        changes.roles.is_some(),
        changes.practice_ids.is_some() || changes.practice_id.is_some(),
    );
    let saved = cx
        .write(|w| async move {
            let saved = user::update(w.tx(), u).await.map_err(stored)?;
            if set_roles {
                access::set_user_roles(w.tx(), saved.id, &new_roles).await?;
            }
            if set_practices {
                access::set_user_practices(w.tx(), saved.id, &extra).await?;
            }
            if access_change {
                session::revoke_all_for_user(w.tx(), saved.id, None).await?;
            }
            w.audit(Change {
                action: "update",
                entity: "user",
                entity_id: Some(saved.id.into()),
                practice_id: saved.practice_id,
                before: Some(before),
                after: Some(snapshot(&saved, &new_roles, &extra)),
            })
            .await?;
            Ok(saved)
        })
        .await?;
    Ok(user_out(cx.db(), saved).await?)
}

/// Deactivates a user (users are never erased) and signs them out.
pub async fn deactivate(cx: &TenantPrincipal, id: UserId) -> ServiceResult<UserOut> {
    let target = visible(cx, id).await?;
    if target.id == cx.user.id {
        return Err(ServiceError::forbidden(
            "forbidden",
            "you cannot deactivate yourself",
        ));
    }
    check_outranks(cx, &target, "this user's access").await?;
    let saved = cx
        .write(|w| async move {
            let mut u = target;
            u.active = false;
            let saved = user::update(w.tx(), u).await.map_err(stored)?;
            session::revoke_all_for_user(w.tx(), saved.id, None).await?;
            w.audit(Change {
                action: "deactivate",
                entity: "user",
                entity_id: Some(saved.id.into()),
                practice_id: saved.practice_id,
                before: Some(serde_json::json!({"active": true})),
                after: Some(serde_json::json!({"active": false})),
            })
            .await?;
            Ok(saved)
        })
        .await?;
    Ok(user_out(cx.db(), saved).await?)
}
