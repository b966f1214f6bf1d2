//! Field checks of patient inputs shared by create and update: owner, species and breed,
//! sex, microchip, colour and the dates that must agree.

use smartdmv_domain::patient::SEXES;
use smartdmv_domain::species::{self, OTHER_BREED};
use smartdmv_domain::{ClientId, IdInput, microchip};
use smartdmv_store::tenant::{client, custom_breed, custom_species, patient};

use crate::fields::Errors;
use crate::{ServiceResult, TenantPrincipal};

/// A client who may own a patient: known and active.
pub(crate) async fn owner_client(
    cx: &TenantPrincipal,
    errs: &mut Errors,
    field: &str,
    given: Option<IdInput<ClientId>>,
) -> ServiceResult<Option<client::Model>> {
    let Some(given) = given else {
        errs.add(field, "is required");
        return Ok(None);
    };
    let Some(id) = errs.id(field, given) else {
        return Ok(None);
    };
    match client::find(cx.db(), id).await? {
        None => errs.add(field, "is not a client of this company"),
        Some(c) if !c.active => errs.add(field, "is a deactivated client"),
        Some(c) => return Ok(Some(c)),
    }
    Ok(None)
}

/// Checks a species code and a breed against it: the species must exist (built in or the
/// company's own), the breed must be in its list (any case; stored in the list's spelling)
/// or be `Other`. Returns the breed to store.
///
/// The species lists belong to `/api/species`; this reads them the way it does.
pub(crate) async fn check_breed(
    cx: &TenantPrincipal,
    errs: &mut Errors,
    code: &str,
    breed: Option<&str>,
) -> ServiceResult<Option<String>> {
    let db = cx.db();
    let (name, mut breeds) = match species::built_in(code) {
        Some(s) => (
            s.name.to_owned(),
            s.breeds.iter().map(|b| (*b).to_owned()).collect::<Vec<_>>(),
        ),
        None => match custom_species::find(db, code).await? {
            Some(c) => (c.name, Vec::new()),
            None => {
                errs.add(
                    "species",
                    format!("unknown species {code:?}; see GET /api/species"),
                );
                return Ok(None);
            }
        },
    };
    let Some(b) = breed.map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    breeds.extend(
        custom_breed::for_species(db, code)
            .await?
            .into_iter()
            .map(|b| b.name),
    );
    match species::match_breed(breeds.iter().map(String::as_str), b) {
        Some(canonical) => Ok(Some(canonical.to_owned())),
        None => {
            errs.add(
                "breed",
                format!(
                    "{b:?} is not in the {name} breed list; use {OTHER_BREED:?} or add the breed with POST /api/species/{code}/breeds"
                ),
            );
            Ok(None)
        }
    }
}

pub fn check_sex(errs: &mut Errors, s: &str) -> String {
    if !SEXES.contains(&s) {
        errs.add("sex", format!("must be one of {}", SEXES.join(", ")));
    }
    s.to_owned()
}

pub fn check_microchip(
    errs: &mut Errors,
    raw: &str,
    kind: Option<&str>,
) -> Option<microchip::Microchip> {
    match microchip::parse(raw, kind) {
        Ok(m) => Some(m),
        Err(e) if e.starts_with("type") => {
            errs.add("microchipType", e);
            None
        }
        Err(e) => {
            errs.add("microchip", e);
            None
        }
    }
}

/// `colour` and its alias `color`: one of them, or both saying the same.
pub fn colour_of<T: PartialEq + Clone>(
    errs: &mut Errors,
    colour: &Option<T>,
    color: &Option<T>,
) -> Option<T> {
    match (colour, color) {
        (Some(a), Some(b)) if a != b => {
            errs.add("colour", "colour and color (its alias) disagree");
            None
        }
        (Some(a), _) | (None, Some(a)) => Some(a.clone()),
        (None, None) => None,
    }
}

pub fn check_dates(errs: &mut Errors, m: &patient::Model) {
    if m.dob_estimated && m.date_of_birth.is_none() {
        errs.add("dobEstimated", "needs a dateOfBirth (the estimate)");
    }
    if let (Some(born), Some(died)) = (m.date_of_birth, m.deceased_on)
        && died < born
    {
        errs.add("deceasedOn", "cannot be before the date of birth");
    }
}
