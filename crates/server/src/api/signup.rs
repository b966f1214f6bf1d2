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
use serde::{Deserialize, Serialize};
use smartdmv_platform::signup::{self, Signup};
use smartdmv_store::tenant::{audit, user};
use smartdmv_tenancy::TenantContext;

use super::auth::{SESSION_HOURS, login_response, rfc3339, start_session};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, ClientIp, Tenant};
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
pub struct SignupBody {
    pub company_name: String,
    pub subdomain: String,
    pub email: String,
    pub name: String,
    pub password: String,
    /// A plan id.
    pub plan: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupOut {
    pub company_id: String,
    pub subdomain: String,
    /// The company's address: where the new administrator works.
    pub url: String,
    pub status: String,
    pub plan: Option<String>,
    pub email_verified: bool,
    pub handoff: HandoffOut,
}

/// A one-time login: `POST {redeemUrl}` with `{"token": ...}` on the company's host before
/// `expiresAt` answers like a sign-in and sets the session cookie.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffOut {
    pub token: String,
    pub redeem_url: String,
    pub expires_at: String,
}

/// `POST /api/signup`
pub(crate) async fn sign_up(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(b): ApiJson<SignupBody>,
) -> ApiResult<(StatusCode, Json<SignupOut>)> {
    if !s.is_platform_host(header(&headers, "host")) {
        return Err(ApiError::not_found("route"));
    }
    let addr = ip.clone().unwrap_or_default();
    if let Err(wait) = s.signups.check("all", &addr) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_signups",
            "too many sign-ups from here; try again later",
        )
        .with_retry_after(wait));
    }
    let form = Signup {
        company_name: b.company_name,
        subdomain: b.subdomain,
        email: b.email,
        name: b.name,
        password: b.password,
        plan: b.plan,
    };
    let links = s.clone();
    let result = signup::sign_up(&s.platform, form, ip, move |sub, token| {
        format!("{}/signup/verify?token={token}", links.company_url(sub))
    })
    .await;
    // Every attempt that got past validation counts against the address.
    if !matches!(&result, Err(smartdmv_platform::PlatformError::Invalid(_))) {
        s.signups.record_failure("all", &addr);
    }
    let done = result?;
    let c = &done.company;
    if !s.cookie_secure() {
        tracing::info!(
            to = %c.contact_email,
            link = %done.verification_link,
            "verification email queued in the outbox (development: not delivered)"
        );
    }
    let url = s.company_url(&c.subdomain);
    Ok((
        StatusCode::CREATED,
        Json(SignupOut {
            company_id: c.id.to_string(),
            subdomain: c.subdomain.clone(),
            status: c.status.clone(),
            plan: c.plan.clone(),
            email_verified: false,
            handoff: HandoffOut {
                token: done.handoff_token,
                redeem_url: format!("{url}/api/auth/handoff"),
                expires_at: rfc3339(done.handoff_expires_at),
            },
            url,
        }),
    ))
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

#[derive(Debug, Deserialize)]
pub struct VerifyParams {
    pub token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedOut {
    pub company_id: String,
    pub email: String,
    pub email_verified: bool,
}

/// `GET`/`POST /api/signup/verify?token=...`
pub(crate) async fn verify(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<VerifyParams>,
) -> ApiResult<Json<VerifiedOut>> {
    let token = q
        .token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("invalid_query", "token is required"))?;
    let resolution = s
        .platform
        .resolver
        .resolve(header(&headers, "host"), header(&headers, "x-company-id"))
        .await?;
    let on_host_of = match resolution.tenant {
        TenantContext::Company(c) => Some(c.id),
        TenantContext::None => None,
    };
    let c = signup::verify_email(&s.platform, &token, on_host_of).await?;
    Ok(Json(VerifiedOut {
        company_id: c.id.to_string(),
        email: c.settings[smartdmv_tenancy::resolve::SIGNUP_SETTINGS]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        email_verified: true,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffBody {
    pub token: String,
}

/// `POST /api/auth/handoff`: redeems a sign-up's one-time login on the company's host.
pub(crate) async fn handoff(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    tenant: Tenant,
    ApiJson(b): ApiJson<HandoffBody>,
) -> ApiResult<Response> {
    let email = signup::redeem_handoff(&s.platform, tenant.company.id, &b.token).await?;
    let db = tenant.db();
    let u = user::find_by_email(db, &email)
        .await
        .map_err(|e| tenant.db_error(e))?
        .filter(|u| u.active && u.invitation_hash.is_none())
        .ok_or_else(|| ApiError::not_found("hand-off"))?;
    let (tok, session) = start_session(&s, &tenant, &u, None, false, SESSION_HOURS * 60).await?;
    audit::append(
        db,
        audit::Entry {
            actor_id: Some(u.id),
            actor: &u.email,
            action: "login",
            entity: "session",
            entity_id: Some(session.id.into()),
            practice_id: u.practice_id,
            before: None,
            after: Some(serde_json::json!({"via": "sign-up hand-off"})),
            ip,
        },
    )
    .await
    .map_err(|e| tenant.db_error(e))?;
    Ok(login_response(&s, tok, &session, &u, StatusCode::OK))
}
