//! A patient's weight history, newest first. A weighing is a positive value in kg, g, lb or
//! oz, measured now or in the past.

use serde::Deserialize;
use smartdmv_domain::patient::{WeightUnit, check_weight};
use smartdmv_domain::{PatientId, WeightId};
use smartdmv_store::tenant::patient_weight;

use super::{WeightOut, get};
use crate::clients::audit_practice;
use crate::fields::Errors;
use crate::work::{Change, Work};
use crate::{Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal};

/// How far ahead of the server's clock a `measuredAt` may be (clocks of devices drift).
const CLOCK_SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// A weighing as given.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeightIn {
    pub value: f64,
    /// kg, g, lb, oz.
    pub unit: String,
    /// RFC 3339; now when absent.
    pub measured_at: Option<String>,
}

/// A checked weighing.
#[derive(Debug, Clone, Copy)]
pub struct Weighing {
    pub value: f64,
    pub unit: WeightUnit,
    pub measured_at: smartdmv_store::Stamp,
}

/// Checks a weighing; field errors are named `<prefix>value` and so on.
pub fn check(errs: &mut Errors, prefix: &str, w: &WeightIn) -> Option<Weighing> {
    let Some(unit) = WeightUnit::parse(w.unit.trim()) else {
        errs.add(format!("{prefix}unit"), "must be one of kg, g, lb, oz");
        return None;
    };
    if let Err(m) = check_weight(w.value, unit) {
        errs.add(format!("{prefix}value"), m);
        return None;
    }
    let now = smartdmv_store::now();
    let measured_at = match &w.measured_at {
        None => now,
        Some(raw) => {
            match raw
                .trim()
                .parse::<jiff::Timestamp>()
                .map(smartdmv_store::Stamp)
            {
                Err(_) => {
                    errs.add(format!("{prefix}measuredAt"), "must be an RFC 3339 time");
                    return None;
                }
                Ok(t) if t > now + CLOCK_SKEW => {
                    errs.add(format!("{prefix}measuredAt"), "cannot be in the future");
                    return None;
                }
                Ok(t) => smartdmv_store::Stamp::micros(t.0),
            }
        }
    };
    Some(Weighing {
        value: w.value,
        unit,
        measured_at,
    })
}

/// Stores a weighing with its audit entry, in `w`'s transaction.
pub(crate) async fn record(
    cx: &TenantPrincipal,
    w: &Work,
    patient_id: PatientId,
    weighing: Weighing,
) -> ServiceResult<patient_weight::Model> {
    let saved = patient_weight::insert(
        w.tx(),
        patient_weight::Model {
            id: WeightId::new(),
            patient_id,
            value: weighing.value,
            unit: weighing.unit,
            measured_at: weighing.measured_at,
            recorded_by: Some(cx.user.id),
        },
    )
    .await?;
    w.audit(Change {
        action: "create",
        entity: "patient_weight",
        entity_id: Some(saved.id.into()),
        practice_id: audit_practice(cx),
        before: None,
        after: serde_json::to_value(WeightOut::from(&saved)).ok(),
    })
    .await?;
    Ok(saved)
}

/// Corrects a weighing (a draft note's weight typed again), with its audit entry, in `w`'s
/// transaction.
pub(crate) async fn correct(
    cx: &TenantPrincipal,
    w: &Work,
    before: &patient_weight::Model,
    m: patient_weight::Model,
) -> ServiceResult<patient_weight::Model> {
    let saved = patient_weight::update(w.tx(), m).await?;
    w.audit(Change {
        action: "update",
        entity: "patient_weight",
        entity_id: Some(saved.id.into()),
        practice_id: audit_practice(cx),
        before: serde_json::to_value(WeightOut::from(before)).ok(),
        after: serde_json::to_value(WeightOut::from(&saved)).ok(),
    })
    .await?;
    Ok(saved)
}

/// Removes a weighing (its draft note was deleted or lost its weight), with its audit
/// entry, in `w`'s transaction.
pub(crate) async fn remove(
    cx: &TenantPrincipal,
    w: &Work,
    before: &patient_weight::Model,
) -> ServiceResult<()> {
    patient_weight::delete(w.tx(), before.id).await?;
    w.audit(Change {
        action: "delete",
        entity: "patient_weight",
        entity_id: Some(before.id.into()),
        practice_id: audit_practice(cx),
        before: serde_json::to_value(WeightOut::from(before)).ok(),
        after: None,
    })
    .await
}

/// A patient's weighings, newest first.
pub async fn list(
    cx: &TenantPrincipal,
    id: PatientId,
    page: &PageRequest,
) -> ServiceResult<Page<WeightOut>> {
    let pet = get(cx, id).await?;
    let limit = page.limit()?;
    let rows = patient_weight::history_page(cx.db(), pet.id, page.cursor()?, limit + 1).await?;
    Ok(Page::from_rows(rows, limit, |r| r.id.to_string()).map(|w| WeightOut::from(&w)))
}

/// Records a weighing of a patient.
pub async fn create(cx: &TenantPrincipal, id: PatientId, b: WeightIn) -> ServiceResult<WeightOut> {
    let pet = get(cx, id).await?;
    let mut errs = Errors::default();
    let weighing = check(&mut errs, "", &b);
    errs.finish()?;
    let weighing = weighing.ok_or_else(|| ServiceError::internal("weighing checked above"))?;
    let saved = cx
        .write(|w| async move { record(cx, &w, pet.id, weighing).await })
        .await?;
    Ok(WeightOut::from(&saved))
}
