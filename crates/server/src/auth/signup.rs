//! Self-service sign-up at the edge, shared by the JSON API (`/api/signup`,
//! `/api/auth/handoff`) and the sign-up pages: the throttle of sign-ups by address around the
//! owner service's sign-up, and redeeming a sign-up's one-time hand-off into a session of
//! the new administrator on the company's host.

use axum::http::StatusCode;
use smartdmv_platform::PlatformError;
use smartdmv_platform::service::signup as svc;
use smartdmv_platform::service::views::SignupOut;
use smartdmv_platform::signup::Signup;
use smartdmv_practice::account::{SignedIn, open_login};
use smartdmv_store::tenant::user;

use crate::error::{ApiError, ApiResult};
use crate::extract::Tenant;
use crate::state::AppState;

/// Signs a company up from the address `ip`: 429 `too_many_signups` while the address (or
/// the platform as a whole) is throttled; every attempt that gets past validation counts.
pub async fn sign_up(state: &AppState, ip: Option<String>, form: Signup) -> ApiResult<SignupOut> {
    let addr = ip.clone().unwrap_or_default();
    if let Err(wait) = state.signups.check("all", &addr) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_signups",
            "too many sign-ups from here; try again later",
        )
        .with_retry_after(wait));
    }
    let result = svc::sign_up(&state.platform, &state.links, form, ip).await;
    if !matches!(&result, Err(PlatformError::Invalid(_))) {
        state.signups.record_failure("all", &addr);
    }
    Ok(result?)
}

/// Redeems a sign-up's hand-off on its company's host: a session of the administrator it
/// names (active, not merely invited), with a `login` in the company's audit log. Unknown,
/// used, expired and other companies' hand-offs are all 404.
pub async fn redeem_handoff(
    state: &AppState,
    ip: Option<String>,
    tenant: &Tenant,
    token: &str,
) -> ApiResult<SignedIn> {
    let email = svc::redeem_handoff(&state.platform, tenant.company.id, token).await?;
    let db = tenant.db();
    let u = user::find_by_email(db, &email)
        .await
        .map_err(|e| tenant.db_error(e))?
        .filter(|u| u.active && u.invitation_hash.is_none())
        .ok_or_else(|| ApiError::not_found("hand-off"))?;
    let after = serde_json::json!({"via": "sign-up hand-off"});
    Ok(open_login(tenant, u, ip, Some(after)).await?)
}
