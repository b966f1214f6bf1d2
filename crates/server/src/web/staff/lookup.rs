//! Reads several staff pages share: the search box, the next-page link of a list and a
//! client's or patient's upcoming appointments.

use smartdmv_domain::TypedId;
use smartdmv_practice::appointments::{self, AppointmentFilter, AppointmentOut};
use smartdmv_practice::search::{self, SearchQuery, SearchResults};
use smartdmv_practice::{PageRequest, ServiceError};

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
            status_label: status_label(a.status),
            reason: a.reason.unwrap_or_default(),
            id: a.id,
            pet_id: a.pet_id,
            status: a.status.to_string(),
        }
    }
}

/// An id of a record a page shows, as the filter takes it.
fn id_of<T: TypedId>(raw: Option<String>, name: &str) -> Result<Option<T>, ServiceError> {
    raw.map(|s| s.parse())
        .transpose()
        .map_err(|_| ServiceError::bad_request("invalid_query", format!("{name} is not valid")))
}

/// The next appointments of a client or of a patient, from now on.
pub(super) async fn upcoming(
    p: &TenantPrincipal,
    client_id: Option<String>,
    pet_id: Option<String>,
) -> WebResult<Vec<Upcoming>> {
    p.require(AppointmentsRead::PERM)?;
    let filter = AppointmentFilter {
        from: Some(jiff::Timestamp::now()),
        pet_id: id_of(pet_id, "petId")?,
        client_id: id_of(client_id, "clientId")?,
        ..Default::default()
    };
    let page = PageRequest {
        limit: Some(20),
        cursor: None,
    };
    let appts = appointments::list(p, &filter, &page).await?;
    Ok(appts.items.into_iter().map(Upcoming::from).collect())
}
