//! The audit log of an area, newest first, with the filters `/api/audit-logs` supports
//! (actor, action, entity, entity id, date range) and paging. A practice administrator sees
//! the entries of their practices (the audit service scopes it).

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::chrome::{Chrome, PageCtx};
use super::super::error::WebResult;
use super::super::session::{InArea, TenantArea};
use super::super::{FormErrors, html, url_encode};
use super::users::PracticeOption;
use crate::auth::perms::{AuditLogsRead, UsersRead};
use crate::auth::{Perm, TenantPrincipal};
use crate::error::ApiError;
use crate::web::with_status;
use smartdmv_practice::audit::{self, AuditFilter, AuditOut};
use smartdmv_practice::{PageRequest, ServiceError, users};

/// The filters as the form sends them (all optional, all text).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filters {
    #[serde(default)]
    pub actor_id: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub entity_id: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub cursor: String,
}

impl Filters {
    /// The query string of these filters (without the cursor).
    fn query(&self) -> String {
        [
            ("actorId", &self.actor_id),
            ("action", &self.action),
            ("entity", &self.entity),
            ("entityId", &self.entity_id),
            ("since", &self.since),
            ("until", &self.until),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// A `YYYY-MM-DD` date field as the start of that day in UTC; `next_day` gives the start of
/// the following day (so "until" includes the whole day).
pub(crate) fn day_start(s: &str, next_day: bool) -> Option<smartdmv_store::Stamp> {
    let d = smartdmv_store::Day::parse_ymd(s.trim())?;
    let d = if next_day {
        smartdmv_store::Day(d.tomorrow().ok()?)
    } else {
        d
    };
    d.start_utc()
}

fn id_field<T: std::str::FromStr>(raw: &str, field: &str, errors: &mut FormErrors) -> Option<T> {
    match raw.trim() {
        "" => None,
        v => v.parse().map_or_else(
            |_| {
                errors
                    .fields
                    .insert(field.into(), "is not a valid id".into());
                None
            },
            Some,
        ),
    }
}

fn date_field(
    raw: &str,
    field: &str,
    next_day: bool,
    errors: &mut FormErrors,
) -> Option<smartdmv_store::Stamp> {
    match raw.trim() {
        "" => None,
        v => day_start(v, next_day).or_else(|| {
            errors.fields.insert(field.into(), "must be a date".into());
            None
        }),
    }
}

#[derive(Template)]
#[template(path = "administrator/audit.html")]
struct AuditPage {
    chrome: Chrome,
    base: &'static str,
    f: Filters,
    actors: Vec<PracticeOption>,
    entries: Vec<AuditOut>,
    next_href: Option<String>,
    errors: FormErrors,
}

/// The users offered as actors: the first 200 the principal may see.
async fn actors(p: &TenantPrincipal) -> WebResult<Vec<PracticeOption>> {
    p.require(UsersRead::PERM)?;
    let page = PageRequest {
        limit: Some(200),
        cursor: None,
    };
    let page = users::list(p, &Default::default(), &page).await?;
    Ok(page
        .items
        .into_iter()
        .map(|u| PracticeOption {
            id: u.id,
            name: format!("{} ({})", u.name, u.email),
        })
        .collect())
}

/// `GET {area}/audit?actorId=&action=&entity=&entityId=&since=&until=&cursor=`
pub async fn show<A: TenantArea>(
    ctx: PageCtx,
    area: InArea<A>,
    Query(f): Query<Filters>,
) -> WebResult<Response> {
    let p = area.principal;
    let base = A::AREA.home();
    let chrome = Chrome::tenant(&ctx, A::AREA, "Audit log", &p);
    let actors = actors(&p).await?;
    let mut errors = FormErrors::default();
    let filter = AuditFilter {
        entity: Some(f.entity.trim().to_owned()).filter(|x| !x.is_empty()),
        action: Some(f.action.trim().to_owned()).filter(|x| !x.is_empty()),
        actor_id: id_field(&f.actor_id, "actorId", &mut errors),
        entity_id: id_field(&f.entity_id, "entityId", &mut errors),
        since: date_field(&f.since, "since", false, &mut errors),
        until: date_field(&f.until, "until", true, &mut errors),
    };
    let page = PageRequest {
        limit: Some(50),
        cursor: Some(f.cursor.clone()).filter(|x| !x.is_empty()),
    };
    let result = if errors.fields.is_empty() {
        p.require(AuditLogsRead::PERM)?;
        audit::list(&p, filter, &page).await
    } else {
        errors.general = "Please correct the filters marked below.".into();
        Err(ServiceError::bad_request(
            "invalid_query",
            "invalid filters",
        ))
    };
    let (entries, next_href, status) = match result.map_err(ApiError::from) {
        Ok(page) => {
            let next = page
                .next_cursor
                .map(|c| format!("{base}/audit?{}&cursor={}", f.query(), url_encode(&c)));
            (page.items, next, StatusCode::OK)
        }
        Err(e) if e.status.is_client_error() => {
            if errors.fields.is_empty() {
                errors = FormErrors::from_api(e);
            }
            (Vec::new(), None, StatusCode::BAD_REQUEST)
        }
        Err(e) => return Err(e.into()),
    };
    let resp = html(&AuditPage {
        chrome,
        base,
        f,
        actors,
        entries,
        next_href,
        errors,
    })?;
    Ok(with_status(resp, status))
}
