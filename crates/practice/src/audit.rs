//! The company's audit trail, newest first, with filters. Entries are read here and written
//! only by the unit of work ([`crate::Work::audit`]); nothing changes them. Practice-bound
//! users see the entries of their practices.

use serde::Serialize;
use smartdmv_domain::{PracticeId, UserId};
use smartdmv_store::tenant::audit;
use uuid::Uuid;

use crate::{Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal, rfc3339};

/// An audit entry as answers and pages show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditOut {
    pub id: String,
    pub at: String,
    pub actor_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub practice_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
}

impl From<audit::Model> for AuditOut {
    fn from(e: audit::Model) -> Self {
        Self {
            id: e.id.to_string(),
            at: rfc3339(e.at),
            actor_id: e.actor_id.map(|x| x.to_string()),
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id.map(|x| x.to_string()),
            practice_id: e.practice_id.map(|x| x.to_string()),
            before: e.before,
            after: e.after,
            ip: e.ip,
        }
    }
}

/// Which entries to list.
#[derive(Debug, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub actor_id: Option<UserId>,
    pub entity_id: Option<Uuid>,
    pub since: Option<smartdmv_store::Stamp>,
    pub until: Option<smartdmv_store::Stamp>,
}

/// The entries the caller may see, newest first.
pub async fn list(
    cx: &TenantPrincipal,
    filter: AuditFilter,
    page: &PageRequest,
) -> ServiceResult<Page<AuditOut>> {
    let limit = page.limit()?;
    let cursor: Option<Uuid> = page.cursor()?;
    if let (Some(s), Some(u)) = (filter.since, filter.until)
        && s >= u
    {
        return Err(ServiceError::bad_request(
            "invalid_query",
            "since must be before until",
        ));
    }
    let f = audit::Filter {
        entity: filter.entity,
        action: filter.action,
        actor_id: filter.actor_id,
        entity_id: filter.entity_id,
        practices: cx.practice_scope().map(<[PracticeId]>::to_vec),
        since: filter.since,
        until: filter.until,
    };
    let rows = audit::list_page(cx.db(), &f, cursor, limit + 1).await?;
    Ok(Page::from_rows(rows, limit, |r| r.id.to_string()).map(AuditOut::from))
}
