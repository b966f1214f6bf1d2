//! The platform's side of authentication at the edge: the principal of an owner request (a
//! live platform session of an `OWNER` or a `COMPANY_ADMIN`, on the platform host), and the
//! platform sign-in shared by `POST /api/owner/auth/login` and the sign-in page: throttling by
//! account and address around the service's credential check, and the session cookie.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use smartdmv_platform::service::Cx;
use smartdmv_platform::service::platform_users::{self, SESSION_HOURS, SignedIn};

use super::token::{self, OWNER_COOKIE, Source};
use crate::error::{ApiError, ApiResult};
use crate::extract::{client_ip, header};
use crate::state::AppState;

pub use smartdmv_platform::service::{PlatformPrincipal, PlatformRole};

/// An owner-API call: the application and the platform principal, which together give the
/// owner services their context ([`OwnerCall::cx`]). Refused exactly as [`PlatformPrincipal`].
pub struct OwnerCall {
    state: AppState,
    principal: PlatformPrincipal,
}

impl OwnerCall {
    /// The context of the owner service call.
    pub fn cx(&self) -> Cx<'_> {
        self.state.owner(&self.principal)
    }
}

impl FromRequestParts<AppState> for OwnerCall {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = PlatformPrincipal::from_request_parts(parts, state).await?;
        Ok(Self {
            state: state.clone(),
            principal,
        })
    }
}

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
    let key = format!("owner:{}", email.trim().to_lowercase());
    let attempt = state.throttle.sign_in_attempt(key, ip)?;
    Ok(platform_users::login(
        &state.platform,
        &state.password_checks,
        email,
        password,
        &attempt.address,
        |ok| attempt.verdict(ok),
    )
    .await?)
}
