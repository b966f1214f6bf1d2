//! `/practice`: the pages of practice staff (every company user who is not a client,
//! administrators too). Today's appointments of a practice with their status changes, the
//! clients, the patients and the schedule. Every read and change goes through the same
//! services as the JSON API, so a page is refused exactly what the API would refuse.

mod appointment_edit;
mod appointments;
mod client_form;
mod clients;
mod lookup;
mod patients;
mod patients_edit;
mod pet_form;
mod schedule;
mod visit;

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{AppointmentId, ClientId, PatientId};
use smartdmv_practice::appointments::{DayItem, DayQuery, day};
use smartdmv_store::tenant::practice;

use super::booking::{Choice, choose_practice};
use super::chrome::{Area, Chrome, PageCtx};
use super::display::{action_label, hhmm, status_label};
use super::error::WebResult;
use super::html;
use super::session::{InArea, StaffArea};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsRead, Perm};
use crate::state::AppState;

pub type Staff = InArea<StaffArea>;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/practice", get(today))
        .route(
            "/practice/clients",
            get(clients::list).post(clients::create),
        )
        .route("/practice/clients/new", get(clients::new_form))
        .route(
            "/practice/clients/{id}",
            get(clients::show).post(clients::update),
        )
        .route("/practice/clients/{id}/edit", get(clients::edit_form))
        .route(
            "/practice/patients",
            get(patients::list).post(patients::create),
        )
        .route("/practice/patients/new", get(patients::new_form))
        .route(
            "/practice/patients/{id}",
            get(patients::show).post(patients_edit::update),
        )
        .route(
            "/practice/patients/{id}/edit",
            get(patients_edit::edit_form),
        )
        .route(
            "/practice/patients/{id}/weights",
            post(patients_edit::add_weight),
        )
        .route(
            "/practice/patients/{id}/deceased",
            get(patients_edit::deceased_confirm).post(patients_edit::deceased),
        )
        .route("/practice/visits/{id}", get(visit::show))
        .route("/practice/visits/{id}/notes", post(visit::add_note))
        .route("/practice/visits/{id}/close", post(visit::close))
        .route(
            "/practice/visits/{id}/attachments",
            post(visit::upload).layer(axum::extract::DefaultBodyLimit::max(
                smartdmv_domain::clinical::MAX_ATTACHMENT_BYTES + 64 * 1024,
            )),
        )
        .route("/practice/notes/{id}", post(visit::update_note))
        .route("/practice/notes/{id}/sign", post(visit::sign_note))
        .route("/practice/notes/{id}/addenda", post(visit::add_addendum))
        .route(
            "/practice/notes/{id}/entered-in-error",
            post(visit::mark_in_error),
        )
        .route("/practice/attachments/{id}", get(visit::attachment))
        .route("/practice/patients/{id}/history", get(visit::timeline))
        .route("/practice/patients/{id}/visits", post(visit::walk_in))
        .route("/practice/schedule", get(schedule::day_view))
        .route(
            "/practice/schedule/new",
            get(appointments::book_form).post(appointments::book),
        )
        .route(
            "/practice/appointments/{id}/status",
            post(appointment_edit::set_status),
        )
        .route(
            "/practice/appointments/{id}/edit",
            get(appointment_edit::edit_form).post(appointment_edit::reschedule),
        )
        .route(
            "/practice/appointments/{id}/cancel",
            get(appointment_edit::cancel_confirm).post(appointment_edit::cancel),
        )
}

/// The pages of this area, for the page-permission tests.
pub const PAGES: &[&str] = &[
    "/practice",
    "/practice/clients",
    "/practice/clients/new",
    "/practice/clients/{client}",
    "/practice/clients/{client}/edit",
    "/practice/patients",
    "/practice/patients/new",
    "/practice/patients/{patient}",
    "/practice/patients/{patient}/edit",
    "/practice/patients/{patient}/deceased",
    "/practice/schedule",
    "/practice/schedule/new",
    "/practice/appointments/{appointment}/edit",
    "/practice/appointments/{appointment}/cancel",
    "/practice/visits/{visit}",
    "/practice/patients/{patient}/history",
];

fn chrome(ctx: &PageCtx, title: impl Into<String>, p: &TenantPrincipal) -> Chrome {
    Chrome::tenant(ctx, Area::Staff, title, p)
}

/// The open practices the user works in (every one for company-wide roles), and the one
/// chosen: `wanted` when it is among them, else the user's home practice, else the first.
async fn pick_practice(
    p: &TenantPrincipal,
    wanted: Option<&str>,
) -> WebResult<(Vec<Choice>, Option<practice::Model>)> {
    choose_practice(p, wanted.unwrap_or_default()).await
}

/// One appointment row of a day, ready to show.
pub struct Row {
    pub id: AppointmentId,
    pub time: String,
    pub end: String,
    pub pet_id: PatientId,
    pub pet: String,
    pub client_id: ClientId,
    pub kind: String,
    pub vet: String,
    pub room: String,
    pub reason: String,
    pub status: String,
    pub status_label: String,
    /// `(status, button label)` of the moves offered as buttons (cancelling has its own
    /// confirmation page).
    pub moves: Vec<(&'static str, &'static str)>,
    pub can_cancel: bool,
    pub open: bool,
    /// The visit its check-in opened.
    pub visit_id: Option<smartdmv_domain::VisitId>,
}

impl From<DayItem> for Row {
    fn from(i: DayItem) -> Self {
        let a = i.appointment;
        Row {
            time: hhmm(&a.starts_at_local),
            end: hhmm(&a.ends_at_local),
            pet: i.pet_name.unwrap_or_else(|| "(unknown patient)".into()),
            kind: i.type_name.unwrap_or_default(),
            vet: i.veterinarian_name.unwrap_or_default(),
            room: i.room_name.unwrap_or_default(),
            reason: a.reason.unwrap_or_default(),
            status_label: status_label(a.status),
            moves: a
                .next_statuses
                .iter()
                .filter(|s| **s != AppointmentStatus::Cancelled)
                .map(|s| (s.as_str(), action_label(*s)))
                .collect(),
            can_cancel: a.next_statuses.contains(&AppointmentStatus::Cancelled),
            open: !a.next_statuses.is_empty(),
            status: a.status.to_string(),
            visit_id: a.visit_id,
            id: a.id,
            pet_id: a.pet_id,
            client_id: a.client_id,
        }
    }
}

/// The day view of a practice.
async fn day_rows(
    p: &TenantPrincipal,
    practice: &practice::Model,
    date: Option<String>,
) -> WebResult<(String, Vec<Row>)> {
    p.require(AppointmentsRead::PERM)?;
    let query = DayQuery { date, sort: None };
    let d = day(p, practice.id, query).await?;
    Ok((d.date, d.items.into_iter().map(Row::from).collect()))
}

#[derive(Template)]
#[template(path = "staff/today.html")]
struct TodayPage {
    chrome: Chrome,
    practices: Vec<Choice>,
    practice_id: String,
    practice_name: String,
    date: String,
    rows: Vec<Row>,
    back: String,
}

#[derive(Deserialize)]
pub struct PracticeQuery {
    practice: Option<String>,
}

/// `GET /practice?practice=`: today's appointments of the chosen practice.
async fn today(ctx: PageCtx, staff: Staff, Query(q): Query<PracticeQuery>) -> WebResult<Response> {
    let p = &staff.principal;
    let (practices, chosen) = pick_practice(p, q.practice.as_deref()).await?;
    let (practice_id, practice_name, date, rows) = match &chosen {
        Some(pr) => {
            let (date, rows) = day_rows(p, pr, None).await?;
            (pr.id.to_string(), pr.name.clone(), date, rows)
        }
        None => Default::default(),
    };
    html(&TodayPage {
        chrome: chrome(&ctx, "Today", p),
        back: format!("/practice?practice={practice_id}"),
        practices,
        practice_id,
        practice_name,
        date,
        rows,
    })
}
