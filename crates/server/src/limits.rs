//! Plan limits on the tenant API. One middleware around every tenant route counts the call
//! (in memory, see `smartdmv_platform::usage::UsageMeter`) and refuses it with 402
//! `plan_limit_reached` when the month's API calls are used up, or when it would create
//! records while the company's recorded storage is at or over its limit. Seats (`maxUsers`)
//! and practices (`maxPractices`) are checked by the handlers that add them, since only they
//! know whether a write adds one.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use smartdmv_domain::usage::{Limit, exhausted};
use smartdmv_platform::usage::CallVerdict;

use crate::auth::{TenantPrincipal, token};
use crate::error::{ApiError, ApiResult};
use crate::extract::resolve_company;
use crate::state::AppState;

/// 402 `plan_limit_reached` naming the limit and its value.
pub fn plan_limit_reached(limit: Limit, max: u64, detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::PAYMENT_REQUIRED, "plan_limit_reached", detail)
        .with("limit", serde_json::json!(limit.as_str()))
        .with("max", serde_json::json!(max))
}

/// Tenant `POST` routes that create no records (signing in and out, status changes), so they
/// keep working when storage is full. Every other `POST` creates something.
pub const POSTS_THAT_CREATE_NOTHING: &[&str] = &[
    "/api/auth/login",
    "/api/auth/logout",
    "/api/auth/change-password",
    "/api/auth/accept-invitation",
    "/api/auth/handoff",
    "/api/appointments/{id}/status",
    "/api/appointments/{id}/cancel",
];

/// Whether a request to a tenant route may create records.
pub fn creates_records(method: &Method, route: &str) -> bool {
    method == Method::POST && !POSTS_THAT_CREATE_NOTHING.contains(&route)
}

/// Counts a tenant API call and enforces `apiCallsPerMonth` and `storageBytes`.
///
/// A call counts when it carries credentials (a bearer token or the session cookie) that
/// are not refused (401): the calls of the company's users and integrations. Calls without
/// credentials (sign-in, the public profile) are not counted, so nobody outside the company
/// can use up its allowance; once it is used up every call is refused, those included. A
/// request whose company cannot be resolved passes through untouched: its handler answers
/// the resolution error.
pub async fn meter_tenant_calls(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(company) = resolve_company(&parts, &state).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let p = &state.platform;
    let limits = &company.limits;
    let credentialed = token::credential(&parts, token::TENANT_COOKIE).is_some();
    if let CallVerdict::OverLimit { max } = p
        .usage
        .record_call(
            &p.owner,
            company.id,
            limits.api_calls_per_month,
            credentialed,
        )
        .await
    {
        return plan_limit_reached(
            Limit::ApiCallsPerMonth,
            max,
            format!("the company's plan allows {max} API calls a month; they are used up"),
        )
        .into_response();
    }
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or_default();
    if let Some(max) = limits.storage_bytes
        && creates_records(&parts.method, route)
        && exhausted(Some(max), p.usage.storage(company.id).unwrap_or(0))
    {
        if credentialed {
            p.usage.refund(company.id);
        }
        return plan_limit_reached(
            Limit::StorageBytes,
            max,
            format!(
                "the company's plan allows {max} bytes of storage and they are used; \
                 records can be read but no new ones created"
            ),
        )
        .into_response();
    }
    let resp = next.run(Request::from_parts(parts, body)).await;
    if credentialed && resp.status() == StatusCode::UNAUTHORIZED {
        p.usage.refund(company.id);
    }
    resp
}

/// 402 when the company has no free seat for one more active staff user (`maxUsers`).
pub async fn check_user_seat(p: &TenantPrincipal) -> ApiResult<()> {
    Ok(smartdmv_practice::users::grants::require_user_seat(p).await?)
}

/// 403 `email_unverified` until the address a company signed up with is verified: an
/// unverified administrator may work in the company but not invite or add users.
pub fn check_email_verified(p: &TenantPrincipal) -> ApiResult<()> {
    Ok(smartdmv_practice::users::grants::require_email_verified(p)?)
}
