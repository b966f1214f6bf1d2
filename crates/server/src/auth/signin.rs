//! The edge of a company sign-in, shared by `POST /api/auth/login` and the sign-in page:
//! throttling by account and address around the account service's credential check, and the
//! session cookie that carries the token it opened.

use axum::http::HeaderValue;
use smartdmv_practice::account::{self, SESSION_HOURS, SignedIn};

use super::token::{self, TENANT_COOKIE};
use crate::error::ApiResult;
use crate::extract::Tenant;
use crate::state::AppState;

/// The `Set-Cookie` value of a company session token.
pub fn session_cookie(state: &AppState, tok: &str) -> HeaderValue {
    token::set_cookie(
        TENANT_COOKIE,
        tok,
        SESSION_HOURS * 3600,
        state.cookie_secure(),
    )
}

/// The `Set-Cookie` value that ends the company session in the browser.
pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    token::clear_cookie(TENANT_COOKIE, state.cookie_secure())
}

/// Signs a company user in from the address `ip`: 429 `too_many_attempts` while the account
/// and address are throttled, else the service's check, whose verdict feeds the throttle.
pub async fn sign_in(
    state: &AppState,
    ip: Option<String>,
    tenant: &Tenant,
    email: &str,
    password: String,
) -> ApiResult<SignedIn> {
    let ip = ip.unwrap_or_default();
    let throttle = &state.throttle;
    let key = format!("{}:{}", tenant.company.id, account::normalize_email(email));
    throttle.admit_sign_in(&key, &ip)?;
    let on_verdict = |ok: bool| throttle.record(&key, &ip, ok);
    Ok(account::login(
        tenant,
        &state.password_checks,
        email,
        password,
        &ip,
        on_verdict,
    )
    .await?)
}
