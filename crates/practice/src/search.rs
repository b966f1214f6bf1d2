//! The search box of the front desk: clients and patients by name (typo-tolerant), phone,
//! email or microchip. Patients only for callers who may also read pets.

use serde::{Deserialize, Serialize};
use smartdmv_domain::perm::{Action, Permission, Resource};
use smartdmv_domain::{ClientId, PatientId};
use smartdmv_store::tenant::search;
use std::collections::HashMap;

use crate::{ServiceError, ServiceResult, TenantPrincipal};

/// What to search for.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchQuery {
    pub q: Option<String>,
    /// Per list; default 20, at most 100.
    pub limit: Option<usize>,
    #[serde(default)]
    pub include_inactive: bool,
}

/// Why a record was found.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    /// `name`, `phone`, `email` or `microchip`.
    pub on: &'static str,
    /// `exact`, `prefix`, `suffix` (phones) or `fuzzy` (typos).
    pub kind: &'static str,
    /// The stored values that matched (name words folded, phones as digits).
    pub values: Vec<String>,
    pub score: u32,
}

impl From<&search::Hit> for Match {
    fn from(h: &search::Hit) -> Self {
        Self {
            on: h.on,
            kind: h.kind.as_str(),
            values: h.matched.clone(),
            score: h.score,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientHit {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    #[serde(rename = "match")]
    pub matched: Match,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRef {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PatientHit {
    pub id: String,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
    pub sex: String,
    pub microchip: Option<String>,
    pub deceased_on: Option<String>,
    pub active: bool,
    pub owners: Vec<OwnerRef>,
    #[serde(rename = "match")]
    pub matched: Match,
}

#[derive(Debug, Serialize)]
pub struct SearchResults {
    pub clients: Vec<ClientHit>,
    pub patients: Vec<PatientHit>,
}

/// Clients (and, for callers who may read pets, patients) matching the query, best first.
pub async fn find(cx: &TenantPrincipal, query: SearchQuery) -> ServiceResult<SearchResults> {
    let q = query.q.as_deref().unwrap_or("").trim().to_owned();
    if q.is_empty() || q.chars().count() > 200 {
        return Err(ServiceError::invalid("q", "must be 1 to 200 characters"));
    }
    let limit = match query.limit {
        None => 20,
        Some(n @ 1..=100) => n,
        Some(_) => {
            return Err(ServiceError::bad_request(
                "invalid_query",
                "limit must be between 1 and 100",
            ));
        }
    };
    let opts = search::Options {
        clients: true,
        patients: cx.can(Permission::new(Resource::Pets, Action::Read)),
        include_inactive: query.include_inactive,
        limit,
    };
    let hits = search::search(cx.db(), &q, opts).await?;
    results(cx, hits).await
}

/// The records of the hits, in the hits' order, with each patient's current owners.
async fn results(cx: &TenantPrincipal, hits: search::Hits) -> ServiceResult<SearchResults> {
    let db = cx.db();
    let ids: Vec<ClientId> = hits.clients.iter().map(|h| h.entity_id.into()).collect();
    let mut clients = search::clients_by_id(db, &ids).await?;
    let ids: Vec<PatientId> = hits.patients.iter().map(|h| h.entity_id.into()).collect();
    let mut patients = search::patients_by_id(db, &ids).await?;
    let mut owners: HashMap<PatientId, Vec<OwnerRef>> = HashMap::new();
    for o in search::current_owners(db, &ids).await? {
        owners.entry(o.patient_id).or_default().push(OwnerRef {
            id: o.client.id.to_string(),
            first_name: o.client.first_name,
            last_name: o.client.last_name,
            phone: o.client.phone,
            is_primary: o.is_primary,
        });
    }
    let clients = hits
        .clients
        .iter()
        .filter_map(|h| {
            let c = clients.remove(&h.entity_id.into())?;
            Some(ClientHit {
                id: c.id.to_string(),
                first_name: c.first_name,
                last_name: c.last_name,
                email: c.email,
                phone: c.phone,
                active: c.active,
                matched: h.into(),
            })
        })
        .collect();
    let patients = hits
        .patients
        .iter()
        .filter_map(|h| {
            let p = patients.remove(&h.entity_id.into())?;
            Some(PatientHit {
                id: p.id.to_string(),
                name: p.name,
                species: p.species,
                breed: p.breed,
                sex: p.sex,
                microchip: p.microchip,
                deceased_on: p.deceased_on.map(|d| d.to_string()),
                active: p.active,
                owners: owners.remove(&p.id).unwrap_or_default(),
                matched: h.into(),
            })
        })
        .collect();
    Ok(SearchResults { clients, patients })
}
