//! `GET /api/audit-logs`: the company's audit trail, newest first, with filters. Entries can
//! be read, never changed: there is no route that writes them. The rules live in
//! [`smartdmv_practice::audit`].

use axum::Json;
use serde::Deserialize;
use smartdmv_domain::UserId;
use smartdmv_practice::audit::{self, AuditFilter};
use uuid::Uuid;

pub use smartdmv_practice::audit::AuditOut;

use super::Page;
use crate::api::page;
use crate::auth::Authorized;
use crate::auth::perms::AuditLogsRead;
use crate::error::ApiResult;
use crate::extract::ApiQuery;

pub fn routes() -> super::Routes {
    super::Routes::new().get("/api/audit-logs", list)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub actor_id: Option<UserId>,
    pub entity_id: Option<Uuid>,
    #[serde(default)]
    pub since: Option<smartdmv_store::Stamp>,
    #[serde(default)]
    pub until: Option<smartdmv_store::Stamp>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/audit-logs?entity=&action=&actorId=&entityId=&since=&until=`; practice-bound
/// users see the entries of their practices.
pub(crate) async fn list(
    auth: Authorized<AuditLogsRead>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditOut>>> {
    let filter = AuditFilter {
        entity: q.entity,
        action: q.action,
        actor_id: q.actor_id,
        entity_id: q.entity_id,
        since: q.since,
        until: q.until,
    };
    let page = page(q.limit, q.cursor);
    Ok(Json(audit::list(&auth, filter, &page).await?))
}
