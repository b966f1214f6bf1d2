//! `POST /api/clients/{id}/portal-account`: gives a client a portal login, a `CLIENT` user
//! linked to the client record, with a password or an invitation. Users, credentials and
//! invitations are made the way `/api/users` makes them.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use smartdmv_domain::TenantRole;
use smartdmv_practice::ServiceError;
use smartdmv_store::tenant::{client, client_contact, user};
use uuid::Uuid;

use super::body::ClientOut;
use crate::api::auth::rfc3339;
use crate::api::fields::Errors;
use crate::api::users::{self, InvitationOut, UserOut};
use crate::auth::Authorized;
use crate::auth::feature::{Featured, feat};
use crate::auth::perms::ClientsUpdate;
use crate::auth::token;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePortalAccount {
    pub email: String,
    /// Either a password ...
    pub password: Option<String>,
    /// ... or `true`: the client is invited and sets their own.
    #[serde(default)]
    pub invite: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalAccountOut {
    pub client: ClientOut,
    pub user: UserOut,
    /// For an invitation: the one-time token to send to the client (shown once).
    pub invitation: Option<InvitationOut>,
}

/// Creates the `CLIENT` user and links it. 409 `portal_account_exists` when the client has
/// one, `email_taken` when a user of the company has the email, `client_inactive` for a
/// deactivated client.
pub async fn create(
    _: Featured<feat::ClientPortal>,
    auth: Authorized<ClientsUpdate>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<CreatePortalAccount>,
) -> ApiResult<(StatusCode, Json<PortalAccountOut>)> {
    let before = super::find(&auth, &id).await?;
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
    crate::limits::check_email_verified(&auth)?;
    if before.user_id.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "portal_account_exists",
            "this client already has a portal account",
        ));
    }
    if !before.active {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "client_inactive",
            "this client is deactivated; reactivate them first",
        ));
    }
    let (hash, invitation) = users::new_credentials(b.password).await?;
    let now = smartdmv_store::now();
    let u = user::Model {
        id: Uuid::now_v7(),
        email,
        name: format!("{} {}", before.first_name, before.last_name),
        password_hash: hash,
        role: TenantRole::Client.as_str().into(),
        practice_id: before.home_practice_id,
        active: true,
        created_at: now,
        updated_at: now,
        invitation_hash: invitation.as_ref().map(|(t, _)| token::hash(t)),
        invitation_expires_at: invitation.as_ref().map(|(_, e)| *e),
    };
    let db = auth.db();
    let contacts = client_contact::for_client(db, before.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    let saved = async {
        let txn = db.begin().await?;
        // Re-read inside the transaction: two concurrent requests link one account at most.
        let current = client::find(&txn, before.id).await?;
        if current.as_ref().is_none_or(|c| c.user_id.is_some()) {
            return Err(ServiceError::conflict(
                "portal_account_exists",
                "this client already has a portal account",
            ));
        }
        let saved_user = users::insert(&txn, u).await?;
        let mut c = before.clone();
        c.user_id = Some(saved_user.id);
        c.updated_at = now;
        let c = client::update(&txn, c).await?;
        let action = if invitation.is_some() {
            "invite"
        } else {
            "create"
        };
        auth.audit(
            &txn,
            action,
            "user",
            Some(saved_user.id),
            saved_user.practice_id,
            None,
            Some(users::snapshot(&saved_user, &[], &[])),
        )
        .await?;
        auth.audit(
            &txn,
            "link_portal_account",
            "client",
            Some(c.id),
            super::audit_practice(&auth),
            Some(serde_json::json!({"userId": null})),
            Some(serde_json::json!({"userId": saved_user.id, "email": saved_user.email})),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, ServiceError>((c, saved_user))
    }
    .await;
    let (c, saved_user) = saved?;
    let user = users::user_out(db, saved_user)
        .await
        .map_err(|e| auth.db_error(e))?;
    Ok((
        StatusCode::CREATED,
        Json(PortalAccountOut {
            client: ClientOut::new(&c, &contacts),
            user,
            invitation: invitation.map(|(token, e)| InvitationOut {
                token,
                expires_at: rfc3339(e),
            }),
        }),
    ))
}
