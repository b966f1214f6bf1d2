//! What `/api/pets` accepts and answers.

use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::{patient, patient_owner, patient_weight};

use crate::api::auth::rfc3339;
use crate::api::double_option;
use crate::api::fields::date_string;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeightIn {
    pub value: f64,
    /// kg, g, lb, oz.
    pub unit: String,
    /// RFC 3339; now when absent.
    pub measured_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePet {
    pub name: Option<String>,
    /// A species code (`GET /api/species`).
    pub species: Option<String>,
    /// The client who owns the pet (its primary owner).
    pub owner_id: Option<String>,
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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePet {
    pub name: Option<String>,
    pub species: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub breed: Option<Option<String>>,
    pub sex: Option<String>,
    pub neutered: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub date_of_birth: Option<Option<String>>,
    pub dob_estimated: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub colour: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub color: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub microchip: Option<Option<String>>,
    pub microchip_type: Option<String>,
    pub alerts: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub notes: Option<Option<String>>,
    /// Marks the patient deceased (a date, not in the future) and cancels its future
    /// appointments.
    #[serde(default, deserialize_with = "double_option")]
    pub deceased_on: Option<Option<String>>,
    /// `true` reactivates; deactivation is `DELETE`.
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightOut {
    pub id: String,
    pub pet_id: String,
    pub value: f64,
    pub unit: String,
    pub measured_at: String,
    pub recorded_by: Option<String>,
}

impl From<&patient_weight::Model> for WeightOut {
    fn from(w: &patient_weight::Model) -> Self {
        Self {
            id: w.id.to_string(),
            pet_id: w.patient_id.to_string(),
            value: w.value,
            unit: w.unit.clone(),
            measured_at: rfc3339(w.measured_at),
            recorded_by: w.recorded_by.map(|x| x.to_string()),
        }
    }
}

/// A current owner as the pet shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRef {
    pub ownership_id: String,
    pub client_id: String,
    pub primary: bool,
    pub since: String,
}

/// A patient as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetOut {
    pub id: String,
    pub name: String,
    pub species: String,
    pub breed: Option<String>,
    pub sex: String,
    pub neutered: bool,
    pub date_of_birth: Option<String>,
    pub dob_estimated: bool,
    pub colour: Option<String>,
    /// The same as `colour`, under the API contract's name.
    pub color: Option<String>,
    pub microchip: Option<String>,
    pub microchip_type: Option<String>,
    pub alerts: serde_json::Value,
    /// Staff notes; not shown to clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub deceased_on: Option<String>,
    pub active: bool,
    /// The primary current owner (a client id).
    pub owner_id: Option<String>,
    pub owners: Vec<OwnerRef>,
    pub latest_weight: Option<WeightOut>,
    pub created_at: String,
    pub updated_at: String,
}

impl PetOut {
    /// `owners` and `weights` may hold rows of other patients too (a page's worth).
    pub fn new(
        p: &patient::Model,
        owners: &[patient_owner::Model],
        weights: &[patient_weight::Model],
        for_client: bool,
    ) -> Self {
        let owners: Vec<OwnerRef> = owners
            .iter()
            .filter(|o| o.patient_id == p.id && o.ended_at.is_none())
            .map(|o| OwnerRef {
                ownership_id: o.id.to_string(),
                client_id: o.client_id.to_string(),
                primary: o.is_primary,
                since: rfc3339(o.started_at),
            })
            .collect();
        Self {
            id: p.id.to_string(),
            name: p.name.clone(),
            species: p.species.clone(),
            breed: p.breed.clone(),
            sex: p.sex.clone(),
            neutered: p.neutered,
            date_of_birth: p.date_of_birth.map(date_string),
            dob_estimated: p.dob_estimated,
            colour: p.colour.clone(),
            color: p.colour.clone(),
            microchip: p.microchip.clone(),
            microchip_type: p.microchip_type.clone(),
            alerts: p.alerts.clone(),
            notes: if for_client { None } else { p.notes.clone() },
            deceased_on: p.deceased_on.map(date_string),
            active: p.active,
            owner_id: owners
                .iter()
                .find(|o| o.primary)
                .map(|o| o.client_id.clone()),
            owners,
            latest_weight: weights
                .iter()
                .find(|w| w.patient_id == p.id)
                .map(WeightOut::from),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }

    /// The patient's own columns, for audit entries.
    pub fn snapshot(p: &patient::Model) -> serde_json::Value {
        let mut v = serde_json::to_value(Self::new(p, &[], &[], false)).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            for k in ["color", "ownerId", "owners", "latestWeight"] {
                o.remove(k);
            }
        }
        v
    }
}

/// Something the caller should look at, that did not stop the change.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    pub code: &'static str,
    pub detail: String,
    pub patient_ids: Vec<String>,
}

/// The answer of create, show and update: the pet, warnings, and for a death the
/// appointments that were cancelled.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PetAnswer {
    #[serde(flatten)]
    pub pet: PetOut,
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_appointment_ids: Option<Vec<String>>,
}
