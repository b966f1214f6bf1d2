//! `POST /api/owner/auth/change-password`: a platform user changes their own password; their
//! other sessions are signed out and the change is in the owner audit log.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use smartdmv_domain::password::check_new_password;
use smartdmv_platform::{Actor, PlatformError, work};
use smartdmv_store::owner::platform_user;

use super::auth::{ChangePasswordBody, hash_on_blocking, verify_on_blocking};
use crate::auth::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/owner/auth/change-password", post(change_password))
}

/// `POST /api/owner/auth/change-password` `{currentPassword, newPassword}`: 204.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    p: PlatformPrincipal,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> ApiResult<StatusCode> {
    if !verify_on_blocking(
        &state.password_checks,
        body.current_password,
        Some(p.user.password_hash.clone()),
    )
    .await
    {
        return Err(ApiError::invalid_field("currentPassword", "is not correct"));
    }
    if let Err(e) = check_new_password(&body.new_password) {
        return Err(ApiError::invalid_field("newPassword", e.to_string()));
    }
    let hash = hash_on_blocking(body.new_password).await?;
    let actor = Actor {
        label: p.user.email.clone(),
        ip: p.ip.clone(),
    };
    let (user, session) = (p.user.id, p.session.id);
    work::write::<_, PlatformError, _, _>(state.platform.owner.conn(), &actor, |w| async move {
        platform_user::set_password(w.tx(), user, &hash).await?;
        platform_user::revoke_other_sessions(w.tx(), user, session).await?;
        w.audit("platform.change_password", None, serde_json::json!({}))
            .await
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
