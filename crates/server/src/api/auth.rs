//! `/api/auth/*`: company users sign in and out, see themselves, change their password,
//! accept an invitation, and (where a practice allows it) clients sign themselves up. The
//! account rules live in [`smartdmv_practice::account`]; this edge keeps the session cookie,
//! throttling by address and the answers.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use smartdmv_domain::TenantRole;
use smartdmv_practice::account::{self, Registration, SignedIn};
use smartdmv_store::tenant::{session, user};

pub use smartdmv_practice::account::{MeOut, SESSION_HOURS};
pub use smartdmv_practice::rfc3339;

use crate::auth::TenantPrincipal;
use crate::auth::feature::{Featured, feat};
use crate::auth::signin::{self, session_cookie};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ClientIp, Tenant};
use crate::state::AppState;

pub fn routes() -> super::Routes {
    super::Routes::new()
        .post("/api/auth/login", login)
        .post("/api/auth/logout", logout)
        .get("/api/auth/me", me)
        .post("/api/auth/change-password", change_password)
        .post("/api/auth/register", register)
        .post("/api/auth/accept-invitation", accept_invitation)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginOut {
    pub token: String,
    pub expires_at: String,
    pub user: LoginUser,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: TenantRole,
    pub practice_id: Option<String>,
}

/// See [`account::hash_password`].
pub async fn hash_on_blocking(password: String) -> Result<String, ApiError> {
    Ok(account::hash_password(password).await?)
}

/// Answers like a login: token, expiry and user, with the session cookie.
pub(crate) fn login_response(
    state: &AppState,
    tok: String,
    s: &session::Model,
    u: &user::Model,
    status: StatusCode,
) -> Response {
    let cookie = session_cookie(state, &tok);
    let body = LoginOut {
        token: tok,
        expires_at: rfc3339(s.expires_at),
        user: LoginUser {
            id: u.id.to_string(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            practice_id: u.practice_id.map(|p| p.to_string()),
        },
    };
    let mut resp = (status, Json(body)).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    resp
}

fn signed_in(state: &AppState, s: SignedIn, status: StatusCode) -> Response {
    login_response(state, s.token, &s.session, &s.user, status)
}

/// `POST /api/auth/login`
pub(crate) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    tenant: Tenant,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let s = signin::sign_in(&state, ip, &tenant, &body.email, body.password).await?;
    Ok(signed_in(&state, s, StatusCode::OK))
}

/// `POST /api/auth/logout`: revokes the session for good.
pub(crate) async fn logout(
    State(state): State<AppState>,
    p: TenantPrincipal,
) -> ApiResult<Response> {
    account::logout(&p).await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, signin::clear_session_cookie(&state));
    Ok(resp)
}

/// `GET /api/auth/me`
pub(crate) async fn me(p: TenantPrincipal) -> Json<MeOut> {
    Json(account::me(&p))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordBody {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/auth/change-password`: every other session of the user is revoked.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    p: TenantPrincipal,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> ApiResult<StatusCode> {
    account::change_password(
        &p,
        &state.password_checks,
        body.current_password,
        body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/auth/register`: a pet owner signs up as a `CLIENT` of a practice that allows
/// it; answers like a login.
pub(crate) async fn register(
    _: Featured<feat::ClientPortal>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    tenant: Tenant,
    ApiJson(input): ApiJson<Registration>,
) -> ApiResult<Response> {
    let s = account::register(&tenant, input, ip).await?;
    Ok(signed_in(&state, s, StatusCode::CREATED))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    pub token: String,
    pub password: String,
}

/// `POST /api/auth/accept-invitation`: an invited user sets their password and is signed in.
pub(crate) async fn accept_invitation(
    State(state): State<AppState>,
    tenant: Tenant,
    ApiJson(body): ApiJson<AcceptInvitationBody>,
) -> ApiResult<Response> {
    let s = account::accept_invitation(&tenant, &body.token, body.password).await?;
    Ok(signed_in(&state, s, StatusCode::OK))
}
