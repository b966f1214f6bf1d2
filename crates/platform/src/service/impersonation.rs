//! An `OWNER` acting as one of a company's users: a short-lived session, read-only unless
//! asked otherwise, with a reason, recorded in the owner audit log here and in the company's
//! own audit log by whoever opens the session. Opening it is the company's business (its
//! database, its session tokens), so the caller hands that step in as `open`.

use smartdmv_domain::CompanyId;
use smartdmv_tenancy::resolve::ResolvedCompany;
use std::sync::Arc;
use uuid::Uuid;

use super::{Cx, rfc3339};
use crate::{Actor, PlatformError};

/// What the owner asks for.
#[derive(Debug, Clone)]
pub struct Impersonation {
    /// The company user to act as: by id or by email.
    pub user_id: Option<Uuid>,
    pub email: Option<String>,
    pub reason: String,
    /// Read-only unless asked otherwise.
    pub writable: bool,
    /// 1 to 60; 15 when not given.
    pub minutes: Option<i64>,
}

/// The company user to act as.
#[derive(Debug, Clone)]
pub enum Target {
    Id(Uuid),
    /// Trimmed and lowercase.
    Email(String),
}

/// An impersonation the owner may open: what the company's side needs to open its session
/// and record it in the company's audit log.
#[derive(Clone)]
pub struct Grant {
    pub company: Arc<ResolvedCompany>,
    pub target: Target,
    /// The session's impersonator: `ann@example.com: <reason>`.
    pub impersonator: String,
    /// The company audit log's actor: `platform:ann@example.com`.
    pub actor: String,
    pub reason: String,
    pub read_only: bool,
    pub minutes: i64,
    pub ip: Option<String>,
}

/// The session the company's side opened.
#[derive(Debug, Clone)]
pub struct Opened {
    pub token: String,
    pub session_id: Uuid,
    pub expires_at: smartdmv_store::Stamp,
    pub read_only: bool,
    pub user: ImpersonatedUser,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ImpersonatedUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
}

/// An impersonation session, handed to the owner once.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Impersonated {
    pub token: String,
    pub expires_at: String,
    pub read_only: bool,
    /// The host the token works on.
    pub company_host: String,
    pub user: ImpersonatedUser,
}

/// Checks the request (`OWNER`; a reason of 5 to 500 characters; 1 to 60 minutes; a user
/// named), has `open` open the session in the company, and records it in the owner audit log.
pub async fn start<E, F>(
    cx: &Cx<'_>,
    company: CompanyId,
    req: Impersonation,
    open: F,
) -> Result<Impersonated, E>
where
    E: From<PlatformError>,
    F: AsyncFnOnce(Grant) -> Result<Opened, E>,
{
    cx.who.require_owner()?;
    let reason = req.reason.trim().to_owned();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        return Err(
            PlatformError::invalid("reason", "must say why, in 5 to 500 characters").into(),
        );
    }
    let minutes = req.minutes.unwrap_or(15);
    if !(1..=60).contains(&minutes) {
        return Err(PlatformError::invalid("minutes", "must be between 1 and 60").into());
    }
    let resolved = cx
        .platform
        .resolver
        .by_id(company)
        .await
        .map_err(PlatformError::from)?;
    let target = match (req.user_id, req.email.as_deref()) {
        (Some(id), _) => Target::Id(id),
        (None, Some(e)) => Target::Email(e.trim().to_lowercase()),
        (None, None) => {
            return Err(
                PlatformError::invalid("userId", "name the user by userId or email").into(),
            );
        }
    };
    let email = &cx.who.user.email;
    let company_host = format!("{}.{}", resolved.subdomain, cx.platform.base_domain);
    let grant = Grant {
        company: resolved,
        target,
        impersonator: format!("{email}: {reason}"),
        actor: format!("platform:{email}"),
        reason: reason.clone(),
        read_only: !req.writable,
        minutes,
        ip: cx.who.ip.clone(),
    };
    let opened = open(grant).await?;
    let actor = Actor {
        label: email.clone(),
        ip: cx.who.ip.clone(),
    };
    let detail = serde_json::json!({
        "user": opened.user.email, "reason": reason, "readOnly": !req.writable,
        "minutes": minutes, "sessionId": opened.session_id,
    });
    crate::work::write(cx.db(), &actor, |w| async move {
        w.audit("company.impersonate", Some(company), detail).await
    })
    .await?;
    Ok(Impersonated {
        token: opened.token,
        expires_at: rfc3339(opened.expires_at),
        read_only: opened.read_only,
        company_host,
        user: opened.user,
    })
}
