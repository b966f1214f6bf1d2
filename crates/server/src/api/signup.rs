//! Self-service sign-up. `POST /api/signup` (platform host, public, throttled) creates a
//! company on a trial of a plan with its first administrator and answers the company's
//! address and a one-time login hand-off; `POST /api/auth/handoff` on the company's host
//! redeems it for a session. `GET`/`POST /api/signup/verify?token=` (any host; on a company
//! host only that company's tokens) verifies the address, once. The verification message
//! links to the page `/signup/verify?token=` on the company's host, which asks the reader to
//! confirm (a POST), so that a mail scanner fetching the link does not use the token up.
//!
//! An unverified administrator can sign in and work (`/api/auth/me` says
//! `emailVerified: false`, for a banner) but cannot add or invite users until verified.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_platform::service::signup as svc;
use smartdmv_platform::service::views::{SignupOut, VerifiedOut};
use smartdmv_platform::signup::Signup;

use super::auth::login_response;
use crate::api::{created, platform_host_only};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, ClientIp, Tenant, header};
use crate::state::AppState;

/// Routes on the platform host (and, for verification links, any host).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/signup", post(sign_up))
        .route("/api/signup/verify", post(verify).get(verify))
}

/// Routes on a company's host.
pub fn tenant_routes() -> super::Routes {
    super::Routes::new().post("/api/auth/handoff", handoff)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignupBody {
    company_name: String,
    subdomain: String,
    email: String,
    name: String,
    password: String,
    /// A plan id.
    plan: String,
}

/// `POST /api/signup`
async fn sign_up(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SignupBody>,
) -> ApiResult<(StatusCode, Json<SignupOut>)> {
    platform_host_only(&s, &headers)?;
    let form = Signup {
        company_name: b.company_name,
        subdomain: b.subdomain,
        email: b.email,
        name: b.name,
        password: b.password,
        plan: b.plan,
    };
    let out = crate::auth::signup::sign_up(&s, ip, form).await?;
    created(out)
}

#[derive(Debug, Deserialize)]
struct VerifyParams {
    token: Option<String>,
}

/// `GET`/`POST /api/signup/verify?token=...`
async fn verify(
    State(s): State<AppState>,
    parts: axum::http::request::Parts,
    ApiQuery(q): ApiQuery<VerifyParams>,
) -> ApiResult<Json<VerifiedOut>> {
    let v = svc::verify(
        &s.platform,
        q.token.as_deref(),
        header(&parts, "host"),
        header(&parts, "x-company-id"),
    )
    .await?;
    Ok(Json(v))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HandoffBody {
    token: String,
}

/// `POST /api/auth/handoff`: redeems a sign-up's one-time login on the company's host.
async fn handoff(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    tenant: Tenant,
    ApiJson(b): ApiJson<HandoffBody>,
) -> ApiResult<Response> {
    let signed_in = crate::auth::signup::redeem_handoff(&s, ip, &tenant, &b.token).await?;
    Ok(login_response(
        &s,
        signed_in.token,
        &signed_in.session,
        &signed_in.user,
        StatusCode::OK,
    ))
}
