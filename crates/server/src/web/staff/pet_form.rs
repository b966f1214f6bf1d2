//! The patient form: its fields, the choices it offers, and the service inputs it becomes.

use serde::Deserialize;
use smartdmv_domain::IdInput;
use smartdmv_practice::patients::{NewPet, PetChanges, PetOut, WeightIn};

use crate::auth::TenantPrincipal;
use crate::auth::perms::{Perm, PetsRead};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::booking::Choice;
use smartdmv_practice::species;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetForm {
    #[serde(default, alias = "owner")]
    pub owner_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub species: String,
    #[serde(default)]
    pub breed: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub neutered: Option<String>,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub dob_estimated: Option<String>,
    #[serde(default)]
    pub colour: String,
    #[serde(default)]
    pub microchip: String,
    #[serde(default)]
    pub microchip_type: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub weight: String,
    #[serde(default)]
    pub weight_unit: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub const SEXES: [&str; 3] = ["unknown", "male", "female"];
pub const CHIP_TYPES: [&str; 5] = ["iso", "avid", "fdx-a", "trovan", "other"];
pub const UNITS: [&str; 4] = ["kg", "g", "lb", "oz"];

/// The species of the company, `selected` marked.
pub async fn species_choices(
    _s: &AppState,
    p: &TenantPrincipal,
    selected: &str,
) -> Result<Vec<Choice>, ApiError> {
    p.require(PetsRead::PERM)?;
    Ok(species::list(p)
        .await?
        .into_iter()
        .map(|sp| Choice {
            selected: sp.code == selected,
            value: sp.code,
            label: sp.name,
        })
        .collect())
}

/// A typed number, or NaN (which the API refuses beside the field) when it is not one.
fn number(s: &str) -> f64 {
    s.trim().replace(',', ".").parse().unwrap_or(f64::NAN)
}

impl PetForm {
    pub fn from_pet(p: &PetOut) -> Self {
        Self {
            owner_id: p.owner_id.clone().unwrap_or_default(),
            name: p.name.clone(),
            species: p.species.clone(),
            breed: p.breed.clone().unwrap_or_default(),
            sex: p.sex.clone(),
            neutered: p.neutered.then(|| "true".into()),
            date_of_birth: p.date_of_birth.clone().unwrap_or_default(),
            dob_estimated: p.dob_estimated.then(|| "true".into()),
            colour: p.colour.clone().unwrap_or_default(),
            microchip: p.microchip.clone().unwrap_or_default(),
            microchip_type: p.microchip_type.clone().unwrap_or_default(),
            notes: p.notes.clone().unwrap_or_default(),
            weight: String::new(),
            weight_unit: String::new(),
        }
    }

    pub fn weight_in(&self) -> Option<WeightIn> {
        opt(&self.weight).map(|w| WeightIn {
            value: number(&w),
            unit: opt(&self.weight_unit).unwrap_or_else(|| "kg".into()),
            measured_at: None,
        })
    }

    pub fn to_create(&self) -> NewPet {
        NewPet {
            name: Some(self.name.clone()),
            species: Some(self.species.clone()),
            owner_id: Some(IdInput::parse(self.owner_id.trim())),
            breed: opt(&self.breed),
            sex: opt(&self.sex),
            neutered: Some(self.neutered.is_some()),
            date_of_birth: opt(&self.date_of_birth),
            dob_estimated: Some(self.dob_estimated.is_some()),
            colour: opt(&self.colour),
            color: None,
            microchip: opt(&self.microchip),
            microchip_type: opt(&self.microchip).and(opt(&self.microchip_type)),
            alerts: Vec::new(),
            notes: opt(&self.notes),
            weight: self.weight_in(),
        }
    }

    pub fn to_update(&self) -> PetChanges {
        PetChanges {
            name: Some(self.name.clone()),
            species: Some(self.species.clone()),
            breed: Some(opt(&self.breed)),
            sex: opt(&self.sex),
            neutered: Some(self.neutered.is_some()),
            date_of_birth: Some(opt(&self.date_of_birth)),
            dob_estimated: Some(self.dob_estimated.is_some()),
            colour: Some(opt(&self.colour)),
            color: None,
            microchip: Some(opt(&self.microchip)),
            microchip_type: opt(&self.microchip).and(opt(&self.microchip_type)),
            alerts: None,
            notes: Some(opt(&self.notes)),
            deceased_on: None,
            active: None,
        }
    }
}
