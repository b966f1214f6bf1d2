//! SOAP notes: written and edited while draft; locked when signed, or by themselves once the
//! practice's window (`recordLockHours`, kept on the note when it is written) has passed. A
//! locked note is never changed or deleted: what became known later is an addendum, and a
//! note written by mistake is marked entered in error, with a reason, and stays readable.
//! A weight in the vitals is also a weighing in the patient's weight history.

use serde::{Deserialize, Serialize};
use serde_json::json;
use smartdmv_domain::clinical::{self, NoteStatus, Vitals};
use smartdmv_domain::patient::WeightUnit;
use smartdmv_domain::{AddendumId, IdInput, NoteId, PatientId, PracticeId, UserId, VisitId};
use smartdmv_store::tenant::{note_addendum, patient_weight, practice, soap_note};
use std::collections::HashMap;

use super::visits;
use crate::fields::Errors;
use crate::patients::weights::{self, Weighing};
use crate::work::{Change, Work};
use crate::{Refusal, ServiceError, ServiceResult, TenantPrincipal, patients, rfc3339};

/// Vitals as given; each is optional.
#[derive(Debug, Default, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VitalsIn {
    pub temperature_c: Option<f64>,
    pub heart_rate: Option<i32>,
    pub respiratory_rate: Option<i32>,
    pub weight_kg: Option<f64>,
}

impl From<VitalsIn> for Vitals {
    fn from(v: VitalsIn) -> Self {
        Vitals {
            temperature_c: v.temperature_c,
            heart_rate: v.heart_rate,
            respiratory_rate: v.respiratory_rate,
            weight_kg: v.weight_kg,
        }
    }
}

/// A new note of a visit.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewNote {
    pub visit_id: IdInput<VisitId>,
    pub subjective: Option<String>,
    pub objective: Option<String>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
    pub vitals: Option<VitalsIn>,
}

/// Changes to a draft note; absent fields stay, `vitals` replaces the vitals whole.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NoteChanges {
    pub subjective: Option<String>,
    pub objective: Option<String>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
    pub vitals: Option<VitalsIn>,
}

/// An addendum to a note.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAddendum {
    pub text: Option<String>,
    pub reason: Option<String>,
}

/// Why a note is marked entered in error.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorMark {
    pub reason: Option<String>,
}

/// An addendum as answers show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddendumOut {
    pub id: AddendumId,
    pub note_id: NoteId,
    pub text: String,
    pub reason: String,
    pub author_id: UserId,
    pub created_at: String,
}

impl From<&note_addendum::Model> for AddendumOut {
    fn from(a: &note_addendum::Model) -> Self {
        Self {
            id: a.id,
            note_id: a.note_id,
            text: a.text.clone(),
            reason: a.reason.clone(),
            author_id: a.author_id,
            created_at: rfc3339(a.created_at),
        }
    }
}

/// The entered-in-error mark of a note.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorOut {
    pub reason: Option<String>,
    pub by: Option<UserId>,
    pub at: String,
}

/// A note as answers and the audit log show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteOut {
    pub id: NoteId,
    pub visit_id: VisitId,
    pub pet_id: PatientId,
    pub practice_id: PracticeId,
    pub author_id: UserId,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub vitals: VitalsIn,
    /// The weighing the vitals' weight became.
    pub weight_id: Option<String>,
    pub status: NoteStatus,
    pub locked_at: Option<String>,
    pub signed_by: Option<UserId>,
    pub signed_at: Option<String>,
    pub entered_in_error: Option<ErrorOut>,
    pub addenda: Vec<AddendumOut>,
    pub created_at: String,
    pub updated_at: String,
}

/// The state of a note at `now`: status and when it locked.
pub fn state(
    n: &soap_note::Model,
    now: smartdmv_store::Stamp,
) -> (NoteStatus, Option<jiff::Timestamp>) {
    clinical::note_state(
        n.created_at.0,
        n.signed_at.map(|s| s.0),
        n.lock_hours,
        now.0,
    )
}

/// Whether nothing of the note may change any more: locked, signed or marked in error.
pub fn is_locked(n: &soap_note::Model, now: smartdmv_store::Stamp) -> bool {
    n.error_at.is_some() || state(n, now).0 != NoteStatus::Draft
}

impl NoteOut {
    pub fn new(
        n: soap_note::Model,
        addenda: &[note_addendum::Model],
        now: smartdmv_store::Stamp,
    ) -> Self {
        let (status, locked_at) = state(&n, now);
        Self {
            id: n.id,
            visit_id: n.visit_id,
            pet_id: n.patient_id,
            practice_id: n.practice_id,
            author_id: n.author_id,
            subjective: n.subjective,
            objective: n.objective,
            assessment: n.assessment,
            plan: n.plan,
            vitals: VitalsIn {
                temperature_c: n.temperature_c,
                heart_rate: n.heart_rate,
                respiratory_rate: n.respiratory_rate,
                weight_kg: n.weight_kg,
            },
            weight_id: n.weight_id.map(|w| w.to_string()),
            status,
            locked_at: locked_at.map(|t| t.to_string()),
            signed_by: n.signed_by,
            signed_at: n.signed_at.map(rfc3339),
            entered_in_error: n.error_at.map(|at| ErrorOut {
                reason: n.error_reason.clone(),
                by: n.error_by,
                at: rfc3339(at),
            }),
            addenda: addenda
                .iter()
                .filter(|a| a.note_id == n.id)
                .map(AddendumOut::from)
                .collect(),
            created_at: rfc3339(n.created_at),
            updated_at: rfc3339(n.updated_at),
        }
    }
}

/// Notes with their addenda, in the given order.
pub(crate) async fn outs(
    cx: &TenantPrincipal,
    notes: Vec<soap_note::Model>,
) -> ServiceResult<Vec<NoteOut>> {
    let ids: Vec<NoteId> = notes.iter().map(|n| n.id).collect();
    let addenda = note_addendum::of_notes(cx.db(), &ids).await?;
    let now = cx.now();
    Ok(notes
        .into_iter()
        .map(|n| NoteOut::new(n, &addenda, now))
        .collect())
}

/// Whether a client may see a note: a signed note (not marked in error) of their own pet,
/// in a practice that lets the portal show notes.
pub(crate) fn client_may_see(n: &soap_note::Model, shown: &HashMap<PracticeId, bool>) -> bool {
    n.signed_at.is_some() && n.error_at.is_none() && shown.get(&n.practice_id) == Some(&true)
}

/// Which practices let the portal show notes.
pub(crate) async fn portal_practices(
    cx: &TenantPrincipal,
) -> ServiceResult<HashMap<PracticeId, bool>> {
    Ok(practice::list(cx.db())
        .await?
        .into_iter()
        .map(|p| (p.id, p.portal_shows_notes))
        .collect())
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("note")
}

/// A note the caller may read.
pub async fn find(cx: &TenantPrincipal, id: NoteId) -> ServiceResult<soap_note::Model> {
    let n = soap_note::find(cx.db(), id).await?.ok_or_else(not_found)?;
    if cx.is_client() {
        // Their own pet (patients::get answers not found otherwise), and a note they may see.
        patients::get(cx, n.patient_id)
            .await
            .map_err(|_| not_found())?;
        if !client_may_see(&n, &portal_practices(cx).await?) {
            return Err(not_found());
        }
    }
    Ok(n)
}

/// A note with its addenda.
pub async fn show(cx: &TenantPrincipal, id: NoteId) -> ServiceResult<NoteOut> {
    let n = find(cx, id).await?;
    Ok(outs(cx, vec![n]).await?.remove(0))
}

/// A note the caller may write on: staff of the note's practice.
async fn writable(cx: &TenantPrincipal, id: NoteId) -> ServiceResult<soap_note::Model> {
    if cx.is_client() {
        return Err(not_found());
    }
    soap_note::find(cx.db(), id)
        .await?
        .filter(|n| cx.in_scope(Some(n.practice_id)))
        .ok_or_else(not_found)
}

/// 409 `record_locked` for a note that may no longer change.
fn require_draft(n: &soap_note::Model, now: smartdmv_store::Stamp) -> ServiceResult<()> {
    if !is_locked(n, now) {
        return Ok(());
    }
    let (status, at) = state(n, now);
    Err(ServiceError::Conflict(
        Refusal::new(
            "record_locked",
            "the note is locked and never changes; add an addendum or mark it entered in error",
        )
        .with("status", json!(status.as_str()))
        .with("lockedAt", json!(at.map(|t| t.to_string())))
        .with("enteredInError", json!(n.error_at.is_some())),
    ))
}

fn check_vitals(errs: &mut Errors, v: &VitalsIn) {
    for (field, message) in clinical::check_vitals(&(*v).into()) {
        errs.add(format!("vitals.{field}"), message);
    }
}

fn snapshot(n: &soap_note::Model, now: smartdmv_store::Stamp) -> Option<serde_json::Value> {
    serde_json::to_value(NoteOut::new(n.clone(), &[], now)).ok()
}

async fn audit(
    w: &Work,
    action: &str,
    before: Option<&soap_note::Model>,
    after: Option<&soap_note::Model>,
    now: smartdmv_store::Stamp,
) -> ServiceResult<()> {
    let m = after
        .or(before)
        .ok_or_else(|| ServiceError::internal("a note to audit"))?;
    w.audit(Change {
        action,
        entity: "soap_note",
        entity_id: Some(m.id.into()),
        practice_id: Some(m.practice_id),
        before: before.and_then(|b| snapshot(b, now)),
        after: after.and_then(|a| snapshot(a, now)),
    })
    .await
}

/// Makes the patient's weight history follow the note's weight: a new weighing for a new
/// weight, the same weighing corrected for a changed one, removed with the weight.
async fn follow_weight(
    cx: &TenantPrincipal,
    w: &Work,
    n: &mut soap_note::Model,
) -> ServiceResult<()> {
    let existing = match n.weight_id {
        Some(id) => patient_weight::find(w.tx(), id).await?,
        None => None,
    };
    match (n.weight_kg, existing) {
        (None, None) => n.weight_id = None,
        (Some(kg), None) => {
            let saved = weights::record(
                cx,
                w,
                n.patient_id,
                Weighing {
                    value: kg,
                    unit: WeightUnit::Kg,
                    measured_at: n.created_at,
                },
            )
            .await?;
            n.weight_id = Some(saved.id);
        }
        (Some(kg), Some(old)) => {
            if old.value != kg || old.unit != WeightUnit::Kg {
                let mut m = old.clone();
                m.value = kg;
                m.unit = WeightUnit::Kg;
                weights::correct(cx, w, &old, m).await?;
            }
        }
        (None, Some(old)) => {
            weights::remove(cx, w, &old).await?;
            n.weight_id = None;
        }
    }
    Ok(())
}

/// A new draft note of an open visit the caller works at.
pub async fn create(cx: &TenantPrincipal, input: NewNote) -> ServiceResult<NoteOut> {
    let mut errs = Errors::default();
    let visit_id = errs.id("visitId", input.visit_id);
    let subjective = super::section(&mut errs, "subjective", input.subjective.as_deref());
    let objective = super::section(&mut errs, "objective", input.objective.as_deref());
    let assessment = super::section(&mut errs, "assessment", input.assessment.as_deref());
    let plan = super::section(&mut errs, "plan", input.plan.as_deref());
    let vitals = input.vitals.unwrap_or_default();
    check_vitals(&mut errs, &vitals);
    errs.finish()?;
    let visit_id = visit_id.ok_or_else(|| ServiceError::internal("visit id checked above"))?;
    let visit = visits::writable(cx, visit_id)
        .await
        .map_err(|_| ServiceError::invalid("visitId", "unknown visit"))?;
    visits::require_open(&visit)?;
    let practice = super::practice_in_scope(cx, visit.practice_id, "visit").await?;
    let now = cx.now();
    let mut n = soap_note::Model {
        id: NoteId::new(),
        visit_id: visit.id,
        patient_id: visit.patient_id,
        practice_id: visit.practice_id,
        author_id: cx.user.id,
        subjective,
        objective,
        assessment,
        plan,
        temperature_c: vitals.temperature_c,
        heart_rate: vitals.heart_rate,
        respiratory_rate: vitals.respiratory_rate,
        weight_kg: vitals.weight_kg,
        weight_id: None,
        lock_hours: practice.record_lock_hours,
        signed_by: None,
        signed_at: None,
        error_by: None,
        error_at: None,
        error_reason: None,
        created_at: now,
        updated_at: now,
    };
    let saved = cx
        .write(|w| async move {
            follow_weight(cx, &w, &mut n).await?;
            let saved = soap_note::insert(w.tx(), n).await?;
            audit(&w, "create", None, Some(&saved), now).await?;
            Ok(saved)
        })
        .await?;
    Ok(NoteOut::new(saved, &[], now))
}

/// Edits a draft note (409 `record_locked` once it is locked).
pub async fn update(cx: &TenantPrincipal, id: NoteId, c: NoteChanges) -> ServiceResult<NoteOut> {
    let before = writable(cx, id).await?;
    let now = cx.now();
    require_draft(&before, now)?;
    let mut errs = Errors::default();
    let mut n = before.clone();
    if c.subjective.is_some() {
        n.subjective = super::section(&mut errs, "subjective", c.subjective.as_deref());
    }
    if c.objective.is_some() {
        n.objective = super::section(&mut errs, "objective", c.objective.as_deref());
    }
    if c.assessment.is_some() {
        n.assessment = super::section(&mut errs, "assessment", c.assessment.as_deref());
    }
    if c.plan.is_some() {
        n.plan = super::section(&mut errs, "plan", c.plan.as_deref());
    }
    if let Some(v) = c.vitals {
        check_vitals(&mut errs, &v);
        n.temperature_c = v.temperature_c;
        n.heart_rate = v.heart_rate;
        n.respiratory_rate = v.respiratory_rate;
        n.weight_kg = v.weight_kg;
    }
    errs.finish()?;
    n.updated_at = now;
    let saved = cx
        .write(|w| async move {
            follow_weight(cx, &w, &mut n).await?;
            let saved = soap_note::update(w.tx(), n).await?;
            audit(&w, "update", Some(&before), Some(&saved), now).await?;
            Ok(saved)
        })
        .await?;
    show_model(cx, saved).await
}

async fn show_model(cx: &TenantPrincipal, n: soap_note::Model) -> ServiceResult<NoteOut> {
    Ok(outs(cx, vec![n]).await?.remove(0))
}

/// Signs a note: it locks from now. A note that locked by itself unsigned may still be
/// signed (its text does not change); a signed note or one marked in error may not.
pub async fn sign(cx: &TenantPrincipal, id: NoteId) -> ServiceResult<NoteOut> {
    let before = writable(cx, id).await?;
    let now = cx.now();
    if before.signed_at.is_some() || before.error_at.is_some() {
        return Err(ServiceError::conflict(
            "record_locked",
            if before.signed_at.is_some() {
                "the note is already signed"
            } else {
                "the note is marked entered in error"
            },
        ));
    }
    let mut n = before.clone();
    n.signed_at = Some(now);
    n.signed_by = Some(cx.user.id);
    n.updated_at = now;
    let saved = cx
        .write(|w| async move {
            let saved = soap_note::update(w.tx(), n).await?;
            audit(&w, "sign", Some(&before), Some(&saved), now).await?;
            Ok(saved)
        })
        .await?;
    show_model(cx, saved).await
}

/// Deletes a draft note (and the weighing its vitals made).
pub async fn delete(cx: &TenantPrincipal, id: NoteId) -> ServiceResult<()> {
    let before = writable(cx, id).await?;
    let now = cx.now();
    require_draft(&before, now)?;
    cx.write(|w| async move {
        if let Some(wid) = before.weight_id
            && let Some(old) = patient_weight::find(w.tx(), wid).await?
        {
            weights::remove(cx, &w, &old).await?;
        }
        soap_note::delete(w.tx(), before.id).await?;
        audit(&w, "delete", Some(&before), None, now).await
    })
    .await
}

/// Adds an addendum to a note: the note's own text never changes.
pub async fn add_addendum(
    cx: &TenantPrincipal,
    id: NoteId,
    input: NewAddendum,
) -> ServiceResult<NoteOut> {
    let note = writable(cx, id).await?;
    let mut errs = Errors::default();
    let text = errs.required("text", input.text.as_deref(), clinical::MAX_NOTE_TEXT);
    let reason = errs.required("reason", input.reason.as_deref(), clinical::MAX_REASON);
    errs.finish()?;
    let a = note_addendum::Model {
        id: AddendumId::new(),
        note_id: note.id,
        patient_id: note.patient_id,
        author_id: cx.user.id,
        text,
        reason,
        created_at: cx.now(),
    };
    let practice_id = note.practice_id;
    cx.write(|w| async move {
        let saved = note_addendum::insert(w.tx(), a).await?;
        w.audit(Change {
            action: "create",
            entity: "note_addendum",
            entity_id: Some(saved.id.into()),
            practice_id: Some(practice_id),
            before: None,
            after: serde_json::to_value(AddendumOut::from(&saved)).ok(),
        })
        .await
    })
    .await?;
    show_model(cx, note).await
}

/// Marks a note entered in error, with a reason. It stays readable and in the history.
pub async fn mark_entered_in_error(
    cx: &TenantPrincipal,
    id: NoteId,
    input: ErrorMark,
) -> ServiceResult<NoteOut> {
    let before = writable(cx, id).await?;
    let mut errs = Errors::default();
    let reason = errs.required("reason", input.reason.as_deref(), clinical::MAX_REASON);
    errs.finish()?;
    if before.error_at.is_some() {
        return Err(ServiceError::conflict(
            "already_entered_in_error",
            "the note is already marked entered in error",
        ));
    }
    let now = cx.now();
    let mut n = before.clone();
    n.error_at = Some(now);
    n.error_by = Some(cx.user.id);
    n.error_reason = Some(reason);
    n.updated_at = now;
    let saved = cx
        .write(|w| async move {
            let saved = soap_note::update(w.tx(), n).await?;
            audit(&w, "entered_in_error", Some(&before), Some(&saved), now).await?;
            Ok(saved)
        })
        .await?;
    show_model(cx, saved).await
}
