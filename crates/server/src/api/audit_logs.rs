//! `GET /api/audit-logs`: the company's audit trail, newest first, with filters. Entries can
//! be read, never changed: there is no route that writes them.

use axum::Json;
use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::audit;
use uuid::Uuid;

use super::auth::rfc3339;
use super::{Page, PageParams};
use crate::auth::Authorized;
use crate::auth::perms::AuditLogsRead;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

pub fn routes() -> super::Routes {
    super::Routes::new().get("/api/audit-logs", list)
}

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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub entity_id: Option<Uuid>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub since: Option<time::OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub until: Option<time::OffsetDateTime>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/audit-logs?entity=&action=&actorId=&entityId=&since=&until=`; practice-bound
/// users see the entries of their practices.
pub(crate) async fn list(
    auth: Authorized<AuditLogsRead>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditOut>>> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor.clone(),
    };
    let limit = page.limit()?;
    let cursor: Option<Uuid> = page.cursor()?;
    if let (Some(s), Some(u)) = (q.since, q.until)
        && s >= u
    {
        return Err(ApiError::bad_request(
            "invalid_query",
            "since must be before until",
        ));
    }
    let f = audit::Filter {
        entity: q.entity,
        action: q.action,
        actor_id: q.actor_id,
        entity_id: q.entity_id,
        practices: auth.practice_scope().map(<[Uuid]>::to_vec),
        since: q.since,
        until: q.until,
    };
    let mut rows = audit::list_page(auth.db(), &f, cursor, limit + 1)
        .await
        .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    let items = rows
        .into_iter()
        .map(|e| AuditOut {
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
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}
