//! The platform's users (`OWNER`s and `COMPANY_ADMIN`s): signing in and out, the principal
//! of a session token, the list and a new user (`OWNER`), and changing one's own password.
//! Cookies, headers and throttling by address stay at the HTTP edge.

use smartdmv_domain::CompanyId;
use smartdmv_domain::ids::PlatformUserId;
use smartdmv_domain::password::check_new_password;
use smartdmv_store::OwnerConnection;
use smartdmv_store::owner::{company, platform_user};
use std::sync::atomic::AtomicU64;
use uuid::Uuid;

use super::views::PlatformUserOut;
use super::{Cx, Page, PlatformPrincipal, PlatformRole, rfc3339};
use crate::{Actor, ConflictAs, Platform, PlatformError, PlatformResult, password, token};

/// How long a platform session lasts.
pub const SESSION_HOURS: i64 = 8;

/// A new platform session token (`o.<secret>`); a company's tokens start with `t.`.
pub fn new_session_token() -> String {
    format!("o.{}", token::random())
}

/// A platform session just opened: the token (handed to the client once), when it expires and
/// who it is.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub token: String,
    pub expires_at: String,
    pub user: PlatformUserOut,
}

/// Checks an email and password and opens a platform session; 401 `invalid_credentials`
/// when either is wrong (an unknown email costs the same password check as a known one).
/// Every attempt is audited with the address `ip`. `on_verdict` is told whether the
/// credentials were correct as soon as that is known (the edge counts failures).
pub async fn login(
    p: &Platform,
    checks: &AtomicU64,
    email: &str,
    password: String,
    ip: &str,
    on_verdict: impl FnOnce(bool),
) -> PlatformResult<SignedIn> {
    let email = email.trim().to_lowercase();
    let db = p.owner.conn();
    let found = platform_user::find_by_email(db, &email).await?;
    let usable = found.filter(|u| u.active);
    let ok = password::verify(
        checks,
        password,
        usable.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let Some(u) = usable.filter(|_| ok) else {
        on_verdict(false);
        // One statement, nothing to roll back: the failure is kept even as the answer is 401.
        smartdmv_store::owner::audit::append(
            db,
            smartdmv_store::owner::audit::Entry {
                actor: &email,
                action: "platform.login_failed",
                company: None,
                detail: serde_json::json!({}),
                ip: Some(ip.to_owned()),
            },
        )
        .await?;
        return Err(PlatformError::unauthenticated(
            "invalid_credentials",
            "the email or password is not correct",
        ));
    };
    on_verdict(true);
    let tok = new_session_token();
    let now = smartdmv_store::now();
    let session = platform_user::session::Model {
        id: Uuid::now_v7(),
        user_id: u.id,
        token_hash: token::hash(&tok),
        created_at: now,
        expires_at: now + jiff::SignedDuration::from_hours(SESSION_HOURS),
        revoked_at: None,
    };
    let actor = Actor {
        label: u.email.clone(),
        ip: Some(ip.to_owned()),
    };
    let company = u.company_id;
    let s = crate::work::write(db, &actor, |w| async move {
        let s = platform_user::insert_session(w.tx(), session).await?;
        w.audit("platform.login", company, serde_json::json!({}))
            .await?;
        Ok::<_, PlatformError>(s)
    })
    .await?;
    Ok(SignedIn {
        token: tok,
        expires_at: rfc3339(s.expires_at),
        user: PlatformUserOut::from(&u),
    })
}

/// The signed-in platform user of a session token, from the address `ip`; 401
/// `unauthenticated` for a token that is not a live platform session of an active user.
pub async fn principal(
    p: &Platform,
    tok: &str,
    ip: Option<String>,
) -> PlatformResult<PlatformPrincipal> {
    if !tok.starts_with("o.") {
        return Err(unauthenticated("not a platform session token"));
    }
    let db = p.owner.conn();
    let session = platform_user::find_live_session(db, &token::hash(tok), smartdmv_store::now())
        .await?
        .ok_or_else(|| unauthenticated("the session has expired or was signed out"))?;
    let user = platform_user::find(db, session.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| unauthenticated("the session's user is no longer active"))?;
    Ok(PlatformPrincipal { user, session, ip })
}

/// 401 `unauthenticated`.
pub fn unauthenticated(detail: &str) -> PlatformError {
    PlatformError::unauthenticated("unauthenticated", detail)
}

/// The audit log's actor of a user's own account changes: their email.
fn own_actor(cx: &Cx<'_>) -> Actor {
    Actor {
        label: cx.who.user.email.clone(),
        ip: cx.who.ip.clone(),
    }
}

/// Signs the session out for good.
pub async fn logout(cx: &Cx<'_>) -> PlatformResult<()> {
    let session = cx.who.session.id;
    crate::work::write(cx.db(), &own_actor(cx), |w| async move {
        platform_user::revoke_session(w.tx(), session).await?;
        w.audit("platform.logout", None, serde_json::json!({}))
            .await
    })
    .await
}

/// The user as they see themselves.
pub fn me(cx: &Cx<'_>) -> PlatformUserOut {
    PlatformUserOut::from(&cx.who.user)
}

/// Every platform user (`OWNER`), in one page.
pub async fn list(cx: &Cx<'_>) -> PlatformResult<Page<PlatformUserOut>> {
    cx.who.require_owner()?;
    let users = platform_user::list(cx.db()).await?;
    Ok(Page::all(users.iter().map(PlatformUserOut::from).collect()))
}

/// A platform user to create.
#[derive(Debug, Clone)]
pub struct NewPlatformUser {
    pub email: String,
    pub name: String,
    pub password: String,
    /// `OWNER` or `COMPANY_ADMIN`.
    pub role: String,
    /// The company of a `COMPANY_ADMIN`.
    pub company_id: Option<CompanyId>,
}

/// Creates a platform user (`OWNER`).
pub async fn create(cx: &Cx<'_>, input: NewPlatformUser) -> PlatformResult<PlatformUserOut> {
    cx.who.require_owner()?;
    let u = create_platform_user(
        cx.db(),
        &input.email,
        &input.name,
        input.password,
        &input.role,
        input.company_id,
    )
    .await?;
    Ok(PlatformUserOut::from(&u))
}

/// Validates and creates a platform user, audited as the system's (the API, the CLI and the
/// demo share it): 422 with the fields in error, 409 `email_taken`.
pub async fn create_platform_user(
    db: &OwnerConnection,
    email: &str,
    name: &str,
    password: String,
    role: &str,
    company_id: Option<CompanyId>,
) -> PlatformResult<platform_user::Model> {
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
    let parsed = PlatformRole::parse(role);
    match (parsed, company_id) {
        (None, _) => errs.push(("role".into(), "must be OWNER or COMPANY_ADMIN".into())),
        (Some(PlatformRole::Owner), Some(_)) => errs.push((
            "companyId".into(),
            "an OWNER is not bound to a company".into(),
        )),
        (Some(PlatformRole::CompanyAdmin), None) => {
            errs.push(("companyId".into(), "a COMPANY_ADMIN needs a company".into()))
        }
        (Some(PlatformRole::CompanyAdmin), Some(c)) => {
            if company::find(db, c).await?.is_none() {
                errs.push(("companyId".into(), "no such company".into()));
            }
        }
        (Some(PlatformRole::Owner), None) => {}
    }
    let Some(role) = parsed.filter(|_| errs.is_empty()) else {
        return Err(PlatformError::Invalid(errs));
    };
    let hash = password::hash(password).await?;
    let now = smartdmv_store::now();
    let row = platform_user::Model {
        id: PlatformUserId::new(),
        email: email.clone(),
        name: name.trim().to_owned(),
        password_hash: hash,
        role,
        company_id,
        active: true,
        created_at: now,
        updated_at: now,
    };
    crate::work::write(db, &Actor::new("system"), |w| async move {
        let saved = platform_user::insert(w.tx(), row)
            .await
            .conflict_as("email_taken", "a platform user with this email exists")?;
        w.audit(
            "platform_user.create",
            company_id,
            serde_json::json!({"email": email, "role": role.as_str()}),
        )
        .await?;
        Ok(saved)
    })
    .await
}

/// Changes the signed-in user's own password: the current one must be given; their other
/// sessions are signed out.
pub async fn change_password(
    cx: &Cx<'_>,
    checks: &AtomicU64,
    current: String,
    new: String,
) -> PlatformResult<()> {
    let stored = Some(cx.who.user.password_hash.clone());
    if !password::verify(checks, current, stored).await {
        return Err(PlatformError::invalid("currentPassword", "is not correct"));
    }
    if let Err(e) = check_new_password(&new) {
        return Err(PlatformError::invalid("newPassword", e.to_string()));
    }
    let hash = password::hash(new).await?;
    let (user, session) = (cx.who.user.id, cx.who.session.id);
    crate::work::write(cx.db(), &own_actor(cx), |w| async move {
        platform_user::set_password(w.tx(), user, &hash).await?;
        platform_user::revoke_other_sessions(w.tx(), user, session).await?;
        w.audit("platform.change_password", None, serde_json::json!({}))
            .await
    })
    .await
}
