//! Signing in with an email and password, and accepting an invitation (which sets the
//! password and signs in). Both refuse a pet owner's portal login when the company's plan has
//! no client portal.

use smartdmv_domain::password::check_new_password;
use smartdmv_domain::plan::Feature;
use smartdmv_store::tenant::{audit, user};
use std::sync::atomic::AtomicU64;

use super::{
    SESSION_HOURS, SignedIn, feature_not_in_plan, hash_password, normalize_email, open_session,
    token_hash, verify_password,
};
use crate::users::stored;
use crate::work::{Change, write_as};
use crate::{ServiceError, ServiceResult, Tenant, is_portal_user};

/// 403 `feature_not_in_plan` for a portal user (`CLIENT`) of a company whose plan has no
/// client portal.
async fn refuse_portal_without_feature(tenant: &Tenant, u: &user::Model) -> ServiceResult<()> {
    if !tenant.company.has_feature(Feature::ClientPortal) && is_portal_user(tenant.db(), u).await? {
        return Err(feature_not_in_plan(Feature::ClientPortal));
    }
    Ok(())
}

/// Checks an email and password and opens a session; 401 `invalid_credentials` when either
/// is wrong (an unknown email costs the same password check as a known one). Every attempt
/// is audited with the address `ip`. `on_verdict` is told whether the credentials were
/// correct as soon as that is known (the edge counts failures to throttle them).
pub async fn login(
    tenant: &Tenant,
    checks: &AtomicU64,
    email: &str,
    password: String,
    ip: &str,
    on_verdict: impl FnOnce(bool),
) -> ServiceResult<SignedIn> {
    let email = normalize_email(email);
    let db = tenant.db();
    let found = user::find_by_email(db, &email).await?;
    let usable = found
        .as_ref()
        .filter(|u| u.active && u.invitation_hash.is_none());
    let ok = verify_password(checks, password, usable.map(|u| u.password_hash.clone())).await;
    let Some(u) = usable.filter(|_| ok) else {
        on_verdict(false);
        // One statement, nothing to roll back: the failure is kept even as the answer is 401.
        audit::append(
            db,
            audit::Entry {
                actor_id: found.as_ref().map(|u| u.id),
                actor: &email,
                action: "login_failed",
                entity: "session",
                entity_id: None,
                practice_id: None,
                before: None,
                after: None,
                ip: Some(ip.to_owned()),
            },
        )
        .await?;
        return Err(ServiceError::unauthenticated(
            "invalid_credentials",
            "the email or password is not correct",
        ));
    };
    on_verdict(true);
    refuse_portal_without_feature(tenant, u).await?;
    open_login(tenant, u.clone(), Some(ip.to_owned()), None).await
}

/// Opens a session of `u` with a `login` entry in the company's audit log from the address
/// `ip`; `after` says how they signed in when it was not by password.
pub async fn open_login(
    tenant: &Tenant,
    u: user::Model,
    ip: Option<String>,
    after: Option<serde_json::Value>,
) -> ServiceResult<SignedIn> {
    let company = tenant.company.id;
    let actor = (u.id, u.email.clone(), ip);
    write_as(tenant.db(), Some(actor), |w| async move {
        let (token, session) =
            open_session(w.tx(), company, &u, None, false, SESSION_HOURS * 60).await?;
        w.audit(Change {
            action: "login",
            entity: "session",
            entity_id: Some(session.id.into()),
            practice_id: u.practice_id,
            before: None,
            after,
        })
        .await?;
        Ok(SignedIn {
            token,
            session,
            user: u,
        })
    })
    .await
}

/// The user an invitation token invites, while it has not expired; 404 otherwise.
pub async fn invited(tenant: &Tenant, token: &str) -> ServiceResult<user::Model> {
    user::find_by_invitation(tenant.db(), &token_hash(token))
        .await?
        .filter(|u| {
            u.invitation_expires_at
                .is_some_and(|t| t > smartdmv_store::now())
        })
        .ok_or(ServiceError::NotFound("invitation"))
}

/// An invited user sets their password and is signed in.
pub async fn accept_invitation(
    tenant: &Tenant,
    token: &str,
    password: String,
) -> ServiceResult<SignedIn> {
    let found = invited(tenant, token).await?;
    refuse_portal_without_feature(tenant, &found).await?;
    if let Err(e) = check_new_password(&password) {
        return Err(ServiceError::invalid("password", e.to_string()));
    }
    let mut u = found;
    u.password_hash = hash_password(password).await?;
    u.invitation_hash = None;
    u.invitation_expires_at = None;
    let company = tenant.company.id;
    write_as(tenant.db(), None, |w| async move {
        let user = user::update(w.tx(), u).await.map_err(stored)?;
        let (token, session) =
            open_session(w.tx(), company, &user, None, false, SESSION_HOURS * 60).await?;
        Ok(SignedIn {
            token,
            session,
            user,
        })
    })
    .await
}
