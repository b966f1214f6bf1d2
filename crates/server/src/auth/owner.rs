//! The platform's side of authentication at the edge: the principal of an owner request (a
//! live platform session of an `OWNER` or a `COMPANY_ADMIN`, on the platform host), and the
//! platform sign-in shared by `POST /api/owner/auth/login` and the sign-in page: throttling by
//! account and address around the service's credential check, and the session cookie.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use smartdmv_platform::service::platform_users::{self, SESSION_HOURS, SignedIn};

use super::token::{self, OWNER_COOKIE, Source};
use crate::error::{ApiError, ApiResult};
use crate::extract::{client_ip, header};
use crate::state::AppState;

pub use smartdmv_platform::service::{PlatformPrincipal, PlatformRole};

impl FromRequestParts<AppState> for PlatformPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.is_platform_host(header(parts, "host")) {
            return Err(ApiError::not_found("route"));
        }
        let (tok, source) = token::credential(parts, OWNER_COOKIE).ok_or_else(|| {
            platform_users::unauthenticated("sign in first: POST /api/owner/auth/login")
        })?;
        if tok.starts_with("o.") && source == Source::Cookie && !token::same_origin(parts) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "cross-site request refused: send it from the application's own pages",
            ));
        }
        Ok(platform_users::principal(&state.platform, &tok, client_ip(parts)).await?)
    }
}

/// The `Set-Cookie` value of a platform session token.
pub fn session_cookie(state: &AppState, tok: &str) -> HeaderValue {
    token::set_cookie(
        OWNER_COOKIE,
        tok,
        SESSION_HOURS * 3600,
        state.cookie_secure(),
    )
}

/// The `Set-Cookie` value that ends the platform session in the browser.
pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    token::clear_cookie(OWNER_COOKIE, state.cookie_secure())
}

/// Signs a platform user in from the address `ip`: 429 `too_many_attempts` while the account
/// and address are throttled, else the service's check, whose verdict feeds the throttle.
pub async fn sign_in(
    state: &AppState,
    ip: Option<String>,
    email: &str,
    password: String,
) -> ApiResult<SignedIn> {
    let ip = ip.unwrap_or_default();
    let throttle = &state.throttle;
    let key = format!("owner:{}", email.trim().to_lowercase());
    throttle.admit_sign_in(&key, &ip)?;
    let on_verdict = |ok: bool| throttle.record(&key, &ip, ok);
    Ok(platform_users::login(
        &state.platform,
        &state.password_checks,
        email,
        password,
        &ip,
        on_verdict,
    )
    .await?)
}
