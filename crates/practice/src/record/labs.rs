//! Lab orders and results. Every posting of results is a new version (earlier versions stay
//! readable); each value is flagged low, high or normal against the reference range given
//! with it; a veterinarian's review of the latest version is an attributed event.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use smartdmv_domain::clinical::{self, LabFlag, LabOrderStatus};
use smartdmv_domain::{IdInput, LabOrderId, LabResultId, PatientId, PracticeId, UserId, VisitId};
use smartdmv_store::tenant::{lab_order, lab_result};

use super::{visits, writable_patient};
use crate::fields::Errors;
use crate::work::{Change, Work};
use crate::{ConflictAs, ServiceError, ServiceResult, TenantPrincipal, practices, rfc3339};

/// The most tests on one order and values in one posting.
const MAX_ITEMS: usize = 200;

/// One test ordered.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestIn {
    pub code: Option<String>,
    pub name: Option<String>,
}

/// A new lab order.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLabOrder {
    pub pet_id: IdInput<PatientId>,
    pub visit_id: Option<IdInput<VisitId>>,
    pub practice_id: Option<IdInput<PracticeId>>,
    pub tests: Option<Vec<TestIn>>,
}

/// One value of a posting of results.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValueIn {
    pub analyte: Option<String>,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub reference_low: Option<f64>,
    pub reference_high: Option<f64>,
}

/// A posting of results.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewResults {
    pub values: Option<Vec<ValueIn>>,
}

/// A review of the latest results.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Review {
    pub note: Option<String>,
}

/// A flagged value as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueOut {
    pub analyte: String,
    pub value: f64,
    pub unit: Option<String>,
    pub reference_low: Option<f64>,
    pub reference_high: Option<f64>,
    /// `low`, `high`, `normal`; absent without a reference range.
    pub flag: Option<String>,
}

/// One version of an order's results.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionOut {
    pub id: LabResultId,
    pub version: i32,
    pub values: Value,
    pub posted_by: Option<UserId>,
    pub posted_at: String,
}

impl From<&lab_result::Model> for VersionOut {
    fn from(r: &lab_result::Model) -> Self {
        Self {
            id: r.id,
            version: r.version,
            values: r.results.clone(),
            posted_by: r.posted_by,
            posted_at: rfc3339(r.created_at),
        }
    }
}

/// The review of an order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewOut {
    pub by: Option<UserId>,
    pub at: String,
    pub note: Option<String>,
    pub version: Option<i32>,
}

/// An order with every version of its results, oldest first (the latest is also `latest`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabOrderOut {
    pub id: LabOrderId,
    pub pet_id: PatientId,
    pub practice_id: PracticeId,
    pub visit_id: Option<VisitId>,
    pub tests: Value,
    pub status: LabOrderStatus,
    pub ordered_by: Option<UserId>,
    pub review: Option<ReviewOut>,
    pub versions: Vec<VersionOut>,
    pub latest: Option<VersionOut>,
    pub created_at: String,
    pub updated_at: String,
}

impl LabOrderOut {
    pub fn new(o: &lab_order::Model, results: &[lab_result::Model]) -> Self {
        let versions: Vec<VersionOut> = results
            .iter()
            .filter(|r| r.order_id == o.id)
            .map(VersionOut::from)
            .collect();
        Self {
            id: o.id,
            pet_id: o.patient_id,
            practice_id: o.practice_id,
            visit_id: o.visit_id,
            tests: o.tests.clone(),
            status: o.status,
            ordered_by: o.ordered_by,
            review: o.reviewed_at.map(|at| ReviewOut {
                by: o.reviewed_by,
                at: rfc3339(at),
                note: o.review_note.clone(),
                version: o.reviewed_version,
            }),
            latest: versions.last().cloned(),
            versions,
            created_at: rfc3339(o.created_at),
            updated_at: rfc3339(o.updated_at),
        }
    }
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("lab order")
}

/// An order the caller may see (staff only).
async fn find(cx: &TenantPrincipal, id: LabOrderId) -> ServiceResult<lab_order::Model> {
    if cx.is_client() {
        return Err(not_found());
    }
    lab_order::find(cx.db(), id).await?.ok_or_else(not_found)
}

/// An order the caller may write on: in a practice they work in.
async fn writable(cx: &TenantPrincipal, id: LabOrderId) -> ServiceResult<lab_order::Model> {
    let o = find(cx, id).await?;
    if !cx.in_scope(Some(o.practice_id)) {
        return Err(not_found());
    }
    Ok(o)
}

/// The order with every version of its results.
pub async fn show(cx: &TenantPrincipal, id: LabOrderId) -> ServiceResult<LabOrderOut> {
    let o = find(cx, id).await?;
    let results = lab_result::of_orders(cx.db(), &[o.id]).await?;
    Ok(LabOrderOut::new(&o, &results))
}

/// The lab orders of a visit with their results, oldest first (staff only).
pub async fn of_visit(cx: &TenantPrincipal, visit: VisitId) -> ServiceResult<Vec<LabOrderOut>> {
    let v = visits::find(cx, visit).await?;
    let orders = lab_order::of_visit(cx.db(), v.id).await?;
    let ids: Vec<LabOrderId> = orders.iter().map(|o| o.id).collect();
    let results = lab_result::of_orders(cx.db(), &ids).await?;
    Ok(orders
        .iter()
        .map(|o| LabOrderOut::new(o, &results))
        .collect())
}

async fn audit(
    w: &Work,
    action: &str,
    before: Option<&lab_order::Model>,
    after: &lab_order::Model,
    results: &[lab_result::Model],
) -> ServiceResult<()> {
    w.audit(Change {
        action,
        entity: "lab_order",
        entity_id: Some(after.id.into()),
        practice_id: Some(after.practice_id),
        before: before.and_then(|b| serde_json::to_value(LabOrderOut::new(b, results)).ok()),
        after: serde_json::to_value(LabOrderOut::new(after, results)).ok(),
    })
    .await
}

/// Orders tests for a patient.
pub async fn create(cx: &TenantPrincipal, input: NewLabOrder) -> ServiceResult<LabOrderOut> {
    let mut errs = Errors::default();
    let pet_id = errs.id("petId", input.pet_id);
    let visit_id = input.visit_id.and_then(|v| errs.id("visitId", v));
    let mut tests = Vec::new();
    match input.tests.as_deref() {
        None | Some([]) => errs.add("tests", "name at least one test"),
        Some(ts) if ts.len() > MAX_ITEMS => {
            errs.add("tests", format!("at most {MAX_ITEMS} tests per order"))
        }
        Some(ts) => {
            for (i, t) in ts.iter().enumerate() {
                let code = errs.required(&format!("tests[{i}].code"), t.code.as_deref(), 40);
                let name = errs.required(&format!("tests[{i}].name"), t.name.as_deref(), 200);
                tests.push(json!({"code": code, "name": name}));
            }
        }
    }
    errs.finish()?;
    let pet_id = pet_id.ok_or_else(|| ServiceError::internal("pet id checked above"))?;
    let pet = writable_patient(cx, pet_id)
        .await
        .map_err(|_| ServiceError::invalid("petId", "unknown pet"))?;
    let visit = visits::of_pet(cx, visit_id, pet.id).await?;
    let practice =
        practices::for_input(cx, input.practice_id, visit.as_ref().map(|v| v.practice_id)).await?;
    let now = cx.now();
    let o = lab_order::Model {
        id: LabOrderId::new(),
        patient_id: pet.id,
        practice_id: practice.id,
        visit_id: visit.map(|v| v.id),
        tests: Value::Array(tests),
        status: LabOrderStatus::Ordered,
        ordered_by: Some(cx.user.id),
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
        reviewed_version: None,
        created_at: now,
        updated_at: now,
    };
    let saved = cx
        .write(|w| async move {
            let saved = lab_order::insert(w.tx(), o).await?;
            audit(&w, "create", None, &saved, &[]).await?;
            Ok(saved)
        })
        .await?;
    Ok(LabOrderOut::new(&saved, &[]))
}

/// Checks and flags a posting's values.
fn flagged(errs: &mut Errors, values: Option<&[ValueIn]>) -> Vec<ValueOut> {
    let mut out = Vec::new();
    let vs = match values {
        None | Some([]) => {
            errs.add("values", "post at least one value");
            return out;
        }
        Some(vs) if vs.len() > MAX_ITEMS => {
            errs.add("values", format!("at most {MAX_ITEMS} values per posting"));
            return out;
        }
        Some(vs) => vs,
    };
    for (i, v) in vs.iter().enumerate() {
        let analyte = errs.required(&format!("values[{i}].analyte"), v.analyte.as_deref(), 100);
        let unit = errs.optional(&format!("values[{i}].unit"), v.unit.as_deref(), 40);
        let Some(value) = v.value.filter(|x| x.is_finite()) else {
            errs.add(format!("values[{i}].value"), "is required (a number)");
            continue;
        };
        if let (Some(l), Some(h)) = (v.reference_low, v.reference_high)
            && l > h
        {
            errs.add(
                format!("values[{i}].referenceLow"),
                "must not be above referenceHigh",
            );
        }
        let flag: Option<LabFlag> = clinical::flag(value, v.reference_low, v.reference_high);
        out.push(ValueOut {
            analyte,
            value,
            unit,
            reference_low: v.reference_low,
            reference_high: v.reference_high,
            flag: flag.map(|f| f.as_str().to_owned()),
        });
    }
    out
}

/// Posts results: a new version after the ones before, which stay readable. A posting
/// after a review makes the order `resulted` again (the review was of an earlier version).
pub async fn post_results(
    cx: &TenantPrincipal,
    id: LabOrderId,
    input: NewResults,
) -> ServiceResult<LabOrderOut> {
    let before = writable(cx, id).await?;
    let mut errs = Errors::default();
    let values = flagged(&mut errs, input.values.as_deref());
    errs.finish()?;
    let now = cx.now();
    let user = cx.user.id;
    let (saved, results) = cx
        .write(|w| async move {
            let mut results = lab_result::of_orders(w.tx(), &[before.id]).await?;
            let version = results.last().map_or(1, |r| r.version + 1);
            let r = lab_result::insert(
                w.tx(),
                lab_result::Model {
                    id: LabResultId::new(),
                    order_id: before.id,
                    patient_id: before.patient_id,
                    version,
                    results: serde_json::to_value(&values).map_err(ServiceError::internal)?,
                    posted_by: Some(user),
                    created_at: now,
                },
            )
            .await
            .map_err(ServiceError::from)
            .conflict_as(
                "results_changed",
                "results of this order were posted at the same time; reload it and try again",
            )?;
            results.push(r);
            let mut o = before.clone();
            o.status = LabOrderStatus::Resulted;
            o.updated_at = now;
            let saved = lab_order::update(w.tx(), o).await?;
            audit(&w, "results", Some(&before), &saved, &results).await?;
            Ok((saved, results))
        })
        .await?;
    Ok(LabOrderOut::new(&saved, &results))
}

/// A veterinarian's review of the latest version of the results.
pub async fn review(
    cx: &TenantPrincipal,
    id: LabOrderId,
    input: Review,
) -> ServiceResult<LabOrderOut> {
    let before = writable(cx, id).await?;
    let mut errs = Errors::default();
    let note = errs.optional("note", input.note.as_deref(), clinical::MAX_NOTE_TEXT);
    errs.finish()?;
    let results = lab_result::of_orders(cx.db(), &[before.id]).await?;
    let Some(latest) = results.last() else {
        return Err(ServiceError::conflict(
            "no_results",
            "the order has no results to review yet",
        ));
    };
    let now = cx.now();
    let mut o = before.clone();
    o.status = LabOrderStatus::Reviewed;
    o.reviewed_by = Some(cx.user.id);
    o.reviewed_at = Some(now);
    o.review_note = note;
    o.reviewed_version = Some(latest.version);
    o.updated_at = now;
    let saved = cx
        .write(|w| {
            let results = results.clone();
            async move {
                let saved = lab_order::update(w.tx(), o).await?;
                audit(&w, "review", Some(&before), &saved, &results).await?;
                Ok(saved)
            }
        })
        .await?;
    Ok(LabOrderOut::new(&saved, &results))
}
