//! Portal accounts: a client's login to the client portal, a `CLIENT` user linked to the
//! client record, with a password or an invitation. The credentials themselves (password
//! hash, invitation token) are made by the caller the way users are made, and passed in.

use serde::Deserialize;
use smartdmv_domain::{ClientId, TenantRole, UserId};
use smartdmv_store::StoreError;
use smartdmv_store::tenant::{client, client_contact, user};
use std::future::Future;

use super::remove::user_store_error;
use super::{ClientOut, audit_practice, get};
use crate::fields::Errors;
use crate::work::Change;
use crate::{ServiceError, ServiceResult, TenantPrincipal};

/// A portal account to create.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPortalAccount {
    pub email: String,
    /// Either a password ...
    pub password: Option<String>,
    /// ... or `true`: the client is invited and sets their own.
    #[serde(default)]
    pub invite: bool,
}

/// An invitation to set a password: the one-time token (shown once), its hash (stored) and
/// its expiry.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub token: String,
    pub token_hash: String,
    pub expires_at: smartdmv_store::Stamp,
}

/// The credentials of a new user: a password hash, or an unusable hash and an invitation.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub password_hash: String,
    pub invitation: Option<Invitation>,
}

/// The created account: the client now linked, the user, the invitation if any.
#[derive(Debug)]
pub struct PortalAccount {
    pub client: ClientOut,
    pub user: user::Model,
    pub invitation: Option<Invitation>,
}

fn account_exists() -> ServiceError {
    ServiceError::conflict(
        "portal_account_exists",
        "this client already has a portal account",
    )
}

/// Creates the `CLIENT` user and links it to the client. `credentials` turns the given
/// password (or none, for an invitation) into the user's credentials; it runs only once the
/// input is checked. 409 `portal_account_exists` when the client has an account,
/// `email_taken` when a user of the company has the email, `client_inactive` for a
/// deactivated client; 403 `email_unverified` until the company's email is verified.
pub async fn create<F, Fut>(
    cx: &TenantPrincipal,
    id: ClientId,
    b: NewPortalAccount,
    credentials: F,
) -> ServiceResult<PortalAccount>
where
    F: FnOnce(Option<String>) -> Fut,
    Fut: Future<Output = ServiceResult<Credentials>>,
{
    let before = get(cx, id).await?;
    let email = b.email.trim().to_lowercase();
    let mut errs = Errors::default();
    if !smartdmv_domain::text::is_plausible_email(&email) {
        errs.add("email", "must be an email address");
    }
    match (&b.password, b.invite) {
        (Some(_), true) => errs.add("password", "give a password or invite: true, not both"),
        (None, false) => errs.add("password", "give a password, or invite: true"),
        (Some(pw), false) => {
            if let Err(e) = smartdmv_domain::password::check_new_password(pw) {
                errs.add("password", e.to_string());
            }
        }
        (None, true) => {}
    }
    errs.finish()?;
    if !cx.tenant.company.email_verified {
        return Err(ServiceError::forbidden(
            "email_unverified",
            "verify the email address the company signed up with before adding users",
        ));
    }
    if before.user_id.is_some() {
        return Err(account_exists());
    }
    if !before.active {
        return Err(ServiceError::conflict(
            "client_inactive",
            "this client is deactivated; reactivate them first",
        ));
    }
    let creds = credentials(b.password).await?;
    let now = smartdmv_store::now();
    let u = user::Model {
        id: UserId::new(),
        email,
        name: format!("{} {}", before.first_name, before.last_name),
        password_hash: creds.password_hash,
        role: TenantRole::Client,
        practice_id: before.home_practice_id,
        active: true,
        created_at: now,
        updated_at: now,
        invitation_hash: creds.invitation.as_ref().map(|i| i.token_hash.clone()),
        invitation_expires_at: creds.invitation.as_ref().map(|i| i.expires_at),
    };
    let contacts = client_contact::for_client(cx.db(), before.id).await?;
    let action = if creds.invitation.is_some() {
        "invite"
    } else {
        "create"
    };
    let practice_id = audit_practice(cx);
    let (c, saved_user) = cx
        .write(|w| async move {
            // Re-read inside the transaction: two concurrent requests link one account at most.
            let current = client::find(w.tx(), before.id).await?;
            if current.as_ref().is_none_or(|c| c.user_id.is_some()) {
                return Err(account_exists());
            }
            let saved_user = user::insert(w.tx(), u).await.map_err(|e| match e {
                StoreError::Conflict(_) => ServiceError::conflict(
                    "email_taken",
                    "a user with this email exists in this company",
                ),
                other => user_store_error(other),
            })?;
            let mut c = before.clone();
            c.user_id = Some(saved_user.id);
            c.updated_at = now;
            let c = client::update(w.tx(), c).await?;
            w.audit(Change {
                action,
                entity: "user",
                entity_id: Some(saved_user.id.into()),
                practice_id: saved_user.practice_id,
                before: None,
                after: Some(crate::users::snapshot(&saved_user, &[], &[])),
            })
            .await?;
            w.audit(Change {
                action: "link_portal_account",
                entity: "client",
                entity_id: Some(c.id.into()),
                practice_id,
                before: Some(serde_json::json!({"userId": null})),
                after: Some(
                    serde_json::json!({"userId": saved_user.id, "email": saved_user.email}),
                ),
            })
            .await?;
            Ok((c, saved_user))
        })
        .await?;
    Ok(PortalAccount {
        client: ClientOut::new(&c, &contacts),
        user: saved_user,
        invitation: creds.invitation,
    })
}
