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
    let key = format!("{}:{}", tenant.company.id, account::normalize_email(email));
    let attempt = state.throttle.sign_in_attempt(key, ip)?;
    Ok(account::login(
        tenant,
        &state.password_checks,
        email,
        password,
        &attempt.address,
        |ok| attempt.verdict(ok),
    )
    .await?)
}
