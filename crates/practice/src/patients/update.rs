//! Changing a patient, including its death (which cancels its future appointments in the
//! same unit of work), and deactivation.

use serde::Deserialize;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{AppointmentId, PatientId};
use smartdmv_store::tenant::{appointment, patient, search};

use super::checks::{check_breed, check_dates, check_microchip, check_sex, colour_of};
use super::{PetAnswer, PetOut, get, microchip_warnings, out};
use crate::clients::audit_practice;
use crate::fields::{Errors, double_option};
use crate::work::{Change, Work};
use crate::{ServiceResult, TenantPrincipal};

/// Changes to a patient; absent fields stay as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PetChanges {
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
    /// `true` reactivates; deactivation is [`deactivate`].
    pub active: Option<bool>,
}

/// Cancels the patient's future appointments that still hold a slot, each audited, in
/// `w`'s transaction. Returns their ids.
pub async fn cancel_future_appointments(
    w: &Work,
    patient_id: PatientId,
    reason: &str,
) -> ServiceResult<Vec<AppointmentId>> {
    let now = smartdmv_store::now();
    let mut ids = Vec::new();
    for a in patient::cancellable_future_appointments(w.tx(), patient_id, now).await? {
        let before = serde_json::json!({"status": a.status, "cancelReason": a.cancel_reason});
        let mut m = a;
        m.status = AppointmentStatus::Cancelled;
        m.cancel_reason = Some(reason.to_owned());
        m.updated_at = now;
        let m = appointment::update(w.tx(), m).await?;
        w.audit(Change {
            action: "cancel",
            entity: "appointment",
            entity_id: Some(m.id.into()),
            practice_id: Some(m.practice_id),
            before: Some(before),
            after: Some(serde_json::json!({"status": m.status, "cancelReason": m.cancel_reason})),
        })
        .await?;
        ids.push(m.id);
    }
    Ok(ids)
}

/// Changes a patient. `deceasedOn` marks the patient deceased and cancels its future
/// appointments (listed in `cancelledAppointmentIds`); it cannot be cleared.
pub async fn update(
    cx: &TenantPrincipal,
    id: PatientId,
    b: PetChanges,
) -> ServiceResult<PetAnswer> {
    let before = get(cx, id).await?;
    let mut errs = Errors::default();
    let mut m = before.clone();
    if let Some(n) = &b.name {
        m.name = errs.required("name", Some(n), 200);
        m.name_key = smartdmv_domain::text::fold_name(&m.name);
    }
    if let Some(s) = &b.species {
        m.species = errs.required("species", Some(s), 40).to_lowercase();
    }
    // A new species re-checks the breed kept from before.
    let breed = match (&b.breed, m.species != before.species) {
        (Some(given), _) => Some(given.clone()),
        (None, true) => Some(before.breed.clone()),
        (None, false) => None,
    };
    if (b.species.is_some() || breed.is_some()) && !errs.has("species") {
        let checked = check_breed(
            cx,
            &mut errs,
            &m.species,
            breed.clone().flatten().as_deref(),
        )
        .await?;
        if breed.is_some() {
            m.breed = checked;
        }
    }
    if let Some(s) = &b.sex {
        m.sex = check_sex(&mut errs, s);
    }
    if let Some(n) = b.neutered {
        m.neutered = n;
    }
    if let Some(d) = &b.date_of_birth {
        m.date_of_birth = d.as_deref().and_then(|d| errs.past_date("dateOfBirth", d));
    }
    if let Some(e) = b.dob_estimated {
        m.dob_estimated = e;
    }
    if let Some(c) = colour_of(&mut errs, &b.colour, &b.color) {
        m.colour = errs.optional("colour", c.as_deref(), 100);
    }
    let chip_changed = b.microchip.is_some() || b.microchip_type.is_some();
    match (&b.microchip, &b.microchip_type) {
        (Some(None), _) => {
            m.microchip = None;
            m.microchip_type = None;
        }
        (Some(Some(raw)), kind) => {
            if let Some(c) = check_microchip(&mut errs, raw, kind.as_deref()) {
                m.microchip = Some(c.code);
                m.microchip_type = Some(c.kind.into());
            }
        }
        (None, Some(kind)) => match &before.microchip {
            Some(raw) => {
                if let Some(c) = check_microchip(&mut errs, raw, Some(kind)) {
                    m.microchip = Some(c.code);
                    m.microchip_type = Some(c.kind.into());
                }
            }
            None => errs.add("microchipType", "needs a microchip"),
        },
        (None, None) => {}
    }
    if let Some(a) = &b.alerts {
        m.alerts = errs.alerts("alerts", a);
    }
    if let Some(n) = &b.notes {
        m.notes = errs.optional("notes", n.as_deref(), 10_000);
    }
    let deceased = match &b.deceased_on {
        None => false,
        Some(None) => {
            errs.add("deceasedOn", "must be a date; a death cannot be undone");
            false
        }
        Some(Some(d)) => {
            m.deceased_on = errs.past_date("deceasedOn", d);
            true
        }
    };
    match b.active {
        Some(true) => m.active = true,
        Some(false) if before.active => {
            errs.add("active", "deactivate a pet with DELETE /api/pets/{id}")
        }
        _ => {}
    }
    check_dates(&mut errs, &m);
    errs.finish()?;
    m.updated_at = smartdmv_store::now();
    let newly_deceased = deceased && before.deceased_on.is_none();
    let practice_id = audit_practice(cx);
    let (saved, cancelled) = cx
        .write(|w| async move {
            let saved = patient::update(w.tx(), m).await?;
            search::reindex_patient(w.tx(), saved.id).await?;
            let cancelled = if deceased {
                cancel_future_appointments(&w, saved.id, "patient deceased").await?
            } else {
                Vec::new()
            };
            let mut after = PetOut::snapshot(&saved);
            if deceased {
                after["cancelledAppointmentIds"] = serde_json::json!(cancelled);
            }
            w.audit(Change {
                action: if newly_deceased { "deceased" } else { "update" },
                entity: "patient",
                entity_id: Some(saved.id.into()),
                practice_id,
                before: Some(PetOut::snapshot(&before)),
                after: Some(after),
            })
            .await?;
            Ok((saved, cancelled))
        })
        .await?;
    let warnings = if chip_changed {
        microchip_warnings(cx, &saved).await?
    } else {
        Vec::new()
    };
    Ok(PetAnswer {
        pet: out(cx, &saved).await?,
        warnings,
        cancelled_appointment_ids: deceased
            .then(|| cancelled.iter().map(AppointmentId::to_string).collect()),
    })
}

/// Deactivates a patient (patients are never erased; their records are retained).
/// [`update`] with `active: true` reactivates.
pub async fn deactivate(cx: &TenantPrincipal, id: PatientId) -> ServiceResult<PetOut> {
    let before = get(cx, id).await?;
    if !before.active {
        return out(cx, &before).await;
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    let practice_id = audit_practice(cx);
    let saved = cx
        .write(|w| async move {
            let saved = patient::update(w.tx(), m).await?;
            search::reindex_patient(w.tx(), saved.id).await?;
            w.audit(Change {
                action: "deactivate",
                entity: "patient",
                entity_id: Some(saved.id.into()),
                practice_id,
                before: Some(PetOut::snapshot(&before)),
                after: Some(PetOut::snapshot(&saved)),
            })
            .await?;
            Ok(saved)
        })
        .await?;
    out(cx, &saved).await
}
