//! `/practice/schedule/new`: booking an appointment. Staff find the patient, pick the
//! practice, day, type and (optionally) veterinarian, then a free slot or a typed time.

use crate::web::invalid;
use crate::web::posted::Submitted;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::IdInput;
use smartdmv_practice::appointments::{self, NewAppointment, zone_of};
use smartdmv_practice::patients;
use smartdmv_practice::search::PatientHit;

use super::lookup::search;
use super::{Staff, chrome, pick_practice};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsCreate, Perm, PetsRead};
use crate::state::AppState;
use crate::web::booking::{self, Choice};
use crate::web::chrome::{Chrome, PageCtx};
use crate::web::csrf::Flash;
use crate::web::display::{page_id, today_in};
use crate::web::error::WebResult;
use crate::web::{FormErrors, html, redirect_flash};
use crate::web::{form_result, rerender};

/// The booking form, as typed (query of the slot search and body of the booking).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookForm {
    #[serde(default, alias = "practice")]
    practice_id: String,
    #[serde(default, alias = "pet")]
    pet_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    type_id: String,
    #[serde(default)]
    veterinarian_id: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    double_book: Option<String>,
    /// The patient search of the first step.
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "staff/book.html")]
struct BookPage {
    chrome: Chrome,
    form: BookForm,
    errors: FormErrors,
    practices: Vec<Choice>,
    pet_name: String,
    hits: Vec<PatientHit>,
    types: Vec<Choice>,
    vets: Vec<Choice>,
    slots: Vec<Choice>,
    slot_error: String,
    may_book: bool,
}

/// Everything the page shows for the form as it stands.
async fn page(
    s: &AppState,
    ctx: &PageCtx,
    p: &TenantPrincipal,
    mut form: BookForm,
    errors: FormErrors,
) -> WebResult<BookPage> {
    let (practices, chosen) = pick_practice(p, Some(&form.practice_id)).await?;
    let mut hits = Vec::new();
    let mut pet_name = String::new();
    if form.pet_id.is_empty() {
        if !form.q.trim().is_empty() {
            hits = search(p, form.q.clone(), 20).await?.patients;
        }
    } else {
        p.require(PetsRead::PERM)?;
        let pet = patients::show(p, page_id(&form.pet_id)?).await?;
        pet_name = format!("{} ({})", pet.pet.name, pet.pet.species);
    }
    let mut vets = Vec::new();
    let (mut slots, mut slot_error) = (Vec::new(), String::new());
    if let Some(pr) = &chosen {
        form.practice_id = pr.id.to_string();
        if form.date.is_empty() {
            form.date = today_in(&zone_of(pr)).to_string();
        }
        vets = booking::vets(p, pr.id, &form.veterinarian_id).await?;
        (slots, slot_error) = booking::free_slots(
            p,
            &form.practice_id,
            &form.date,
            &form.type_id,
            &form.veterinarian_id,
            &form.starts_at,
        )
        .await?;
    }
    Ok(BookPage {
        chrome: chrome(ctx, "Book an appointment", p),
        types: booking::types(s, p, &form.type_id).await?,
        may_book: p.can(AppointmentsCreate::PERM),
        form,
        errors,
        practices,
        pet_name,
        hits,
        vets,
        slots,
        slot_error,
    })
}

/// `GET /practice/schedule/new?practice=&pet=&date=&typeId=&veterinarianId=&q=`
pub async fn book_form(
    State(s): State<AppState>,
    ctx: PageCtx,
    staff: Staff,
    Query(form): Query<BookForm>,
) -> WebResult<Response> {
    html(&page(&s, &ctx, &staff.principal, form, FormErrors::default()).await?)
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `POST /practice/schedule/new`: books as `POST /api/appointments` does.
pub async fn book(
    Submitted(s, ctx, staff, form): Submitted<Staff, BookForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    let tz = booking::zone_of_form(p, &form.practice_id).await?;
    let starts_at = match booking::start_of(&form.starts_at, &form.date, &form.time, &tz) {
        Ok(t) => t,
        Err(msg) => {
            let errors = FormErrors::field("time", msg);
            return invalid(html(&page(&s, &ctx, p, form, errors).await?));
        }
    };
    let duration = match form.duration_minutes.trim() {
        "" => None,
        d => Some(d.parse::<i32>().unwrap_or(-1)),
    };
    p.require(AppointmentsCreate::PERM)?;
    let input = NewAppointment {
        pet_id: IdInput::parse(&form.pet_id),
        starts_at,
        duration_minutes: duration,
        practice_id: IdInput::optional(&form.practice_id),
        veterinarian_id: IdInput::optional(&form.veterinarian_id),
        room_id: None,
        type_id: IdInput::optional(&form.type_id),
        reason: opt(&form.reason),
        client_id: None,
        double_book: form.double_book.is_some(),
    };
    match form_result(appointments::create(p, input).await)? {
        Ok(a) => Ok(redirect_flash(
            &s,
            &format!(
                "/practice/schedule?practice={}&date={}",
                a.practice_id,
                crate::web::display::day_of(&a.starts_at_local)
            ),
            Flash::success("The appointment was booked."),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                let errors = errors.renamed(&[("startsAt", "time")]);
                html(&page(&s, &ctx, p, form, errors).await?)
            })
            .await
        }
    }
}
