//! The medical record (`spec/clinical.md`, "Visits and the medical record"): visits, SOAP
//! notes that lock, addenda, entered-in-error marks, problems, lab orders with versioned
//! results, and the patient's history as one chronology.
//!
//! Who sees what: staff holding `soap-notes:read` see the record of every patient of the
//! company (patients are the company's, not one practice's) and write where they work
//! (a visit's practice must be in their scope). A `CLIENT` sees only the signed notes of
//! their own pets, and only where the note's practice lets the portal show them; anything
//! else is not found.
//!
//! Time: locks are judged against the principal's clock ([`TenantPrincipal::now`]), which
//! tests can move.

pub mod attachments;
pub mod history;
pub mod labs;
pub mod notes;
pub mod problems;
pub mod visits;

use smartdmv_domain::PatientId;
use smartdmv_store::tenant::{patient, practice};

use crate::{ServiceError, ServiceResult, TenantPrincipal, patients};

/// A patient whose record the caller may read (404 otherwise, also for a client's
/// neighbour's pet).
pub(crate) async fn readable_patient(
    cx: &TenantPrincipal,
    id: PatientId,
) -> ServiceResult<patient::Model> {
    patients::get(cx, id).await
}

/// A patient the caller may write into the record of: not for clients.
pub(crate) async fn writable_patient(
    cx: &TenantPrincipal,
    id: PatientId,
) -> ServiceResult<patient::Model> {
    if cx.is_client() {
        return Err(ServiceError::NotFound("pet"));
    }
    patients::get(cx, id).await
}

/// The practice of a record, which must be in the caller's scope to write there.
pub(crate) async fn practice_in_scope(
    cx: &TenantPrincipal,
    id: smartdmv_domain::PracticeId,
    what: &'static str,
) -> ServiceResult<practice::Model> {
    if !cx.in_scope(Some(id)) {
        return Err(ServiceError::NotFound(what));
    }
    practice::find(cx.db(), id)
        .await?
        .ok_or(ServiceError::NotFound(what))
}

/// An optional free text (kept as written, without surrounding blanks; empty stays empty).
pub(crate) fn section(errs: &mut crate::fields::Errors, field: &str, v: Option<&str>) -> String {
    let t = v.map(str::trim).unwrap_or_default();
    if t.chars().count() > smartdmv_domain::clinical::MAX_NOTE_TEXT {
        errs.add(
            field,
            format!(
                "must be at most {} characters",
                smartdmv_domain::clinical::MAX_NOTE_TEXT
            ),
        );
    }
    t.to_owned()
}
