//! A patient's problem list: problems span visits and move between active, chronic and
//! resolved (resolving one records the day).

use serde::{Deserialize, Serialize};
use smartdmv_domain::clinical::ProblemStatus;
use smartdmv_domain::{IdInput, PatientId, PracticeId, ProblemId, UserId, VisitId};
use smartdmv_store::tenant::problem;
use uuid::Uuid;

use super::{readable_patient, visits, writable_patient};
use crate::audited::{Audited, save};
use crate::fields::{Errors, date_string};
use crate::{ServiceError, ServiceResult, TenantPrincipal, practices, rfc3339};

/// A new problem of a patient.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProblem {
    pub name: Option<String>,
    /// `active` (default), `chronic` or `resolved`.
    pub status: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    pub onset_on: Option<String>,
    pub notes: Option<String>,
    /// The visit it was found at.
    pub visit_id: Option<IdInput<VisitId>>,
    /// Defaults to the visit's practice, or the caller's only practice.
    pub practice_id: Option<IdInput<PracticeId>>,
}

/// Changes to a problem.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProblemChanges {
    pub name: Option<String>,
    pub status: Option<String>,
    pub onset_on: Option<String>,
    pub notes: Option<String>,
}

/// A problem as answers and the audit log show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemOut {
    pub id: ProblemId,
    pub pet_id: PatientId,
    pub practice_id: PracticeId,
    pub visit_id: Option<VisitId>,
    pub name: String,
    pub status: ProblemStatus,
    pub onset_on: Option<String>,
    pub resolved_on: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<problem::Model> for ProblemOut {
    fn from(m: problem::Model) -> Self {
        Self {
            id: m.id,
            pet_id: m.patient_id,
            practice_id: m.practice_id,
            visit_id: m.visit_id,
            name: m.name,
            status: m.status,
            onset_on: m.onset_on.map(date_string),
            resolved_on: m.resolved_on.map(date_string),
            notes: m.notes,
            created_by: m.created_by,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

impl Audited for problem::Model {
    const ENTITY: &'static str = "problem";
    type Out = ProblemOut;
    fn entity_id(&self) -> Uuid {
        self.id.0
    }
    fn practice_id(&self) -> Option<PracticeId> {
        Some(self.practice_id)
    }
}

fn status(errs: &mut Errors, raw: Option<&str>) -> Option<ProblemStatus> {
    let raw = raw?;
    let s = ProblemStatus::parse(raw.trim());
    if s.is_none() {
        errs.add("status", "must be one of active, chronic, resolved");
    }
    s
}

fn onset(errs: &mut Errors, raw: Option<&str>) -> Option<smartdmv_store::Day> {
    raw.filter(|r| !r.trim().is_empty())
        .and_then(|r| errs.past_date("onsetOn", r))
}

/// A patient's problems, oldest first (clients: not shown).
pub async fn list(cx: &TenantPrincipal, pet: PatientId) -> ServiceResult<Vec<ProblemOut>> {
    if cx.is_client() {
        return Err(ServiceError::NotFound("pet"));
    }
    let pet = readable_patient(cx, pet).await?;
    Ok(problem::of_patient(cx.db(), pet.id)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Adds a problem to a patient's list.
pub async fn create(
    cx: &TenantPrincipal,
    pet: PatientId,
    input: NewProblem,
) -> ServiceResult<ProblemOut> {
    let pet = writable_patient(cx, pet).await?;
    let mut errs = Errors::default();
    let name = errs.required("name", input.name.as_deref(), 200);
    let st = status(&mut errs, input.status.as_deref()).unwrap_or(ProblemStatus::Active);
    let onset_on = onset(&mut errs, input.onset_on.as_deref());
    let notes = errs.optional(
        "notes",
        input.notes.as_deref(),
        smartdmv_domain::clinical::MAX_NOTE_TEXT,
    );
    let visit_id = input.visit_id.and_then(|v| errs.id("visitId", v));
    errs.finish()?;
    let visit = visits::of_pet(cx, visit_id, pet.id).await?;
    let practice =
        practices::for_input(cx, input.practice_id, visit.as_ref().map(|v| v.practice_id)).await?;
    let now = cx.now();
    let m = problem::Model {
        id: ProblemId::new(),
        patient_id: pet.id,
        practice_id: practice.id,
        visit_id: visit.map(|v| v.id),
        name,
        status: st,
        onset_on,
        resolved_on: (st == ProblemStatus::Resolved).then(|| smartdmv_store::Day(now.date())),
        notes,
        created_by: Some(cx.user.id),
        created_at: now,
        updated_at: now,
    };
    Ok(save(cx, "create", None, m).await?.into())
}

/// Renames, re-dates or moves a problem between active, chronic and resolved.
pub async fn update(
    cx: &TenantPrincipal,
    id: ProblemId,
    c: ProblemChanges,
) -> ServiceResult<ProblemOut> {
    if cx.is_client() {
        return Err(ServiceError::NotFound("problem"));
    }
    let before = problem::find(cx.db(), id)
        .await?
        .filter(|p| cx.in_scope(Some(p.practice_id)))
        .ok_or(ServiceError::NotFound("problem"))?;
    let mut errs = Errors::default();
    let mut m = before.clone();
    if c.name.is_some() {
        m.name = errs.required("name", c.name.as_deref(), 200);
    }
    if let Some(s) = status(&mut errs, c.status.as_deref()) {
        m.status = s;
    }
    if let Some(raw) = c.onset_on.as_deref() {
        m.onset_on = onset(&mut errs, Some(raw));
    }
    if let Some(raw) = c.notes.as_deref() {
        m.notes = errs.optional("notes", Some(raw), smartdmv_domain::clinical::MAX_NOTE_TEXT);
    }
    errs.finish()?;
    let now = cx.now();
    m.resolved_on = match (before.status, m.status) {
        (_, s) if s != ProblemStatus::Resolved => None,
        (ProblemStatus::Resolved, _) => before.resolved_on,
        _ => Some(smartdmv_store::Day(now.date())),
    };
    m.updated_at = now;
    Ok(save(cx, "update", Some(&before), m).await?.into())
}
