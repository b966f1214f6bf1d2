//! The principal of an owner request: a live platform session of an `OWNER` or a
//! `COMPANY_ADMIN`, on the platform host.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use smartdmv_store::owner::platform_user;

use super::token::{self, Source};
use crate::error::ApiError;
use crate::extract::{client_ip, header};
use crate::state::AppState;

pub use smartdmv_platform::service::{PlatformPrincipal, PlatformRole};

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
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
        let (tok, source) = token::credential(parts, token::OWNER_COOKIE)
            .ok_or_else(|| unauthenticated("sign in first: POST /api/owner/auth/login"))?;
        if !tok.starts_with("o.") {
            return Err(unauthenticated("not a platform session token"));
        }
        if source == Source::Cookie && !token::same_origin(parts) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "cross-site request refused: send it from the application's own pages",
            ));
        }
        let db = state.platform.owner.conn();
        let session =
            platform_user::find_live_session(db, &token::hash(&tok), smartdmv_store::now())
                .await?
                .ok_or_else(|| unauthenticated("the session has expired or was signed out"))?;
        let user = platform_user::find(db, session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or_else(|| unauthenticated("the session's user is no longer active"))?;
        let role = PlatformRole::parse(&user.role)
            .ok_or_else(|| unauthenticated("the user has no platform role"))?;
        Ok(Self {
            user,
            role,
            session,
            ip: client_ip(parts),
        })
    }
}
