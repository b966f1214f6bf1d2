//! The account half of company sign-in: session tokens and passwords, opening a session,
//! signing in ([`signin`]), accepting an invitation, a pet owner's self-registration
//! ([`register`]), signing out, a user's view of themselves and changing their password.
//! Cookies, headers and throttling by address stay at the HTTP edge.

pub mod register;
pub mod signin;

use serde::Serialize;
use smartdmv_domain::password::check_new_password;
use smartdmv_domain::plan::Feature;
use smartdmv_domain::{CompanyId, PracticeId, SessionId, TenantRole};
use smartdmv_store::tenant::{session, user};
use std::sync::atomic::AtomicU64;

use crate::principal::now_unix;
use crate::users::stored;
use crate::work::Change;
use crate::{Refusal, ServiceError, ServiceResult, TenantPrincipal};

pub use register::{Registration, register};
pub use signin::{accept_invitation, invited, login, open_login};

/// How long a company session lasts.
pub const SESSION_HOURS: i64 = 12;

/// SHA-256 of a token, hex: only this is stored of session and invitation tokens.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 of some bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random URL-safe token of `bytes` random bytes.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A new company session token. It names its company (`t.<company>.<secret>`), so a token
/// presented to another company is refused before that company's database is touched.
pub fn new_session_token(company: CompanyId) -> String {
    format!("t.{}.{}", company.0.simple(), random_token(32))
}

/// An email address as accounts are keyed: trimmed and lowercase.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Hashes a password off the async threads (argon2 is slow on purpose).
pub async fn hash_password(password: String) -> ServiceResult<String> {
    smartdmv_tenancy::password::hash(password)
        .await
        .map_err(ServiceError::internal)
}

pub use smartdmv_tenancy::password::verify as verify_password;

/// 403 `feature_not_in_plan` with the feature named.
pub fn feature_not_in_plan(f: Feature) -> ServiceError {
    ServiceError::Forbidden(
        Refusal::new(
            "feature_not_in_plan",
            format!("the company's plan does not include {f}"),
        )
        .with("feature", serde_json::json!(f.as_str())),
    )
}

/// A session just opened, with its token (handed to the client once).
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub session: session::Model,
    pub user: user::Model,
}

/// Opens a session of `minutes` for a user; `impersonator` names the operator of an
/// impersonation session.
pub async fn open_session(
    db: &impl smartdmv_store::TenantConn,
    company: CompanyId,
    u: &user::Model,
    impersonator: Option<String>,
    read_only: bool,
    minutes: i64,
) -> ServiceResult<(String, session::Model)> {
    let tok = new_session_token(company);
    let now = smartdmv_store::now();
    let s = session::insert(
        db,
        session::Model {
            id: SessionId::new(),
            user_id: u.id,
            token_hash: token_hash(&tok),
            created_at: now,
            expires_at: now + jiff::SignedDuration::from_mins(minutes),
            revoked_at: None,
            impersonator,
            read_only,
        },
    )
    .await?;
    Ok((tok, s))
}

/// A user as they see themselves.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeOut {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: TenantRole,
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

/// The signed-in user as they see themselves: roles, practices, effective permissions and
/// the company's features.
pub fn me(cx: &TenantPrincipal) -> MeOut {
    let company = &cx.tenant.company;
    MeOut {
        id: cx.user.id.to_string(),
        email: cx.user.email.clone(),
        name: cx.user.name.clone(),
        role: cx.user.role,
        roles: cx
            .roles
            .iter()
            .map(|r| r.as_str().to_owned())
            .chain(cx.custom_roles.iter().map(|id| format!("custom:{id}")))
            .collect(),
        practice_id: cx.user.practice_id.map(|x| x.to_string()),
        practice_ids: cx.practices.iter().map(PracticeId::to_string).collect(),
        permissions: cx
            .access
            .effective(now_unix())
            .iter()
            .map(ToString::to_string)
            .collect(),
        company_id: company.id.to_string(),
        impersonated_by: cx.session.impersonator.clone(),
        read_only: cx.session.read_only,
        email_verified: company.email_verified,
        features: Feature::ALL
            .into_iter()
            .filter(|f| company.has_feature(*f))
            .map(|f| f.as_str().to_owned())
            .collect(),
    }
}

/// Revokes the caller's session for good.
pub async fn logout(cx: &TenantPrincipal) -> ServiceResult<()> {
    let (session_id, practice_id) = (cx.session.id, cx.user.practice_id);
    cx.write(|w| async move {
        session::revoke(w.tx(), session_id).await?;
        w.audit(Change {
            action: "logout",
            entity: "session",
            entity_id: Some(session_id.into()),
            practice_id,
            before: None,
            after: None,
        })
        .await
    })
    .await
}

/// Changes the caller's password given the current one; every other session of the user is
/// revoked. An impersonation session cannot.
pub async fn change_password(
    cx: &TenantPrincipal,
    checks: &AtomicU64,
    current_password: String,
    new_password: String,
) -> ServiceResult<()> {
    if cx.session.impersonator.is_some() {
        return Err(ServiceError::forbidden(
            "forbidden",
            "an impersonation session cannot change the user's password",
        ));
    }
    if !verify_password(
        checks,
        current_password,
        Some(cx.user.password_hash.clone()),
    )
    .await
    {
        return Err(ServiceError::invalid("currentPassword", "is not correct"));
    }
    if let Err(e) = check_new_password(&new_password) {
        return Err(ServiceError::invalid("newPassword", e.to_string()));
    }
    let hash = hash_password(new_password).await?;
    let mut u = cx.user.clone();
    u.password_hash = hash;
    let (user_id, session_id, practice_id) = (cx.user.id, cx.session.id, cx.user.practice_id);
    cx.write(|w| async move {
        user::update(w.tx(), u).await.map_err(stored)?;
        session::revoke_all_for_user(w.tx(), user_id, Some(session_id)).await?;
        w.audit(Change {
            action: "change_password",
            entity: "user",
            entity_id: Some(user_id.into()),
            practice_id,
            before: None,
            after: None,
        })
        .await
    })
    .await
}
