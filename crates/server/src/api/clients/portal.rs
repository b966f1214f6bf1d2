//! `POST /api/clients/{id}/portal-account`: gives a client a portal login, a `CLIENT` user
//! linked to the client record, with a password or an invitation. The rules live in
//! [`smartdmv_practice::clients::portal`]; credentials are made the way `/api/users` makes
//! them.

use axum::Json;
use axum::http::StatusCode;
use serde::Serialize;
use smartdmv_domain::ClientId;
use smartdmv_practice::ServiceError;
use smartdmv_practice::clients::ClientOut;
use smartdmv_practice::clients::portal::{self, Credentials, Invitation, NewPortalAccount};

use crate::api::auth::rfc3339;
use crate::api::created;
use crate::api::users::{self, InvitationOut, UserOut};
use crate::auth::Authorized;
use crate::auth::feature::{Featured, feat};
use crate::auth::perms::ClientsUpdate;
use crate::auth::token;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdPath};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalAccountOut {
    pub client: ClientOut,
    pub user: UserOut,
    /// For an invitation: the one-time token to send to the client (shown once).
    pub invitation: Option<InvitationOut>,
}

/// A new user's credentials, made as `/api/users` makes them.
async fn credentials(password: Option<String>) -> Result<Credentials, ServiceError> {
    let (password_hash, invitation) = users::new_credentials(password).await?;
    Ok(Credentials {
        password_hash,
        invitation: invitation.map(|(token, expires_at)| Invitation {
            token_hash: token::hash(&token),
            token,
            expires_at,
        }),
    })
}

/// Creates the `CLIENT` user and links it. 409 `portal_account_exists` when the client has
/// one, `email_taken` when a user of the company has the email, `client_inactive` for a
/// deactivated client.
pub async fn create(
    _: Featured<feat::ClientPortal>,
    auth: Authorized<ClientsUpdate>,
    IdPath(id): IdPath<ClientId>,
    ApiJson(b): ApiJson<NewPortalAccount>,
) -> ApiResult<(StatusCode, Json<PortalAccountOut>)> {
    let account = portal::create(&auth, id, b, credentials).await?;
    let user = users::user_out(auth.db(), account.user)
        .await
        .map_err(ServiceError::from)?;
    created(PortalAccountOut {
        client: account.client,
        user,
        invitation: account.invitation.map(|i| InvitationOut {
            token: i.token,
            expires_at: rfc3339(i.expires_at),
        }),
    })
}
