//! The medical record's pages: a visit (its notes with vitals, signing, addenda,
//! entered-in-error marks, attachments, lab results with their flags, closing), a walk-in
//! from the patient's page, and the patient's history as a timeline. Every change goes
//! through the same services as `/api/visits`, `/api/soap-notes` and the rest.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use smartdmv_domain::clinical::VisitStatus;
use smartdmv_domain::{AttachmentId, IdInput, NoteId, PatientId, VisitId};
use smartdmv_practice::patients;
use smartdmv_practice::record::attachments::{self, AttachmentOut};
use smartdmv_practice::record::history::{self, HistoryItem};
use smartdmv_practice::record::labs::{self, LabOrderOut};
use smartdmv_practice::record::notes::{
    self, ErrorMark, NewAddendum, NewNote, NoteChanges, NoteOut, VitalsIn,
};
use smartdmv_practice::record::visits::{self, NewVisit, VisitOut};

use super::{Staff, chrome};
use crate::auth::perms::{
    LabOrdersRead, Perm, SoapNotesCreate, SoapNotesRead, SoapNotesSign, SoapNotesUpdate,
};
use crate::state::AppState;
use crate::upload::read_upload;
use crate::web::chrome::Chrome;
use crate::web::csrf::{Flash, MultipartForm};
use crate::web::display::page_id;
use crate::web::error::{WebError, WebResult};
use crate::web::posted::{Posted, Record};
use crate::web::{edit_result, html, redirect_flash};

/// A note form's fields as shown: a draft's text and vitals, or blank for a new note.
#[derive(Default)]
pub struct NoteFields {
    key: String,
    subjective: String,
    objective: String,
    assessment: String,
    plan: String,
    temperature_c: String,
    heart_rate: String,
    respiratory_rate: String,
    weight_kg: String,
}

fn shown<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

impl NoteFields {
    fn of(n: &NoteOut) -> Self {
        Self {
            key: format!("n{}", n.id),
            subjective: n.subjective.clone(),
            objective: n.objective.clone(),
            assessment: n.assessment.clone(),
            plan: n.plan.clone(),
            temperature_c: shown(n.vitals.temperature_c),
            heart_rate: shown(n.vitals.heart_rate),
            respiratory_rate: shown(n.vitals.respiratory_rate),
            weight_kg: shown(n.vitals.weight_kg),
        }
    }

    fn blank() -> Self {
        Self {
            key: "new".into(),
            ..Self::default()
        }
    }
}

/// A lab order as the visit page shows it: its tests, and the latest results with flags.
pub struct LabView {
    id: String,
    title: String,
    status: String,
    rows: Vec<[String; 4]>,
    /// "Version 2 of 2 · reviewed: ..." under the table.
    footer: String,
}

impl LabView {
    fn of(o: &LabOrderOut) -> Self {
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::Null => String::new(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let list = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
        let title = list(&o.tests)
            .iter()
            .map(|t| text(&t["name"]))
            .collect::<Vec<_>>()
            .join(", ");
        let (rows, footer) = match &o.latest {
            None => (Vec::new(), "No results yet.".to_owned()),
            Some(l) => (
                list(&l.values)
                    .iter()
                    .map(|v| {
                        [
                            text(&v["analyte"]),
                            format!("{} {}", text(&v["value"]), text(&v["unit"])),
                            format!("{}–{}", text(&v["referenceLow"]), text(&v["referenceHigh"])),
                            text(&v["flag"]),
                        ]
                    })
                    .collect(),
                format!(
                    "Version {} of {}{}",
                    l.version,
                    o.versions.len(),
                    match &o.review {
                        Some(r) => format!(
                            " · reviewed{}",
                            r.note
                                .as_deref()
                                .map(|n| format!(": {n}"))
                                .unwrap_or_default()
                        ),
                        None => String::new(),
                    }
                ),
            ),
        };
        Self {
            id: o.id.to_string(),
            title,
            status: o.status.to_string(),
            rows,
            footer,
        }
    }
}

#[derive(Template)]
#[template(path = "staff/visit.html")]
struct VisitPage {
    chrome: Chrome,
    visit: VisitOut,
    pet_name: String,
    notes: Vec<NoteOut>,
    attachments: Vec<AttachmentOut>,
    labs: Vec<LabView>,
    may_write: bool,
    may_sign: bool,
    may_close: bool,
}

/// `GET /practice/visits/{id}`
pub async fn show(Record(_, ctx, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesRead::PERM)?;
    let answer = visits::show(p, page_id(&id)?).await?;
    let pet = patients::get(p, answer.visit.pet_id).await?;
    let attachments = attachments::list(p, pet.id)
        .await?
        .into_iter()
        .filter(|a| a.visit_id == Some(answer.visit.id))
        .collect();
    let labs = if p.can(LabOrdersRead::PERM) {
        labs::of_visit(p, answer.visit.id)
            .await?
            .iter()
            .map(LabView::of)
            .collect()
    } else {
        Vec::new()
    };
    let open = answer.visit.status == VisitStatus::Open;
    html(&VisitPage {
        chrome: chrome(&ctx, format!("Visit of {}", pet.name), p),
        pet_name: pet.name,
        may_write: open && p.can(SoapNotesCreate::PERM),
        may_sign: p.can(SoapNotesSign::PERM),
        may_close: open && p.can(SoapNotesUpdate::PERM),
        visit: answer.visit,
        notes: answer.notes,
        attachments,
        labs,
    })
}

fn visit_page(id: impl std::fmt::Display) -> String {
    format!("/practice/visits/{id}")
}

/// Text fields and vitals of a note form (blank vitals are none).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct NoteForm {
    #[serde(default)]
    subjective: String,
    #[serde(default)]
    objective: String,
    #[serde(default)]
    assessment: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    temperature_c: String,
    #[serde(default)]
    heart_rate: String,
    #[serde(default)]
    respiratory_rate: String,
    #[serde(default)]
    weight_kg: String,
}

/// A vital as typed: blank is none; anything else must be a number.
fn vital<T: std::str::FromStr>(label: &str, raw: &str) -> WebResult<Option<T>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| WebError::BadRequest(format!("{label} must be a number")))
}

impl NoteForm {
    fn vitals(&self) -> WebResult<VitalsIn> {
        Ok(VitalsIn {
            temperature_c: vital("The temperature", &self.temperature_c)?,
            heart_rate: vital("The heart rate", &self.heart_rate)?,
            respiratory_rate: vital("The respiratory rate", &self.respiratory_rate)?,
            weight_kg: vital("The weight", &self.weight_kg)?,
        })
    }
}

/// The page again with a flash: what happened, or why not.
fn back<T>(s: &AppState, to: &str, r: Result<T, crate::error::ApiError>, done: &str) -> Response {
    let flash = match r {
        Ok(_) => Flash::success(done),
        Err(e) => Flash::error(format!("Not saved: {}", e.detail)),
    };
    redirect_flash(s, to, flash)
}

/// `POST /practice/visits/{id}/notes`: a new draft note.
pub async fn add_note(
    Posted(s, _, staff, id, form): Posted<Staff, NoteForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesCreate::PERM)?;
    let visit: VisitId = page_id(&id)?;
    let input = NewNote {
        visit_id: IdInput::Id(visit),
        subjective: Some(form.subjective.clone()),
        objective: Some(form.objective.clone()),
        assessment: Some(form.assessment.clone()),
        plan: Some(form.plan.clone()),
        vitals: Some(form.vitals()?),
    };
    let r = edit_result(notes::create(p, input).await)?;
    Ok(back(
        &s,
        &visit_page(visit),
        r,
        "The note was saved as a draft.",
    ))
}

/// The visit of a note the caller may read (for the redirect back).
async fn note_visit(staff: &Staff, id: NoteId) -> WebResult<VisitId> {
    Ok(notes::show(&staff.principal, id).await?.visit_id)
}

/// `POST /practice/notes/{id}`: edits a draft.
pub async fn update_note(
    Posted(s, _, staff, id, form): Posted<Staff, NoteForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesUpdate::PERM)?;
    let id: NoteId = page_id(&id)?;
    let visit = note_visit(&staff, id).await?;
    let changes = NoteChanges {
        subjective: Some(form.subjective.clone()),
        objective: Some(form.objective.clone()),
        assessment: Some(form.assessment.clone()),
        plan: Some(form.plan.clone()),
        vitals: Some(form.vitals()?),
    };
    let r = edit_result(notes::update(p, id, changes).await)?;
    Ok(back(&s, &visit_page(visit), r, "The note was saved."))
}

/// `POST /practice/notes/{id}/sign`
pub async fn sign_note(Posted(s, _, staff, id, _): Posted<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesSign::PERM)?;
    let id: NoteId = page_id(&id)?;
    let visit = note_visit(&staff, id).await?;
    let r = edit_result(notes::sign(p, id).await)?;
    Ok(back(
        &s,
        &visit_page(visit),
        r,
        "The note is signed and locked.",
    ))
}

#[derive(Deserialize, Default)]
pub struct AddendumForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    reason: String,
}

/// `POST /practice/notes/{id}/addenda`
pub async fn add_addendum(
    Posted(s, _, staff, id, form): Posted<Staff, AddendumForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesCreate::PERM)?;
    let id: NoteId = page_id(&id)?;
    let visit = note_visit(&staff, id).await?;
    let input = NewAddendum {
        text: Some(form.text),
        reason: Some(form.reason),
    };
    let r = edit_result(notes::add_addendum(p, id, input).await)?;
    Ok(back(&s, &visit_page(visit), r, "The addendum was added."))
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /practice/notes/{id}/entered-in-error`
pub async fn mark_in_error(
    Posted(s, _, staff, id, form): Posted<Staff, ReasonForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesUpdate::PERM)?;
    let id: NoteId = page_id(&id)?;
    let visit = note_visit(&staff, id).await?;
    let input = ErrorMark {
        reason: Some(form.reason),
    };
    let r = edit_result(notes::mark_entered_in_error(p, id, input).await)?;
    Ok(back(
        &s,
        &visit_page(visit),
        r,
        "The note is marked entered in error.",
    ))
}

/// `POST /practice/visits/{id}/close`
pub async fn close(Posted(s, _, staff, id, _): Posted<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesUpdate::PERM)?;
    let visit: VisitId = page_id(&id)?;
    let r = edit_result(visits::close(p, visit).await)?;
    Ok(back(&s, &visit_page(visit), r, "The visit is closed."))
}

/// `POST /practice/patients/{id}/visits`: a walk-in visit, then its page.
pub async fn walk_in(Posted(s, _, staff, id, _): Posted<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesCreate::PERM)?;
    let pet: PatientId = page_id(&id)?;
    let input = NewVisit {
        pet_id: IdInput::Id(pet),
        appointment_id: None,
        practice_id: None,
        veterinarian_id: None,
        reason: Some("Walk-in".into()),
    };
    match edit_result(visits::open(p, input).await)? {
        Ok(v) => Ok(redirect_flash(
            &s,
            &visit_page(v.id),
            Flash::success("A walk-in visit was opened."),
        )),
        Err(e) => Ok(redirect_flash(
            &s,
            &format!("/practice/patients/{pet}"),
            Flash::error(format!("No visit was opened: {}", e.detail)),
        )),
    }
}

/// `POST /practice/visits/{id}/attachments`: `multipart/form-data` with the form's `_csrf`
/// (checked against the cookie, as every form is) and a `file`.
pub async fn upload(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    form: MultipartForm,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesCreate::PERM)?;
    let visit = visits::find(p, page_id(&id)?).await?;
    let MultipartForm { form, cookie } = form;
    let (mut up, csrf) = read_upload(form).await?;
    cookie.verify(csrf.as_deref())?;
    up.visit_id = Some(IdInput::Id(visit.id));
    let r = edit_result(attachments::upload(p, visit.patient_id, up).await)?;
    Ok(back(&s, &visit_page(visit.id), r, "The file was attached."))
}

/// `GET /practice/attachments/{id}`: the file, shown inline.
pub async fn attachment(Record(_, _, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesRead::PERM)?;
    let id: AttachmentId = page_id(&id)?;
    Ok(crate::upload::file_response(attachments::get(p, id).await?).into_response())
}

#[derive(Template)]
#[template(path = "staff/history.html")]
struct HistoryPage {
    chrome: Chrome,
    pet_id: PatientId,
    pet_name: String,
    items: Vec<HistoryItem>,
}

/// `GET /practice/patients/{id}/history`: the timeline.
pub async fn timeline(Record(_, ctx, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(SoapNotesRead::PERM)?;
    let pet_id: PatientId = page_id(&id)?;
    let pet = patients::get(p, pet_id).await?;
    let h = history::history(p, pet_id).await?;
    html(&HistoryPage {
        chrome: chrome(&ctx, format!("History of {}", pet.name), p),
        pet_id,
        pet_name: pet.name,
        items: h.items,
    })
}
