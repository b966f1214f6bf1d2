//! Field checks of pet bodies shared by create and update: owner, sex, microchip, colour
//! and the dates that must agree.

use smartdmv_domain::microchip;
use smartdmv_domain::patient::SEXES;
use smartdmv_store::tenant::{client, patient};

use crate::api::fields::{Errors, parse_id};
use crate::auth::TenantPrincipal;
use crate::error::ApiResult;

/// A client who may own a patient: known and active.
pub(crate) async fn owner_client(
    p: &TenantPrincipal,
    errs: &mut Errors,
    field: &str,
    raw: Option<&str>,
) -> ApiResult<Option<client::Model>> {
    let Some(raw) = raw else {
        errs.add(field, "is required");
        return Ok(None);
    };
    let Some(id) = parse_id(errs, field, raw) else {
        return Ok(None);
    };
    match client::find(p.db(), id).await.map_err(|e| p.db_error(e))? {
        None => errs.add(field, "is not a client of this company"),
        Some(c) if !c.active => errs.add(field, "is a deactivated client"),
        Some(c) => return Ok(Some(c)),
    }
    Ok(None)
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
