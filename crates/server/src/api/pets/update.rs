//! Changing a patient: `PATCH /api/pets/{id}` (including death, which cancels the patient's
//! future appointments in the same transaction) and `DELETE /api/pets/{id}` (deactivation).

use axum::Json;
use axum::extract::Path;
use sea_orm::DbErr;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_store::tenant::{appointment, patient};
use uuid::Uuid;

use super::body::{PetAnswer, PetOut, UpdatePet};
use super::checks::{check_dates, check_microchip, check_sex, colour_of};
use super::{microchip_warnings, pet_out, visible};
use crate::api::clients::audit_practice;
use crate::api::fields::Errors;
use crate::auth::perms::{PetsDelete, PetsUpdate};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::ApiResult;
use crate::extract::ApiJson;

/// Cancels the patient's future appointments that still hold a slot, each audited, in
/// `db`'s transaction. Returns their ids.
pub(crate) async fn cancel_future_appointments(
    auth: &TenantPrincipal,
    db: &impl smartdmv_store::TenantConn,
    patient_id: Uuid,
    reason: &str,
) -> Result<Vec<Uuid>, DbErr> {
    let now = smartdmv_store::now();
    let mut ids = Vec::new();
    for a in patient::cancellable_future_appointments(db, patient_id, now).await? {
        let before = serde_json::json!({"status": a.status, "cancelReason": a.cancel_reason});
        let mut m = a;
        m.status = AppointmentStatus::Cancelled.as_str().into();
        m.cancel_reason = Some(reason.to_owned());
        m.updated_at = now;
        let m = appointment::update(db, m).await?;
        auth.audit(
            db,
            "cancel",
            "appointment",
            Some(m.id),
            Some(m.practice_id),
            Some(before),
            Some(serde_json::json!({"status": m.status, "cancelReason": m.cancel_reason})),
        )
        .await?;
        ids.push(m.id);
    }
    Ok(ids)
}

/// `PATCH /api/pets/{id}`. `deceasedOn` marks the patient deceased and cancels its future
/// appointments (listed in `cancelledAppointmentIds`); it cannot be cleared.
pub async fn update(
    auth: Authorized<PetsUpdate>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdatePet>,
) -> ApiResult<Json<PetAnswer>> {
    let before = visible(&auth, &id).await?;
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
        let checked = crate::api::species::check_breed(
            &auth,
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
    let db = auth.db();
    let newly_deceased = deceased && before.deceased_on.is_none();
    let (saved, cancelled) = async {
        let txn = db.begin().await?;
        let saved = patient::update(&txn, m).await?;
        smartdmv_store::tenant::search::reindex_patient(&txn, saved.id).await?;
        let cancelled = if deceased {
            cancel_future_appointments(&auth, &txn, saved.id, "patient deceased").await?
        } else {
            Vec::new()
        };
        let mut after = PetOut::snapshot(&saved);
        if deceased {
            after["cancelledAppointmentIds"] = serde_json::json!(cancelled);
        }
        auth.audit(
            &txn,
            if newly_deceased { "deceased" } else { "update" },
            "patient",
            Some(saved.id),
            audit_practice(&auth),
            Some(PetOut::snapshot(&before)),
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>((saved, cancelled))
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    let warnings = if chip_changed {
        microchip_warnings(&auth, &saved).await?
    } else {
        Vec::new()
    };
    Ok(Json(PetAnswer {
        pet: pet_out(&auth, &saved).await?,
        warnings,
        cancelled_appointment_ids: deceased
            .then(|| cancelled.iter().map(Uuid::to_string).collect()),
    }))
}

/// `DELETE /api/pets/{id}`: deactivates (patients are never erased; their records are
/// retained). `PATCH {"active": true}` reactivates.
pub async fn deactivate(
    auth: Authorized<PetsDelete>,
    Path(id): Path<String>,
) -> ApiResult<Json<PetOut>> {
    let before = visible(&auth, &id).await?;
    if !before.active {
        return Ok(Json(pet_out(&auth, &before).await?));
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    let db = auth.db();
    let saved = async {
        let txn = db.begin().await?;
        let saved = patient::update(&txn, m).await?;
        smartdmv_store::tenant::search::reindex_patient(&txn, saved.id).await?;
        auth.audit(
            &txn,
            "deactivate",
            "patient",
            Some(saved.id),
            audit_practice(&auth),
            Some(PetOut::snapshot(&before)),
            Some(PetOut::snapshot(&saved)),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(Json(pet_out(&auth, &saved).await?))
}
