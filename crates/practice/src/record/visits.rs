//! Visits: opened by an appointment's check-in (in the check-in's own unit of work) or
//! directly for a walk-in; closed only when none of its notes is left unsigned.

use serde::{Deserialize, Serialize};
use serde_json::json;
use smartdmv_domain::clinical::VisitStatus;
use smartdmv_domain::{AppointmentId, IdInput, PatientId, PracticeId, UserId, VisitId};
use smartdmv_store::tenant::{appointment, soap_note, user, visit};
use uuid::Uuid;

use super::notes::NoteOut;
use super::writable_patient;
use crate::audited::{Audited, change};
use crate::fields::Errors;
use crate::work::Work;
use crate::{Refusal, ServiceError, ServiceResult, TenantPrincipal, practices, rfc3339};

/// A walk-in visit (or one for an appointment that has none yet).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewVisit {
    pub pet_id: IdInput<PatientId>,
    pub appointment_id: Option<IdInput<AppointmentId>>,
    /// Defaults to the appointment's practice, or the caller's only practice.
    pub practice_id: Option<IdInput<PracticeId>>,
    /// Defaults to the appointment's veterinarian, or the caller.
    pub veterinarian_id: Option<IdInput<UserId>>,
    pub reason: Option<String>,
}

/// A visit as answers and the audit log show it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitOut {
    pub id: VisitId,
    pub practice_id: PracticeId,
    pub pet_id: PatientId,
    pub appointment_id: Option<AppointmentId>,
    pub veterinarian_id: Option<UserId>,
    pub reason: Option<String>,
    pub status: VisitStatus,
    pub opened_by: Option<UserId>,
    pub closed_by: Option<UserId>,
    pub closed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<visit::Model> for VisitOut {
    fn from(m: visit::Model) -> Self {
        Self {
            id: m.id,
            practice_id: m.practice_id,
            pet_id: m.patient_id,
            appointment_id: m.appointment_id,
            veterinarian_id: m.veterinarian_id,
            reason: m.reason,
            status: m.status,
            opened_by: m.opened_by,
            closed_by: m.closed_by,
            closed_at: m.closed_at.map(rfc3339),
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

impl Audited for visit::Model {
    const ENTITY: &'static str = "visit";
    type Out = VisitOut;
    fn entity_id(&self) -> Uuid {
        self.id.0
    }
    fn practice_id(&self) -> Option<PracticeId> {
        Some(self.practice_id)
    }
}

/// A visit with its notes, as `GET /api/visits/{id}` answers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitAnswer {
    #[serde(flatten)]
    pub visit: VisitOut,
    pub notes: Vec<NoteOut>,
}

/// A visit the caller may see (staff: any of the company's; not clients).
pub async fn find(cx: &TenantPrincipal, id: VisitId) -> ServiceResult<visit::Model> {
    if cx.is_client() {
        return Err(ServiceError::NotFound("visit"));
    }
    visit::find(cx.db(), id)
        .await?
        .ok_or(ServiceError::NotFound("visit"))
}

/// A visit the caller may write into: in a practice they work in.
pub(crate) async fn writable(cx: &TenantPrincipal, id: VisitId) -> ServiceResult<visit::Model> {
    let v = find(cx, id).await?;
    if !cx.in_scope(Some(v.practice_id)) {
        return Err(ServiceError::NotFound("visit"));
    }
    Ok(v)
}

/// The visit an input names for a record of `pet` (a problem, a lab order, a file): one the
/// caller may write into, of that pet; 422 `visitId` otherwise.
pub(crate) async fn of_pet(
    cx: &TenantPrincipal,
    visit: Option<VisitId>,
    pet: PatientId,
) -> ServiceResult<Option<visit::Model>> {
    let Some(id) = visit else {
        return Ok(None);
    };
    writable(cx, id)
        .await
        .ok()
        .filter(|v| v.patient_id == pet)
        .map(Some)
        .ok_or_else(|| ServiceError::invalid("visitId", "unknown visit of this pet"))
}

/// 409 `visit_closed` for a closed visit.
pub(crate) fn require_open(v: &visit::Model) -> ServiceResult<()> {
    if v.status == VisitStatus::Open {
        Ok(())
    } else {
        Err(ServiceError::Conflict(
            Refusal::new(
                "visit_closed",
                "the visit is closed; nothing more is written to it",
            )
            .with("visitId", json!(v.id.to_string())),
        ))
    }
}

/// The visit with its notes.
pub async fn show(cx: &TenantPrincipal, id: VisitId) -> ServiceResult<VisitAnswer> {
    let v = find(cx, id).await?;
    let notes = soap_note::of_visit(cx.db(), v.id).await?;
    Ok(VisitAnswer {
        notes: super::notes::outs(cx, notes).await?,
        visit: v.into(),
    })
}

fn opened(
    cx: &TenantPrincipal,
    practice_id: PracticeId,
    patient_id: PatientId,
    appointment_id: Option<AppointmentId>,
    veterinarian_id: Option<UserId>,
    reason: Option<String>,
) -> visit::Model {
    let now = cx.now();
    visit::Model {
        id: VisitId::new(),
        practice_id,
        patient_id,
        appointment_id,
        veterinarian_id,
        reason,
        status: VisitStatus::Open,
        opened_by: Some(cx.user.id),
        closed_by: None,
        closed_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Opens the visit of an appointment being checked in, in the check-in's unit of work.
pub(crate) async fn open_for_check_in(
    cx: &TenantPrincipal,
    w: &Work,
    a: &appointment::Model,
) -> ServiceResult<visit::Model> {
    if let Some(v) = visit::of_appointment(w.tx(), a.id).await? {
        return Ok(v);
    }
    let v = opened(
        cx,
        a.practice_id,
        a.patient_id,
        Some(a.id),
        a.veterinarian_id,
        a.reason.clone(),
    );
    let saved = visit::insert(w.tx(), v).await?;
    w.audit(change("open", None, Some(&saved))).await?;
    Ok(saved)
}

/// Opens a visit: a walk-in, or for an appointment of the pet that has none yet (the
/// appointment then carries it).
pub async fn open(cx: &TenantPrincipal, input: NewVisit) -> ServiceResult<VisitOut> {
    let mut errs = Errors::default();
    let pet_id = errs.id("petId", input.pet_id);
    let reason = errs.optional(
        "reason",
        input.reason.as_deref(),
        smartdmv_domain::clinical::MAX_REASON,
    );
    let vet = input
        .veterinarian_id
        .and_then(|v| errs.id("veterinarianId", v));
    let appt = input
        .appointment_id
        .and_then(|a| errs.id("appointmentId", a));
    errs.finish()?;
    let pet = match pet_id {
        Some(id) => writable_patient(cx, id)
            .await
            .map_err(|_| ServiceError::invalid("petId", "unknown pet"))?,
        None => return Err(ServiceError::internal("pet id checked above")),
    };
    if pet.deceased_on.is_some() || !pet.active {
        return Err(ServiceError::conflict(
            "patient_inactive",
            format!(
                "{} is deceased or deactivated; no visit can be opened",
                pet.name
            ),
        ));
    }
    let appointment = match appt {
        None => None,
        Some(id) => {
            let a = appointment::find(cx.db(), id)
                .await?
                .filter(|a| a.patient_id == pet.id && cx.in_scope(Some(a.practice_id)))
                .ok_or_else(|| {
                    ServiceError::invalid("appointmentId", "unknown appointment of this pet")
                })?;
            if let Some(v) = a.visit_id {
                return Err(ServiceError::Conflict(
                    Refusal::new("visit_exists", "the appointment already has its visit")
                        .with("visitId", json!(v.to_string())),
                ));
            }
            Some(a)
        }
    };
    let practice = practices::for_input(
        cx,
        input.practice_id,
        appointment.as_ref().map(|a| a.practice_id),
    )
    .await?;
    practices::require_open(&practice)?;
    let veterinarian = match vet.or(appointment.as_ref().and_then(|a| a.veterinarian_id)) {
        Some(id) => Some(
            user::find(cx.db(), id)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| ServiceError::invalid("veterinarianId", "unknown user"))?
                .id,
        ),
        None => (!cx.is_client()).then_some(cx.user.id),
    };
    let v = opened(
        cx,
        practice.id,
        pet.id,
        appointment.as_ref().map(|a| a.id),
        veterinarian,
        reason,
    );
    let saved = cx
        .write(|w| async move {
            let saved = visit::insert(w.tx(), v).await?;
            if let Some(a) = appointment {
                let mut n = a.clone();
                n.visit_id = Some(saved.id);
                appointment::update(w.tx(), n).await?;
            }
            w.audit(change("open", None, Some(&saved))).await?;
            Ok(saved)
        })
        .await?;
    Ok(saved.into())
}

/// Closes an open visit; refused while any of its notes is unsigned (and not marked entered
/// in error).
pub async fn close(cx: &TenantPrincipal, id: VisitId) -> ServiceResult<VisitOut> {
    let before = writable(cx, id).await?;
    require_open(&before)?;
    let now = cx.now();
    let mut m = before.clone();
    m.status = VisitStatus::Closed;
    m.closed_by = Some(cx.user.id);
    m.closed_at = Some(now);
    m.updated_at = now;
    let saved = cx
        .write(|w| async move {
            // Judged inside the transaction, so a note written meanwhile is seen.
            let unsigned: Vec<String> = soap_note::of_visit(w.tx(), id)
                .await?
                .into_iter()
                .filter(|n| n.signed_at.is_none() && n.error_at.is_none())
                .map(|n| n.id.to_string())
                .collect();
            if !unsigned.is_empty() {
                return Err(ServiceError::Conflict(
                    Refusal::new(
                        "unsigned_notes",
                        format!(
                            "{} note(s) of this visit are not signed; sign them (or mark them entered in error) first",
                            unsigned.len()
                        ),
                    )
                    .with("noteIds", json!(unsigned)),
                ));
            }
            let saved = visit::update(w.tx(), m).await?;
            w.audit(change("close", Some(&before), Some(&saved))).await?;
            Ok(saved)
        })
        .await?;
    Ok(saved.into())
}
