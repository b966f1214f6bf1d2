//! `/api/owner/auth/*` and `/api/owner/users`: platform users sign in and out; owners manage
//! platform users and impersonate company users (audited in both logs). The rules are
//! `smartdmv_platform::service::platform_users`' and `::impersonation`'.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::CompanyId;
use smartdmv_platform::service::impersonation::{Impersonated, Impersonation};
use smartdmv_platform::service::platform_users::{self as svc, NewPlatformUser};
use uuid::Uuid;

pub use smartdmv_platform::service::platform_users::create_platform_user;
pub use smartdmv_platform::service::views::PlatformUserOut;

use super::Page;
use crate::api::{created, platform_host_only};
use crate::auth::owner::{clear_session_cookie, session_cookie, sign_in};
use crate::auth::{OwnerCall, PlatformPrincipal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ClientIp, IdPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/auth/login", post(login))
        .route("/api/owner/auth/logout", post(logout))
        .route("/api/owner/auth/me", get(me))
        .route("/api/owner/users", get(list_users).post(create_user))
        .route("/api/owner/companies/{id}/impersonate", post(impersonate))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: String,
    password: String,
}

/// `POST /api/owner/auth/login`
async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    platform_host_only(&state, &headers)?;
    let signed_in = sign_in(&state, ip, &body.email, body.password).await?;
    let cookie = session_cookie(&state, &signed_in.token);
    let mut resp = (StatusCode::OK, Json(signed_in)).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(resp)
}

/// `POST /api/owner/auth/logout`
async fn logout(State(state): State<AppState>, p: PlatformPrincipal) -> ApiResult<Response> {
    svc::logout(&state.owner(&p)).await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, clear_session_cookie(&state));
    Ok(resp)
}

/// `GET /api/owner/auth/me`
async fn me(call: OwnerCall) -> Json<PlatformUserOut> {
    Json(svc::me(&call.cx()))
}

/// `GET /api/owner/users` (OWNER)
async fn list_users(call: OwnerCall) -> ApiResult<Json<Page<PlatformUserOut>>> {
    Ok(Json(svc::list(&call.cx()).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewUserBody {
    email: String,
    name: String,
    password: String,
    role: String,
    company_id: Option<CompanyId>,
}

/// `POST /api/owner/users` (OWNER)
async fn create_user(
    call: OwnerCall,
    ApiJson(body): ApiJson<NewUserBody>,
) -> ApiResult<(StatusCode, Json<PlatformUserOut>)> {
    let input = NewPlatformUser {
        email: body.email,
        name: body.name,
        password: body.password,
        role: body.role,
        company_id: body.company_id,
    };
    let u = svc::create(&call.cx(), input).await?;
    created(u)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ImpersonateBody {
    /// The company user to act as: by id or by email.
    user_id: Option<Uuid>,
    email: Option<String>,
    reason: String,
    /// Read-only unless asked otherwise.
    #[serde(default)]
    writable: bool,
    /// 1 to 60; default 15.
    minutes: Option<i64>,
}

/// `POST /api/owner/companies/{id}/impersonate` (OWNER): a short-lived session as one company
/// user, read-only unless `writable`, recorded in the owner and the company audit logs.
async fn impersonate(
    State(state): State<AppState>,
    p: PlatformPrincipal,
    IdPath(id): IdPath<CompanyId>,
    ApiJson(body): ApiJson<ImpersonateBody>,
) -> ApiResult<(StatusCode, Json<Impersonated>)> {
    let req = Impersonation {
        user_id: body.user_id,
        email: body.email,
        reason: body.reason,
        writable: body.writable,
        minutes: body.minutes,
    };
    let started = crate::auth::impersonation::start(&state, &p, id, req).await?;
    created(started)
}
