//! `POST /api/owner/auth/change-password`: a platform user changes their own password; their
//! other sessions are signed out and the change is in the owner audit log.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use smartdmv_platform::service::platform_users;

use super::auth::ChangePasswordBody;
use crate::auth::PlatformPrincipal;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/owner/auth/change-password", post(change_password))
}

/// `POST /api/owner/auth/change-password` `{currentPassword, newPassword}`: 204.
async fn change_password(
    State(state): State<AppState>,
    p: PlatformPrincipal,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> ApiResult<StatusCode> {
    platform_users::change_password(
        &state.owner(&p),
        &state.password_checks,
        body.current_password,
        body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
