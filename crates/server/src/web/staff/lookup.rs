//! Reads several staff pages share: the search box, the next-page link of a list and a
//! client's or patient's upcoming appointments.

use axum::Json;

use crate::api::appointments::{self, AppointmentOut, ListParams};
use crate::api::search::{self, SearchParams, SearchResults};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsRead, ClientsRead};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::web::display::{authorized, status_label, when};
use crate::web::error::WebResult;
use crate::web::url_encode;

/// Active clients and patients matching `q`, through `GET /api/search`.
pub(super) async fn search(
    s: &AppState,
    p: &TenantPrincipal,
    q: String,
    limit: usize,
) -> WebResult<SearchResults> {
    let Json(r) = search::find(
        authorized::<ClientsRead>(s, p).await?,
        ApiQuery(SearchParams {
            q: Some(q),
            limit: Some(limit),
            include_inactive: false,
        }),
    )
    .await?;
    Ok(r)
}

/// The link to the next page of the list at `base`, when there is one.
pub(super) fn next_page_href(base: &str, cursor: Option<String>) -> Option<String> {
    cursor.map(|c| format!("{base}?cursor={}", url_encode(&c)))
}

/// One upcoming appointment on the client and patient pages.
pub struct Upcoming {
    pub id: String,
    pub when: String,
    pub pet_id: String,
    pub status: String,
    pub status_label: String,
    pub reason: String,
}

impl From<AppointmentOut> for Upcoming {
    fn from(a: AppointmentOut) -> Self {
        Upcoming {
            when: when(&a.starts_at_local),
            status_label: status_label(&a.status),
            reason: a.reason.unwrap_or_default(),
            id: a.id,
            pet_id: a.pet_id,
            status: a.status,
        }
    }
}

/// The next appointments of a client or of a patient, from now on.
pub(super) async fn upcoming(
    s: &AppState,
    p: &TenantPrincipal,
    client_id: Option<String>,
    pet_id: Option<String>,
) -> WebResult<Vec<Upcoming>> {
    let Json(appts) = appointments::list(
        authorized::<AppointmentsRead>(s, p).await?,
        ApiQuery(ListParams {
            limit: Some(20),
            cursor: None,
            practice_id: None,
            from: Some(jiff::Timestamp::now().to_string()),
            to: None,
            veterinarian_id: None,
            room_id: None,
            pet_id,
            client_id,
            status: None,
        }),
    )
    .await?;
    Ok(appts.items.into_iter().map(Upcoming::from).collect())
}
