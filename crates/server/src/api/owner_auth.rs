//! `/api/owner/auth/*` and `/api/owner/users`: platform users sign in and out; owners manage
//! platform users and impersonate company users (audited in both logs).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use smartdmv_domain::CompanyId;
use smartdmv_domain::password::check_new_password;
use smartdmv_store::owner::{audit as owner_audit, company, platform_user};
use smartdmv_store::tenant::{audit, user};
use uuid::Uuid;

use super::Page;
use super::auth::{hash_on_blocking, rfc3339, start_session, verify_on_blocking};
use crate::auth::PlatformPrincipal;
use crate::auth::owner::PlatformRole;
use crate::auth::token::{self, OWNER_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ClientIp, Tenant};
use crate::state::AppState;

/// How long a platform session lasts.
pub const OWNER_SESSION_HOURS: i64 = 8;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/auth/login", post(login))
        .route("/api/owner/auth/logout", post(logout))
        .route("/api/owner/auth/me", get(me))
        .route("/api/owner/users", get(list_users).post(create_user))
        .route("/api/owner/companies/{id}/impersonate", post(impersonate))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformUserOut {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub company_id: Option<String>,
    pub active: bool,
}

impl From<&platform_user::Model> for PlatformUserOut {
    fn from(u: &platform_user::Model) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.clone(),
            company_id: u.company_id.map(|c| c.to_string()),
            active: u.active,
        }
    }
}

/// Why a platform user cannot be created.
#[derive(Debug)]
pub enum NewPlatformUserError {
    Invalid(Vec<(String, String)>),
    Taken,
    Other(String),
}

impl From<NewPlatformUserError> for ApiError {
    fn from(e: NewPlatformUserError) -> Self {
        match e {
            NewPlatformUserError::Invalid(f) => ApiError::validation(f),
            NewPlatformUserError::Taken => ApiError::new(
                StatusCode::CONFLICT,
                "email_taken",
                "a platform user with this email exists",
            ),
            NewPlatformUserError::Other(m) => ApiError::internal(m),
        }
    }
}

impl std::fmt::Display for NewPlatformUserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(fields) => {
                let parts: Vec<String> = fields.iter().map(|(k, v)| format!("{k} {v}")).collect();
                write!(f, "{}", parts.join("; "))
            }
            Self::Taken => f.write_str("a platform user with this email exists"),
            Self::Other(m) => f.write_str(m),
        }
    }
}

/// Creates a platform user (API and CLI share this).
pub async fn create_platform_user(
    db: &smartdmv_store::OwnerConnection,
    email: &str,
    name: &str,
    password: String,
    role: &str,
    company_id: Option<Uuid>,
) -> Result<platform_user::Model, NewPlatformUserError> {
    let email = email.trim().to_lowercase();
    let mut errs = Vec::new();
    if !smartdmv_domain::text::is_plausible_email(&email) {
        errs.push(("email".to_owned(), "must be an email address".to_owned()));
    }
    if name.trim().is_empty() || name.trim().chars().count() > 200 {
        errs.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    if let Err(e) = check_new_password(&password) {
        errs.push(("password".into(), e.to_string()));
    }
    match (PlatformRole::parse(role), company_id) {
        (None, _) => errs.push(("role".into(), "must be OWNER or COMPANY_ADMIN".into())),
        (Some(PlatformRole::Owner), Some(_)) => errs.push((
            "companyId".into(),
            "an OWNER is not bound to a company".into(),
        )),
        (Some(PlatformRole::CompanyAdmin), None) => {
            errs.push(("companyId".into(), "a COMPANY_ADMIN needs a company".into()))
        }
        (Some(PlatformRole::CompanyAdmin), Some(c)) => {
            match company::find(db, CompanyId(c)).await {
                Ok(Some(_)) => {}
                Ok(None) => errs.push(("companyId".into(), "no such company".into())),
                Err(e) => return Err(NewPlatformUserError::Other(e.to_string())),
            }
        }
        (Some(PlatformRole::Owner), None) => {}
    }
    if !errs.is_empty() {
        return Err(NewPlatformUserError::Invalid(errs));
    }
    let hash = hash_on_blocking(password)
        .await
        .map_err(|e| NewPlatformUserError::Other(e.detail))?;
    let now = smartdmv_store::now();
    let saved = platform_user::insert(
        db,
        platform_user::Model {
            id: Uuid::now_v7(),
            email: email.clone(),
            name: name.trim().to_owned(),
            password_hash: hash,
            role: role.to_owned(),
            company_id,
            active: true,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        smartdmv_store::StoreError::Conflict(_) => NewPlatformUserError::Taken,
        other => NewPlatformUserError::Other(other.to_string()),
    })?;
    let _ = owner_audit::append(
        db,
        owner_audit::Entry {
            actor: "system",
            action: "platform_user.create",
            company: company_id.map(CompanyId),
            detail: serde_json::json!({"email": email, "role": role}),
            ip: None,
        },
    )
    .await;
    Ok(saved)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// `POST /api/owner/auth/login`
pub(crate) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    if !state.is_platform_host(host) {
        return Err(ApiError::not_found("route"));
    }
    let email = body.email.trim().to_lowercase();
    let ip = ip.unwrap_or_default();
    let account = format!("owner:{email}");
    if let Err(wait) = state.throttle.check(&account, &ip) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed sign-in attempts; wait before trying again",
        )
        .with_retry_after(wait));
    }
    let db = state.platform.owner.conn();
    let found = platform_user::find_by_email(db, &email).await?;
    let usable = found.as_ref().filter(|u| u.active);
    let ok = verify_on_blocking(
        &state.password_checks,
        body.password,
        usable.map(|u| u.password_hash.clone()),
    )
    .await;
    let Some(u) = usable.filter(|_| ok) else {
        state.throttle.record_failure(&account, &ip);
        owner_audit::append(
            db,
            owner_audit::Entry {
                actor: &email,
                action: "platform.login_failed",
                company: None,
                detail: serde_json::json!({}),
                ip: Some(ip),
            },
        )
        .await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            "the email or password is not correct",
        ));
    };
    state.throttle.record_success(&account);
    let tok = token::new_owner_token();
    let now = smartdmv_store::now();
    let s = platform_user::insert_session(
        db,
        platform_user::session::Model {
            id: Uuid::now_v7(),
            user_id: u.id,
            token_hash: token::hash(&tok),
            created_at: now,
            expires_at: now + time::Duration::hours(OWNER_SESSION_HOURS),
            revoked_at: None,
        },
    )
    .await?;
    owner_audit::append(
        db,
        owner_audit::Entry {
            actor: &u.email,
            action: "platform.login",
            company: u.company_id.map(CompanyId),
            detail: serde_json::json!({}),
            ip: Some(ip),
        },
    )
    .await?;
    let body = serde_json::json!({
        "token": tok,
        "expiresAt": rfc3339(s.expires_at),
        "user": PlatformUserOut::from(u),
    });
    let mut resp = (StatusCode::OK, Json(body)).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        token::set_cookie(
            OWNER_COOKIE,
            &tok,
            OWNER_SESSION_HOURS * 3600,
            state.cookie_secure(),
        ),
    );
    Ok(resp)
}

/// `POST /api/owner/auth/logout`
pub(crate) async fn logout(
    State(state): State<AppState>,
    p: PlatformPrincipal,
) -> ApiResult<Response> {
    let db = state.platform.owner.conn();
    platform_user::revoke_session(db, p.session.id).await?;
    owner_audit::append(
        db,
        owner_audit::Entry {
            actor: &p.user.email,
            action: "platform.logout",
            company: None,
            detail: serde_json::json!({}),
            ip: p.ip.clone(),
        },
    )
    .await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        token::clear_cookie(OWNER_COOKIE, state.cookie_secure()),
    );
    Ok(resp)
}

/// `GET /api/owner/auth/me`
pub(crate) async fn me(p: PlatformPrincipal) -> Json<PlatformUserOut> {
    Json(PlatformUserOut::from(&p.user))
}

/// `GET /api/owner/users` (OWNER)
pub(crate) async fn list_users(
    State(state): State<AppState>,
    p: PlatformPrincipal,
) -> ApiResult<Json<Page<PlatformUserOut>>> {
    p.require_owner()?;
    let users = platform_user::list(state.platform.owner.conn()).await?;
    Ok(Json(Page {
        items: users.iter().map(PlatformUserOut::from).collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUserBody {
    pub email: String,
    pub name: String,
    pub password: String,
    pub role: String,
    pub company_id: Option<Uuid>,
}

/// `POST /api/owner/users` (OWNER)
pub(crate) async fn create_user(
    State(state): State<AppState>,
    p: PlatformPrincipal,
    ApiJson(body): ApiJson<NewUserBody>,
) -> ApiResult<(StatusCode, Json<PlatformUserOut>)> {
    p.require_owner()?;
    let u = create_platform_user(
        state.platform.owner.conn(),
        &body.email,
        &body.name,
        body.password,
        &body.role,
        body.company_id,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(PlatformUserOut::from(&u))))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImpersonateBody {
    /// The company user to act as: by id or by email.
    pub user_id: Option<Uuid>,
    pub email: Option<String>,
    pub reason: String,
    /// Read-only unless asked otherwise.
    #[serde(default)]
    pub writable: bool,
    /// 1 to 60; default 15.
    pub minutes: Option<i64>,
}

/// `POST /api/owner/companies/{id}/impersonate` (OWNER): a short-lived session as one company
/// user, read-only unless `writable`, recorded in the owner and the company audit logs.
pub(crate) async fn impersonate(
    State(state): State<AppState>,
    p: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ImpersonateBody>,
) -> ApiResult<Response> {
    p.require_owner()?;
    let cid: CompanyId = id.parse().map_err(|_| ApiError::not_found("company"))?;
    let reason = body.reason.trim().to_owned();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        return Err(ApiError::invalid_field(
            "reason",
            "must say why, in 5 to 500 characters",
        ));
    }
    let minutes = body.minutes.unwrap_or(15);
    if !(1..=60).contains(&minutes) {
        return Err(ApiError::invalid_field(
            "minutes",
            "must be between 1 and 60",
        ));
    }
    let resolved = state.platform.resolver.by_id(cid).await?;
    let tenant = Tenant::acquire(&state.platform.registry, resolved).await?;
    let db = tenant.db();
    let target = match (body.user_id, body.email.as_deref()) {
        (Some(uid), _) => user::find(db, uid.into())
            .await
            .map_err(|e| tenant.db_error(e))?,
        (None, Some(e)) => user::find_by_email(db, &e.trim().to_lowercase())
            .await
            .map_err(|e| tenant.db_error(e))?,
        (None, None) => {
            return Err(ApiError::invalid_field(
                "userId",
                "name the user by userId or email",
            ));
        }
    }
    .filter(|u| u.active)
    .ok_or_else(|| ApiError::not_found("user"))?;
    let impersonator = format!("{}: {reason}", p.user.email);
    let (tok, s) = start_session(
        &state,
        &tenant,
        &target,
        Some(impersonator.clone()),
        !body.writable,
        minutes,
    )
    .await?;
    audit::append(
        db,
        audit::Entry {
            actor_id: None,
            actor: &format!("platform:{}", p.user.email),
            action: "impersonation_start",
            entity: "session",
            entity_id: Some(s.id.into()),
            practice_id: target.practice_id,
            before: None,
            after: Some(serde_json::json!({
                "user": target.email, "reason": reason, "readOnly": !body.writable, "minutes": minutes,
            })),
            ip: p.ip.clone(),
        },
    )
    .await
    .map_err(|e| tenant.db_error(e))?;
    owner_audit::append(
        state.platform.owner.conn(),
        owner_audit::Entry {
            actor: &p.user.email,
            action: "company.impersonate",
            company: Some(cid),
            detail: serde_json::json!({
                "user": target.email, "reason": reason, "readOnly": !body.writable,
                "minutes": minutes, "sessionId": s.id,
            }),
            ip: p.ip.clone(),
        },
    )
    .await?;
    let host = format!(
        "{}.{}",
        tenant.company.subdomain, state.platform.base_domain
    );
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "token": tok,
            "expiresAt": rfc3339(s.expires_at),
            "readOnly": s.read_only,
            "companyHost": host,
            "user": {"id": target.id, "email": target.email, "name": target.name, "role": target.role},
        })),
    )
        .into_response())
}
