//! The medical record's routes: visits, SOAP notes (sign, addenda, entered in error),
//! problems, lab orders and results, and the patient's history. The rules live in
//! [`smartdmv_practice::record`]; these handlers extract, call and answer.

use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::response::Response;
use smartdmv_domain::clinical::MAX_ATTACHMENT_BYTES;
use smartdmv_domain::{AttachmentId, LabOrderId, NoteId, PatientId, ProblemId, VisitId};
use smartdmv_practice::record::attachments::{self, AttachmentOut};
use smartdmv_practice::record::history::{self, History};
use smartdmv_practice::record::labs::{self, LabOrderOut, NewLabOrder, NewResults, Review};
use smartdmv_practice::record::notes::{
    self, ErrorMark, NewAddendum, NewNote, NoteChanges, NoteOut,
};
use smartdmv_practice::record::problems::{self, NewProblem, ProblemChanges, ProblemOut};
use smartdmv_practice::record::visits::{self, NewVisit, VisitAnswer, VisitOut};

use crate::auth::Authorized;
use crate::auth::perms::{
    LabOrdersApprove, LabOrdersCreate, LabOrdersRead, LabOrdersUpdate, SoapNotesCreate,
    SoapNotesDelete, SoapNotesRead, SoapNotesSign, SoapNotesUpdate,
};
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .post("/api/visits", open_visit)
        .get("/api/visits/{id}", show_visit)
        .post("/api/visits/{id}/close", close_visit)
        .post("/api/soap-notes", create_note)
        .get("/api/soap-notes/{id}", show_note)
        .patch("/api/soap-notes/{id}", update_note)
        .delete("/api/soap-notes/{id}", delete_note)
        .post("/api/soap-notes/{id}/sign", sign_note)
        .post("/api/soap-notes/{id}/addenda", add_addendum)
        .post("/api/soap-notes/{id}/entered-in-error", mark_in_error)
        .get("/api/pets/{id}/history", pet_history)
        .get("/api/pets/{id}/problems", list_problems)
        .post("/api/pets/{id}/problems", create_problem)
        .patch("/api/problems/{id}", update_problem)
        .post("/api/lab-orders", create_lab_order)
        .get("/api/lab-orders/{id}", show_lab_order)
        .post("/api/lab-orders/{id}/results", post_results)
        .post("/api/lab-orders/{id}/review", review_results)
        .get("/api/pets/{id}/attachments", list_attachments)
        .post(
            "/api/pets/{id}/attachments",
            upload_attachment.layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .get("/api/attachments/{id}", download_attachment)
}

/// The largest upload body: the file's cap and room for the form's other parts.
const UPLOAD_LIMIT: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

type Created<T> = ApiResult<(StatusCode, Json<T>)>;

/// `POST /api/visits`: a walk-in, or the visit of an appointment that has none yet.
pub(crate) async fn open_visit(
    auth: Authorized<SoapNotesCreate>,
    ApiJson(input): ApiJson<NewVisit>,
) -> Created<VisitOut> {
    super::created(visits::open(&auth, input).await?)
}

/// `GET /api/visits/{id}`: the visit with its notes.
pub(crate) async fn show_visit(
    auth: Authorized<SoapNotesRead>,
    IdPath(id): IdPath<VisitId>,
) -> ApiResult<Json<VisitAnswer>> {
    Ok(Json(visits::show(&auth, id).await?))
}

/// `POST /api/visits/{id}/close`: 409 `unsigned_notes` while a note is unsigned.
pub(crate) async fn close_visit(
    auth: Authorized<SoapNotesUpdate>,
    IdPath(id): IdPath<VisitId>,
) -> ApiResult<Json<VisitOut>> {
    Ok(Json(visits::close(&auth, id).await?))
}

/// `POST /api/soap-notes`: a draft note of an open visit.
pub(crate) async fn create_note(
    auth: Authorized<SoapNotesCreate>,
    ApiJson(input): ApiJson<NewNote>,
) -> Created<NoteOut> {
    super::created(notes::create(&auth, input).await?)
}

/// `GET /api/soap-notes/{id}`: the note with its addenda.
pub(crate) async fn show_note(
    auth: Authorized<SoapNotesRead>,
    IdPath(id): IdPath<NoteId>,
) -> ApiResult<Json<NoteOut>> {
    Ok(Json(notes::show(&auth, id).await?))
}

/// `PATCH /api/soap-notes/{id}`: only while draft (409 `record_locked`).
pub(crate) async fn update_note(
    auth: Authorized<SoapNotesUpdate>,
    IdPath(id): IdPath<NoteId>,
    ApiJson(changes): ApiJson<NoteChanges>,
) -> ApiResult<Json<NoteOut>> {
    Ok(Json(notes::update(&auth, id, changes).await?))
}

/// `DELETE /api/soap-notes/{id}`: drafts only (409 `record_locked`).
pub(crate) async fn delete_note(
    auth: Authorized<SoapNotesDelete>,
    IdPath(id): IdPath<NoteId>,
) -> ApiResult<StatusCode> {
    notes::delete(&auth, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/soap-notes/{id}/sign`: locks the note.
pub(crate) async fn sign_note(
    auth: Authorized<SoapNotesSign>,
    IdPath(id): IdPath<NoteId>,
) -> ApiResult<Json<NoteOut>> {
    Ok(Json(notes::sign(&auth, id).await?))
}

/// `POST /api/soap-notes/{id}/addenda`: text and reason, beside the unchanged note.
pub(crate) async fn add_addendum(
    auth: Authorized<SoapNotesCreate>,
    IdPath(id): IdPath<NoteId>,
    ApiJson(input): ApiJson<NewAddendum>,
) -> Created<NoteOut> {
    super::created(notes::add_addendum(&auth, id, input).await?)
}

/// `POST /api/soap-notes/{id}/entered-in-error`: marks it, with a reason.
pub(crate) async fn mark_in_error(
    auth: Authorized<SoapNotesUpdate>,
    IdPath(id): IdPath<NoteId>,
    ApiJson(input): ApiJson<ErrorMark>,
) -> ApiResult<Json<NoteOut>> {
    Ok(Json(notes::mark_entered_in_error(&auth, id, input).await?))
}

/// `GET /api/pets/{id}/history`: one chronology, newest first.
pub(crate) async fn pet_history(
    auth: Authorized<SoapNotesRead>,
    IdPath(id): IdPath<PatientId>,
) -> ApiResult<Json<History>> {
    Ok(Json(history::history(&auth, id).await?))
}

/// `GET /api/pets/{id}/problems`
pub(crate) async fn list_problems(
    auth: Authorized<SoapNotesRead>,
    IdPath(id): IdPath<PatientId>,
) -> ApiResult<Json<super::Page<ProblemOut>>> {
    Ok(Json(super::Page {
        items: problems::list(&auth, id).await?,
        next_cursor: None,
    }))
}

/// `POST /api/pets/{id}/problems`
pub(crate) async fn create_problem(
    auth: Authorized<SoapNotesCreate>,
    IdPath(id): IdPath<PatientId>,
    ApiJson(input): ApiJson<NewProblem>,
) -> Created<ProblemOut> {
    super::created(problems::create(&auth, id, input).await?)
}

/// `PATCH /api/problems/{id}`
pub(crate) async fn update_problem(
    auth: Authorized<SoapNotesUpdate>,
    IdPath(id): IdPath<ProblemId>,
    ApiJson(changes): ApiJson<ProblemChanges>,
) -> ApiResult<Json<ProblemOut>> {
    Ok(Json(problems::update(&auth, id, changes).await?))
}

/// `POST /api/lab-orders`
pub(crate) async fn create_lab_order(
    auth: Authorized<LabOrdersCreate>,
    ApiJson(input): ApiJson<NewLabOrder>,
) -> Created<LabOrderOut> {
    super::created(labs::create(&auth, input).await?)
}

/// `GET /api/lab-orders/{id}`: the order with every version of its results.
pub(crate) async fn show_lab_order(
    auth: Authorized<LabOrdersRead>,
    IdPath(id): IdPath<LabOrderId>,
) -> ApiResult<Json<LabOrderOut>> {
    Ok(Json(labs::show(&auth, id).await?))
}

/// `POST /api/lab-orders/{id}/results`: a new version.
pub(crate) async fn post_results(
    auth: Authorized<LabOrdersUpdate>,
    IdPath(id): IdPath<LabOrderId>,
    ApiJson(input): ApiJson<NewResults>,
) -> Created<LabOrderOut> {
    super::created(labs::post_results(&auth, id, input).await?)
}

/// `POST /api/lab-orders/{id}/review`: a veterinarian's review of the latest version.
pub(crate) async fn review_results(
    auth: Authorized<LabOrdersApprove>,
    IdPath(id): IdPath<LabOrderId>,
    ApiJson(input): ApiJson<Review>,
) -> ApiResult<Json<LabOrderOut>> {
    Ok(Json(labs::review(&auth, id, input).await?))
}

/// `POST /api/pets/{id}/attachments`: `multipart/form-data` with a `file` part (an image or a
/// PDF of at most 10 MiB) and, optionally, `visitId` and `practiceId`.
pub(crate) async fn upload_attachment(
    auth: Authorized<SoapNotesCreate>,
    IdPath(id): IdPath<PatientId>,
    form: Result<Multipart, MultipartRejection>,
) -> Created<AttachmentOut> {
    attachments::check_pet(&auth, id).await?;
    let form = form.map_err(|e| crate::upload::multipart_error(e.status(), e.body_text()))?;
    let (up, _) = crate::upload::read_upload(form).await?;
    super::created(attachments::upload(&auth, id, up).await?)
}

/// `GET /api/pets/{id}/attachments`: the pet's files, newest first, without their bytes.
pub(crate) async fn list_attachments(
    auth: Authorized<SoapNotesRead>,
    IdPath(id): IdPath<PatientId>,
) -> ApiResult<Json<super::Page<AttachmentOut>>> {
    Ok(Json(super::Page {
        items: attachments::list(&auth, id).await?,
        next_cursor: None,
    }))
}

/// `GET /api/attachments/{id}`: the bytes with their type.
pub(crate) async fn download_attachment(
    auth: Authorized<SoapNotesRead>,
    IdPath(id): IdPath<AttachmentId>,
) -> ApiResult<Response> {
    Ok(crate::upload::file_response(
        attachments::get(&auth, id).await?,
    ))
}
