//! Patients of the company. Species is required and the breed comes from the species'
//! list; microchips are checked (ISO 11784 or a typed legacy code) and duplicates warned,
//! not refused; patients are deactivated, never erased. Marking a patient deceased cancels
//! its future appointments in the same unit of work. A `CLIENT` user sees only the patients
//! they currently own; any other id is not found.

mod checks;
mod create;
pub mod owners;
mod update;
mod view;
pub mod weights;

use smartdmv_domain::{ClientId, PatientId};
use smartdmv_store::tenant::{patient, patient_owner, patient_weight};

pub use create::{NewPet, create};
pub use owners::{NewOwner, OwnerChange};
pub use update::{PetChanges, cancel_future_appointments, deactivate, update};
pub use view::{OwnerRef, OwnershipOut, PetAnswer, PetOut, Warning, WeightOut};
pub use weights::WeightIn;

use crate::{Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal};

/// Which patients to list.
#[derive(Debug, Default)]
pub struct PetFilter {
    /// Patients this client currently owns.
    pub owner_id: Option<ClientId>,
    /// Active patients (default) or, with `Some(false)`, deactivated ones.
    pub active: Option<bool>,
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("pet")
}

/// The patients a `CLIENT` user currently owns (none without a linked client record);
/// `None` for staff, who see every patient of the company.
pub async fn client_pets(cx: &TenantPrincipal) -> ServiceResult<Option<Vec<PatientId>>> {
    if !cx.is_client() {
        return Ok(None);
    }
    let Some(own) = cx.own_client().await? else {
        return Ok(Some(Vec::new()));
    };
    Ok(Some(
        patient_owner::current_patient_ids(cx.db(), own.id).await?,
    ))
}

/// A patient the caller may see; not found for an unknown one or (for a client) one they
/// do not own.
pub async fn get(cx: &TenantPrincipal, id: PatientId) -> ServiceResult<patient::Model> {
    if let Some(mine) = client_pets(cx).await?
        && !mine.contains(&id)
    {
        return Err(not_found());
    }
    patient::find(cx.db(), id).await?.ok_or_else(not_found)
}

/// The patient with its current owners and latest weight.
pub async fn out(cx: &TenantPrincipal, m: &patient::Model) -> ServiceResult<PetOut> {
    let db = cx.db();
    let owners = patient_owner::current(db, m.id).await?;
    let weights = patient_weight::latest_for_patients(db, &[m.id]).await?;
    Ok(PetOut::new(m, &owners, &weights, cx.is_client()))
}

/// `duplicate_microchip` when other patients of the company carry the code.
async fn microchip_warnings(
    cx: &TenantPrincipal,
    m: &patient::Model,
) -> ServiceResult<Vec<Warning>> {
    let Some(code) = &m.microchip else {
        return Ok(Vec::new());
    };
    let others = patient::with_microchip(cx.db(), code, Some(m.id)).await?;
    if others.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![Warning {
        code: "duplicate_microchip",
        detail: format!(
            "{} other patient(s) of the company carry microchip {code}",
            others.len()
        ),
        patient_ids: others.iter().map(PatientId::to_string).collect(),
    }])
}

/// A page of the patients the caller may see, by id.
pub async fn list(
    cx: &TenantPrincipal,
    filter: &PetFilter,
    page: &PageRequest,
) -> ServiceResult<Page<PetOut>> {
    let limit = page.limit()?;
    let db = cx.db();
    let mut ids = client_pets(cx).await?;
    if let Some(owner) = filter.owner_id {
        let owned = patient_owner::current_patient_ids(db, owner).await?;
        ids = Some(match ids {
            Some(mine) => owned.into_iter().filter(|x| mine.contains(x)).collect(),
            None => owned,
        });
    }
    let f = patient::Filter {
        active: Some(filter.active.unwrap_or(true)),
        ids,
    };
    let rows = patient::list_page(db, &f, page.cursor()?, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |r| r.id.to_string());
    let page_ids: Vec<PatientId> = page.items.iter().map(|p| p.id).collect();
    let owners = patient_owner::current_for_patients(db, &page_ids).await?;
    let weights = patient_weight::latest_for_patients(db, &page_ids).await?;
    let for_client = cx.is_client();
    Ok(page.map(|p| PetOut::new(&p, &owners, &weights, for_client)))
}

/// The patient, and for staff a `duplicate_microchip` warning when it applies.
pub async fn show(cx: &TenantPrincipal, id: PatientId) -> ServiceResult<PetAnswer> {
    let m = get(cx, id).await?;
    let warnings = if cx.is_client() {
        Vec::new()
    } else {
        microchip_warnings(cx, &m).await?
    };
    Ok(PetAnswer {
        pet: out(cx, &m).await?,
        warnings,
        cancelled_appointment_ids: None,
    })
}
