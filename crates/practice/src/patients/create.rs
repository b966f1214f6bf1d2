//! Registering a patient: with its owner (the primary one) and optionally a first weighing.

use serde::Deserialize;
use smartdmv_domain::{ClientId, IdInput, PatientId};
use smartdmv_store::tenant::{patient, search};

use super::checks::{
    check_breed, check_dates, check_microchip, check_sex, colour_of, owner_client,
};
use super::weights::{self, WeightIn};
use super::{PetAnswer, PetOut, microchip_warnings, owners};
use crate::clients::audit_practice;
use crate::fields::Errors;
use crate::work::Change;
use crate::{ServiceError, ServiceResult, TenantPrincipal};

/// A new patient.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPet {
    pub name: Option<String>,
    /// A species code (`GET /api/species`).
    pub species: Option<String>,
    /// The client who owns the pet (its primary owner).
    pub owner_id: Option<IdInput<ClientId>>,
    pub breed: Option<String>,
    /// male, female or unknown (the default).
    pub sex: Option<String>,
    pub neutered: Option<bool>,
    /// `YYYY-MM-DD`, not in the future.
    pub date_of_birth: Option<String>,
    /// The date of birth is an estimate.
    pub dob_estimated: Option<bool>,
    pub colour: Option<String>,
    /// Alias of `colour`.
    pub color: Option<String>,
    pub microchip: Option<String>,
    /// iso (the default), avid, fdx-a, trovan, other.
    pub microchip_type: Option<String>,
    #[serde(default)]
    pub alerts: Vec<String>,
    pub notes: Option<String>,
    /// A first weighing.
    pub weight: Option<WeightIn>,
}

/// Registers a patient with its primary owner, and the first weighing when given.
pub async fn create(cx: &TenantPrincipal, b: NewPet) -> ServiceResult<PetAnswer> {
    let mut errs = Errors::default();
    let name = errs.required("name", b.name.as_deref(), 200);
    let species = errs
        .required("species", b.species.as_deref(), 40)
        .to_lowercase();
    let breed = if errs.has("species") {
        None
    } else {
        check_breed(cx, &mut errs, &species, b.breed.as_deref()).await?
    };
    let owner = owner_client(cx, &mut errs, "ownerId", b.owner_id).await?;
    let sex = check_sex(&mut errs, b.sex.as_deref().unwrap_or("unknown"));
    let dob = b
        .date_of_birth
        .as_deref()
        .and_then(|d| errs.past_date("dateOfBirth", d));
    let colour = colour_of(&mut errs, &b.colour, &b.color);
    let colour = errs.optional("colour", colour.as_deref(), 100);
    let chip = match (&b.microchip, &b.microchip_type) {
        (Some(raw), kind) => check_microchip(&mut errs, raw, kind.as_deref()),
        (None, Some(_)) => {
            errs.add("microchipType", "needs a microchip");
            None
        }
        (None, None) => None,
    };
    let alerts = errs.alerts("alerts", &b.alerts);
    let notes = errs.optional("notes", b.notes.as_deref(), 10_000);
    let weight = b
        .weight
        .as_ref()
        .and_then(|w| weights::check(&mut errs, "weight.", w));
    let now = smartdmv_store::now();
    let m = patient::Model {
        id: PatientId::new(),
        name_key: smartdmv_domain::text::fold_name(&name),
        name,
        species,
        breed,
        sex,
        neutered: b.neutered.unwrap_or(false),
        date_of_birth: dob,
        dob_estimated: b.dob_estimated.unwrap_or(false),
        colour,
        microchip: chip.as_ref().map(|c| c.code.clone()),
        microchip_type: chip.map(|c| c.kind.to_owned()),
        alerts,
        deceased_on: None,
        notes,
        active: true,
        created_at: now,
        updated_at: now,
    };
    check_dates(&mut errs, &m);
    errs.finish()?;
    let owner = owner.ok_or_else(|| ServiceError::internal("owner checked above"))?;
    let practice_id = audit_practice(cx);
    let (saved, ownership, weighing) = cx
        .write(|w| async move {
            let saved = patient::insert(w.tx(), m).await?;
            search::reindex_patient(w.tx(), saved.id).await?;
            let mut after = PetOut::snapshot(&saved);
            after["ownerId"] = serde_json::json!(owner.id);
            w.audit(Change {
                action: "create",
                entity: "patient",
                entity_id: Some(saved.id.into()),
                practice_id,
                before: None,
                after: Some(after),
            })
            .await?;
            let ownership = owners::start(cx, &w, saved.id, owner.id, true, now).await?;
            let weighing = match weight {
                Some(x) => Some(weights::record(cx, &w, saved.id, x).await?),
                None => None,
            };
            Ok((saved, ownership, weighing))
        })
        .await?;
    let warnings = microchip_warnings(cx, &saved).await?;
    Ok(PetAnswer {
        pet: PetOut::new(&saved, &[ownership], weighing.as_slice(), false),
        warnings,
        cancelled_appointment_ids: None,
    })
}
