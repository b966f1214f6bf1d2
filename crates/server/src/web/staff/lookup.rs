//! Reads several staff pages share: the search box, the list pages (search results or a
//! page of the list), the next-page link of a list and a client's or patient's upcoming
//! appointments.

use serde::Deserialize;
use smartdmv_domain::{AppointmentId, ClientId, PatientId};
use smartdmv_practice::appointments::{self, AppointmentFilter, AppointmentOut};
use smartdmv_practice::search::{self, SearchQuery, SearchResults};
use smartdmv_practice::{Page, PageRequest, ServiceResult};

use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsRead, ClientsRead, Perm};
use crate::web::display::{status_label, when};
use crate::web::error::WebResult;
use crate::web::url_encode;

/// Active clients and patients matching `q`.
pub(super) async fn search(
    p: &TenantPrincipal,
    q: String,
    limit: usize,
) -> WebResult<SearchResults> {
    p.require(ClientsRead::PERM)?;
    let query = SearchQuery {
        q: Some(q),
        limit: Some(limit),
        include_inactive: false,
    };
    Ok(search::find(p, query).await?)
}

/// The query of a list page: a search, or the cursor of the next page.
#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
}

/// What a list page shows: the hits of its search (`q` given), else a page of its list.
pub struct Listing<H, T> {
    pub q: String,
    pub hits: Vec<H>,
    pub items: Vec<T>,
    pub next_href: Option<String>,
}

/// The listing of the page at `base`: `hits` picks the page's kind of record from the search
/// results; `list` reads a page of 25 (and checks its permission).
pub(super) async fn listing<H, T, Fut>(
    p: &TenantPrincipal,
    query: ListQuery,
    base: &str,
    hits: impl FnOnce(SearchResults) -> Vec<H>,
    list: impl FnOnce(PageRequest) -> Fut,
) -> WebResult<Listing<H, T>>
where
    Fut: Future<Output = ServiceResult<Page<T>>>,
{
    let q = query.q.unwrap_or_default().trim().to_owned();
    if !q.is_empty() {
        let found = hits(search(p, q.clone(), 50).await?);
        return Ok(Listing {
            q,
            hits: found,
            items: Vec::new(),
            next_href: None,
        });
    }
    let page = list(PageRequest {
        limit: Some(25),
        cursor: query.cursor,
    })
    .await?;
    Ok(Listing {
        q,
        hits: Vec::new(),
        items: page.items,
        next_href: next_page_href(base, page.next_cursor),
    })
}

/// The link to the next page of the list at `base`, when there is one.
pub(super) fn next_page_href(base: &str, cursor: Option<String>) -> Option<String> {
    cursor.map(|c| format!("{base}?cursor={}", url_encode(&c)))
}

/// One upcoming appointment on the client and patient pages.
pub struct Upcoming {
    pub id: AppointmentId,
    pub when: String,
    pub pet_id: PatientId,
    pub status: String,
    pub status_label: String,
    pub reason: String,
}

impl From<AppointmentOut> for Upcoming {
    fn from(a: AppointmentOut) -> Self {
        Upcoming {
            when: when(&a.starts_at_local),
            status_label: status_label(a.status),
            reason: a.reason.unwrap_or_default(),
            id: a.id,
            pet_id: a.pet_id,
            status: a.status.to_string(),
        }
    }
}

/// The next appointments of a client or of a patient, from now on.
pub(super) async fn upcoming(
    p: &TenantPrincipal,
    client_id: Option<ClientId>,
    pet_id: Option<PatientId>,
) -> WebResult<Vec<Upcoming>> {
    p.require(AppointmentsRead::PERM)?;
    let filter = AppointmentFilter {
        from: Some(jiff::Timestamp::now()),
        pet_id,
        client_id,
        ..Default::default()
    };
    let page = PageRequest {
        limit: Some(20),
        cursor: None,
    };
    let appts = appointments::list(p, &filter, &page).await?;
    Ok(appts.items.into_iter().map(Upcoming::from).collect())
}
