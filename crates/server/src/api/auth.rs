//! `/api/auth/*`: company users sign in and out, see themselves, change their password,
//! accept an invitation, and (where a practice allows it) clients sign themselves up.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use smartdmv_domain::TenantRole;
use smartdmv_domain::password::{check_new_password, dummy_hash, hash_password, verify_password};
use smartdmv_domain::plan::Feature;
use smartdmv_store::tenant::{audit, client, client_contact, practice, session, user};
use uuid::Uuid;

use crate::auth::TenantPrincipal;
use crate::auth::feature::{Featured, feat, feature_not_in_plan};
use crate::auth::tenant::is_portal_user;
use crate::auth::token::{self, TENANT_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ClientIp, Tenant};
use crate::state::AppState;

/// How long a company session lasts.
pub const SESSION_HOURS: i64 = 12;

pub fn routes() -> super::Routes {
    super::Routes::new()
        .post("/api/auth/login", login)
        .post("/api/auth/logout", logout)
        .get("/api/auth/me", me)
        .post("/api/auth/change-password", change_password)
        .post("/api/auth/register", register)
        .post("/api/auth/accept-invitation", accept_invitation)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// A user as they see themselves.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeOut {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub roles: Vec<String>,
    pub practice_id: Option<String>,
    pub practice_ids: Vec<String>,
    pub permissions: Vec<String>,
    pub company_id: String,
    pub impersonated_by: Option<String>,
    pub read_only: bool,
    /// `false` while the address the company signed up with awaits verification: the pages
    /// show a banner, and adding users waits for it.
    pub email_verified: bool,
    /// The features of the company's plan (with its overrides).
    pub features: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginOut {
    pub token: String,
    pub expires_at: String,
    pub user: LoginUser,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub practice_id: Option<String>,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the email or password is not correct",
    )
}

/// Checks a password against a stored hash, or against a dummy hash when there is no user,
/// so both paths cost one argon2 verification (counted in `checks`).
pub async fn verify_on_blocking(
    checks: &std::sync::atomic::AtomicU64,
    password: String,
    hash: Option<String>,
) -> bool {
    checks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let exists = hash.is_some();
    let ok = tokio::task::spawn_blocking(move || {
        let h = hash.unwrap_or_else(|| dummy_hash().to_owned());
        verify_password(&password, &h)
    })
    .await
    .unwrap_or(false);
    ok && exists
}

pub async fn hash_on_blocking(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Opens a session for a user and answers like a login: token, expiry, user, cookie.
pub async fn start_session(
    state: &AppState,
    tenant: &Tenant,
    u: &user::Model,
    impersonator: Option<String>,
    read_only: bool,
    minutes: i64,
) -> Result<(String, session::Model), ApiError> {
    let tok = token::new_tenant_token(tenant.company.id);
    let now = smartdmv_store::now();
    let s = session::insert(
        tenant.db(),
        session::Model {
            id: Uuid::now_v7(),
            user_id: u.id,
            token_hash: token::hash(&tok),
            created_at: now,
            expires_at: now + time::Duration::minutes(minutes),
            revoked_at: None,
            impersonator,
            read_only,
        },
    )
    .await
    .map_err(|e| tenant.db_error(e))?;
    let _ = state;
    Ok((tok, s))
}

pub(crate) fn login_response(
    state: &AppState,
    tok: String,
    s: &session::Model,
    u: &user::Model,
    status: StatusCode,
) -> Response {
    let body = LoginOut {
        token: tok.clone(),
        expires_at: rfc3339(s.expires_at),
        user: LoginUser {
            id: u.id.to_string(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.clone(),
            practice_id: u.practice_id.map(|p| p.to_string()),
        },
    };
    let mut resp = (status, Json(body)).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        token::set_cookie(
            TENANT_COOKIE,
            &tok,
            SESSION_HOURS * 3600,
            state.cookie_secure(),
        ),
    );
    resp
}

/// `POST /api/auth/login`
pub(crate) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    tenant: Tenant,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Response> {
    let email = body.email.trim().to_lowercase();
    let ip = ip.unwrap_or_default();
    let account = format!("{}:{email}", tenant.company.id);
    if let Err(wait) = state.throttle.check(&account, &ip) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "too many failed sign-in attempts; wait before trying again",
        )
        .with_retry_after(wait));
    }
    let found = user::find_by_email(tenant.db(), &email)
        .await
        .map_err(|e| tenant.db_error(e))?;
    let usable = found
        .as_ref()
        .filter(|u| u.active && u.invitation_hash.is_none());
    let ok = verify_on_blocking(
        &state.password_checks,
        body.password,
        usable.map(|u| u.password_hash.clone()),
    )
    .await;
    let db = tenant.db();
    let Some(u) = usable.filter(|_| ok) else {
        state.throttle.record_failure(&account, &ip);
        audit::append(
            db,
            audit::Entry {
                actor_id: found.as_ref().map(|u| u.id),
                actor: &email,
                action: "login_failed",
                entity: "session",
                entity_id: None,
                practice_id: None,
                before: None,
                after: None,
                ip: Some(ip),
            },
        )
        .await
        .map_err(|e| tenant.db_error(e))?;
        return Err(invalid_credentials());
    };
    state.throttle.record_success(&account);
    refuse_portal_without_feature(&tenant, u).await?;
    let (tok, s) = start_session(&state, &tenant, u, None, false, SESSION_HOURS * 60).await?;
    audit::append(
        db,
        audit::Entry {
            actor_id: Some(u.id),
            actor: &u.email,
            action: "login",
            entity: "session",
            entity_id: Some(s.id),
            practice_id: u.practice_id,
            before: None,
            after: None,
            ip: Some(ip),
        },
    )
    .await
    .map_err(|e| tenant.db_error(e))?;
    Ok(login_response(&state, tok, &s, u, StatusCode::OK))
}

/// 403 `feature_not_in_plan` for a portal user (`CLIENT`) of a company whose plan has no
/// client portal.
async fn refuse_portal_without_feature(tenant: &Tenant, u: &user::Model) -> ApiResult<()> {
    if tenant.company.has_feature(Feature::ClientPortal) {
        return Ok(());
    }
    if is_portal_user(tenant.db(), u)
        .await
        .map_err(|e| tenant.db_error(e))?
    {
        return Err(feature_not_in_plan(Feature::ClientPortal));
    }
    Ok(())
}

/// `POST /api/auth/logout`: revokes the session for good.
pub(crate) async fn logout(
    State(state): State<AppState>,
    p: TenantPrincipal,
) -> ApiResult<Response> {
    session::revoke(p.db(), p.session.id)
        .await
        .map_err(|e| p.db_error(e))?;
    audit::append(
        p.db(),
        audit::Entry {
            actor_id: Some(p.user.id),
            actor: &p.actor_label(),
            action: "logout",
            entity: "session",
            entity_id: Some(p.session.id),
            practice_id: p.user.practice_id,
            before: None,
            after: None,
            ip: p.ip.clone(),
        },
    )
    .await
    .map_err(|e| p.db_error(e))?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        token::clear_cookie(TENANT_COOKIE, state.cookie_secure()),
    );
    Ok(resp)
}

pub fn me_out(p: &TenantPrincipal) -> MeOut {
    MeOut {
        id: p.user.id.to_string(),
        email: p.user.email.clone(),
        name: p.user.name.clone(),
        role: p.user.role.clone(),
        roles: p
            .roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .chain(p.custom_roles.iter().map(|id| format!("custom:{id}")))
            .collect(),
        practice_id: p.user.practice_id.map(|x| x.to_string()),
        practice_ids: p.practices.iter().map(Uuid::to_string).collect(),
        permissions: p
            .access
            .effective(crate::auth::tenant::now_unix())
            .iter()
            .map(ToString::to_string)
            .collect(),
        company_id: p.tenant.company.id.to_string(),
        impersonated_by: p.session.impersonator.clone(),
        read_only: p.session.read_only,
        email_verified: p.tenant.company.email_verified,
        features: Feature::ALL
            .into_iter()
            .filter(|f| p.tenant.company.has_feature(*f))
            .map(|f| f.as_str().to_owned())
            .collect(),
    }
}

/// `GET /api/auth/me`
pub(crate) async fn me(p: TenantPrincipal) -> Json<MeOut> {
    Json(me_out(&p))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangePasswordBody {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/auth/change-password`: every other session of the user is revoked.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    p: TenantPrincipal,
    ApiJson(body): ApiJson<ChangePasswordBody>,
) -> ApiResult<StatusCode> {
    if p.session.impersonator.is_some() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "an impersonation session cannot change the user's password",
        ));
    }
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
    let db = p.db();
    let result = async {
        let txn = db.begin().await?;
        let mut u = p.user.clone();
        u.password_hash = hash;
        user::update(&txn, u).await.map_err(store_db)?;
        session::revoke_all_for_user(&txn, p.user.id, Some(p.session.id)).await?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(p.user.id),
                actor: &p.actor_label(),
                action: "change_password",
                entity: "user",
                entity_id: Some(p.user.id),
                practice_id: p.user.practice_id,
                before: None,
                after: None,
                ip: p.ip.clone(),
            },
        )
        .await?;
        txn.commit().await
    }
    .await;
    result.map_err(|e| p.db_error(e))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A store error as a database error, for use inside one transaction.
pub fn store_db(e: smartdmv_store::StoreError) -> sea_orm::DbErr {
    match e {
        smartdmv_store::StoreError::Db(e) => e,
        other => sea_orm::DbErr::Custom(other.to_string()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterBody {
    pub email: String,
    pub name: String,
    pub password: String,
    pub practice_id: Option<Uuid>,
}

/// `POST /api/auth/register`: a pet owner signs up as a `CLIENT` of a practice that allows
/// it; answers like a login.
pub(crate) async fn register(
    _: Featured<feat::ClientPortal>,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    tenant: Tenant,
    ApiJson(body): ApiJson<RegisterBody>,
) -> ApiResult<Response> {
    let db = tenant.db();
    let practices = practice::list(db).await.map_err(|e| tenant.db_error(e))?;
    let open = practices
        .iter()
        .find(|p| p.allow_client_signup && body.practice_id.is_none_or(|id| id == p.id));
    let Some(home) = open else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "signup_disabled",
            "this practice does not accept online sign-up",
        ));
    };
    let email = body.email.trim().to_lowercase();
    let mut errs = Vec::new();
    if !smartdmv_domain::text::is_plausible_email(&email) {
        errs.push(("email".to_owned(), "must be an email address".to_owned()));
    }
    let n = body.name.trim().chars().count();
    if n == 0 || n > 200 {
        errs.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    if let Err(e) = check_new_password(&body.password) {
        errs.push(("password".into(), e.to_string()));
    }
    if !errs.is_empty() {
        return Err(ApiError::validation(errs));
    }
    let hash = hash_on_blocking(body.password).await?;
    let now = smartdmv_store::now();
    let u = user::Model {
        id: Uuid::now_v7(),
        email: email.clone(),
        name: body.name.trim().to_owned(),
        password_hash: hash,
        role: TenantRole::Client.as_str().into(),
        practice_id: Some(home.id),
        active: true,
        created_at: now,
        updated_at: now,
        invitation_hash: None,
        invitation_expires_at: None,
    };
    let saved = async {
        let txn = db.begin().await?;
        let saved = user::insert(&txn, u).await.map_err(store_db)?;
        // The account is the portal login of a new client record, so the practice knows
        // who signed up and the client sees their pets once staff link them.
        let client = new_portal_client(&saved, home.id, now);
        let client_id = client.id;
        client::insert(&txn, client).await?;
        client_contact::insert(
            &txn,
            client_contact::Model {
                id: Uuid::now_v7(),
                client_id,
                kind: "email".into(),
                value: saved.email.clone(),
                normalized: saved.email.clone(),
                purpose: "home".into(),
                sms_consent: false,
                email_consent: true,
                is_primary: true,
                created_at: now,
            },
        )
        .await?;
        smartdmv_store::tenant::search::reindex_client(&txn, client_id).await?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(saved.id),
                actor: &saved.email,
                action: "create",
                entity: "client",
                entity_id: Some(client_id),
                practice_id: Some(home.id),
                before: None,
                after: Some(serde_json::json!({"userId": saved.id, "source": "self sign-up"})),
                ip: ip.clone(),
            },
        )
        .await?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: Some(saved.id),
                actor: &saved.email,
                action: "register",
                entity: "user",
                entity_id: Some(saved.id),
                practice_id: saved.practice_id,
                before: None,
                after: Some(serde_json::json!({"email": saved.email, "role": saved.role})),
                ip: ip.clone(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await;
    let saved = match saved {
        Ok(s) => s,
        Err(e)
            if e.to_string().contains("already exists")
                || smartdmv_store::is_unique_violation(&e) =>
        {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "email_taken",
                "an account with this email exists; sign in instead",
            ));
        }
        Err(e) => return Err(tenant.db_error(e).into()),
    };
    let (tok, s) = start_session(&state, &tenant, &saved, None, false, SESSION_HOURS * 60).await?;
    Ok(login_response(&state, tok, &s, &saved, StatusCode::CREATED))
}

/// The client record of a self-registered portal user: the name split into first and last
/// at its last word, the email as the primary contact, the sign-up practice as home.
fn new_portal_client(u: &user::Model, home: Uuid, now: time::OffsetDateTime) -> client::Model {
    let name = u.name.trim();
    let (first, last) = match name.rsplit_once(char::is_whitespace) {
        Some((f, l)) => (f.trim().to_owned(), l.to_owned()),
        None => (String::new(), name.to_owned()),
    };
    client::Model {
        id: Uuid::now_v7(),
        name_key: smartdmv_domain::text::person_key(&first, &last),
        first_name: first,
        last_name: last,
        email: Some(u.email.clone()),
        phone: None,
        address: None,
        home_practice_id: Some(home),
        balance_cents: 0,
        alerts: serde_json::json!([]),
        notes: None,
        user_id: Some(u.id),
        active: true,
        deactivated_at: None,
        created_at: now,
        updated_at: now,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    pub token: String,
    pub password: String,
}

/// `POST /api/auth/accept-invitation`: an invited user sets their password and is signed in.
pub(crate) async fn accept_invitation(
    State(state): State<AppState>,
    tenant: Tenant,
    ApiJson(body): ApiJson<AcceptInvitationBody>,
) -> ApiResult<Response> {
    let db = tenant.db();
    let found = user::find_by_invitation(db, &token::hash(&body.token))
        .await
        .map_err(|e| tenant.db_error(e))?
        .filter(|u| {
            u.invitation_expires_at
                .is_some_and(|t| t > smartdmv_store::now())
        })
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    refuse_portal_without_feature(&tenant, &found).await?;
    if let Err(e) = check_new_password(&body.password) {
        return Err(ApiError::invalid_field("password", e.to_string()));
    }
    let mut u = found;
    u.password_hash = hash_on_blocking(body.password).await?;
    u.invitation_hash = None;
    u.invitation_expires_at = None;
    let u = user::update(db, u).await?;
    let (tok, s) = start_session(&state, &tenant, &u, None, false, SESSION_HOURS * 60).await?;
    Ok(login_response(&state, tok, &s, &u, StatusCode::OK))
}
