//! A patient as answers, pages and audit entries show it: with its current owners and
//! latest weight, the warnings of a change, and ownerships and weighings.

use serde::Serialize;
use smartdmv_store::tenant::{client, patient, patient_owner, patient_weight};

use crate::fields::date_string;
use crate::rfc3339;

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
            unit: w.unit.as_str().into(),
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

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnershipOut {
    pub id: String,
    pub pet_id: String,
    pub client_id: String,
    pub client_name: Option<String>,
    pub primary: bool,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
}

impl OwnershipOut {
    pub fn new(o: &patient_owner::Model, clients: &[client::Model]) -> Self {
        Self {
            id: o.id.to_string(),
            pet_id: o.patient_id.to_string(),
            client_id: o.client_id.to_string(),
            client_name: clients
                .iter()
                .find(|c| c.id == o.client_id)
                .map(|c| format!("{} {}", c.first_name, c.last_name)),
            primary: o.is_primary,
            started_at: rfc3339(o.started_at),
            ended_at: o.ended_at.map(rfc3339),
            end_reason: o.end_reason.clone(),
        }
    }

    pub fn snapshot(o: &patient_owner::Model) -> serde_json::Value {
        serde_json::to_value(Self::new(o, &[])).unwrap_or_default()
    }
}
