//! The client's appointments: upcoming and past, requesting one for their own pet (the
//! service records it as `requested` for the practice to book), and cancelling an upcoming
//! one after a confirmation page.

use crate::web::invalid;
use crate::web::posted::{Posted, Record, Submitted};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;
use smartdmv_domain::{AppointmentId, IdInput};
use smartdmv_practice::appointments::{self, NewAppointment, zone_of};

use super::{Client, Visit, chrome, own_pets, visits};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsCreate, AppointmentsRead, Perm};
use crate::state::AppState;
use crate::web::booking::{self, Choice};
use crate::web::chrome::{Chrome, PageCtx};
use crate::web::csrf::Flash;
use crate::web::display::{page_id, today_in};
use crate::web::error::WebResult;
use crate::web::{FormErrors, html, redirect_flash};
use crate::web::{form_result, rerender};

#[derive(Template)]
#[template(path = "client/appointments.html")]
struct ListPage {
    chrome: Chrome,
    upcoming: Vec<Visit>,
    past: Vec<Visit>,
}

/// `GET /client/appointments`: upcoming ones, and those of the past year (latest first).
pub async fn list(ctx: PageCtx, c: Client) -> WebResult<Response> {
    let p = &c.principal;
    let pets = own_pets(p).await?;
    let now = Timestamp::now();
    let year_ago = now.checked_sub(8760.hours()).unwrap_or(now);
    let upcoming = visits(p, &pets, None, Some(now), None).await?;
    let mut past = visits(p, &pets, None, Some(year_ago), Some(now)).await?;
    // An appointment under way now ends after `now` and starts before it: it is upcoming.
    past.retain(|v| !upcoming.iter().any(|u| u.id == v.id));
    past.reverse();
    html(&ListPage {
        chrome: chrome(&ctx, "Appointments", p),
        upcoming,
        past,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestForm {
    #[serde(default, alias = "pet")]
    pet_id: String,
    #[serde(default, alias = "practice")]
    practice_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    type_id: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "client/request.html")]
struct RequestPage {
    chrome: Chrome,
    form: RequestForm,
    errors: FormErrors,
    pets: Vec<Choice>,
    practices: Vec<Choice>,
    types: Vec<Choice>,
    slots: Vec<Choice>,
    slot_error: String,
}

async fn page(
    s: &AppState,
    ctx: &PageCtx,
    p: &TenantPrincipal,
    mut form: RequestForm,
    errors: FormErrors,
) -> WebResult<RequestPage> {
    let pets = own_pets(p)
        .await?
        .into_iter()
        .filter(|x| x.active && x.deceased_on.is_none())
        .map(|x| Choice {
            selected: x.id == form.pet_id,
            label: format!("{} ({})", x.name, x.species),
            value: x.id,
        })
        .collect();
    let (practices, chosen) = booking::choose_practice(p, &form.practice_id).await?;
    let (mut slots, mut slot_error) = (Vec::new(), String::new());
    if let Some(pr) = &chosen {
        form.practice_id = pr.id.to_string();
        if form.date.is_empty() {
            form.date = today_in(&zone_of(pr)).to_string();
        }
        (slots, slot_error) = booking::free_slots(
            p,
            &form.practice_id,
            &form.date,
            &form.type_id,
            "",
            &form.starts_at,
        )
        .await?;
    }
    Ok(RequestPage {
        chrome: chrome(ctx, "Request an appointment", p),
        types: booking::types(s, p, &form.type_id).await?,
        form,
        errors,
        pets,
        practices,
        slots,
        slot_error,
    })
}

/// `GET /client/appointments/new?pet=&practice=&date=&typeId=`
pub async fn request_form(
    State(s): State<AppState>,
    ctx: PageCtx,
    c: Client,
    Query(form): Query<RequestForm>,
) -> WebResult<Response> {
    html(&page(&s, &ctx, &c.principal, form, FormErrors::default()).await?)
}

/// `POST /client/appointments/new`: a booking as the client (a request).
pub async fn request(
    Submitted(s, ctx, c, form): Submitted<Client, RequestForm>,
) -> WebResult<Response> {
    let p = &c.principal;
    let tz = booking::zone_of_form(p, &form.practice_id).await?;
    let mut errors = FormErrors::default();
    if form.pet_id.is_empty() {
        errors.fields.insert("petId".into(), "choose a pet".into());
    }
    let starts_at = booking::start_of(&form.starts_at, &form.date, &form.time, &tz)
        .map_err(|m| errors.fields.insert("time".into(), m));
    let checked = errors.checked();
    let (Ok(starts_at), Ok(())) = (starts_at, &checked) else {
        let errors = checked.err().unwrap_or_default();
        return invalid(html(&page(&s, &ctx, p, form, errors).await?));
    };
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    p.require(AppointmentsCreate::PERM)?;
    let input = NewAppointment {
        pet_id: IdInput::parse(&form.pet_id),
        starts_at,
        duration_minutes: None,
        practice_id: IdInput::optional(&form.practice_id),
        veterinarian_id: None,
        room_id: None,
        type_id: IdInput::optional(&form.type_id),
        reason: opt(&form.reason),
        client_id: None,
        double_book: false,
    };
    match form_result(appointments::create(p, input).await)? {
        Ok(_) => Ok(redirect_flash(
            &s,
            "/client/appointments",
            Flash::success("Your request was sent; the practice will confirm it."),
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

#[derive(Template)]
#[template(path = "client/cancel.html")]
struct CancelPage {
    chrome: Chrome,
    v: Visit,
}

/// `GET /client/appointments/{id}/cancel`: the confirmation page (404 for anyone else's).
pub async fn cancel_confirm(Record(_, ctx, c, id): Record<Client>) -> WebResult<Response> {
    let p = &c.principal;
    p.require(AppointmentsRead::PERM)?;
    let id: AppointmentId = page_id(&id)?;
    let a = appointments::get(p, id).await?;
    let pets = own_pets(p).await?;
    html(&CancelPage {
        chrome: chrome(&ctx, "Cancel an appointment", p),
        v: Visit::new(a, &pets),
    })
}

/// `POST /client/appointments/{id}/cancel`
pub async fn cancel(
    Posted(s, _, c, id, f): Posted<Client, booking::CancelForm>,
) -> WebResult<Response> {
    booking::cancel(&s, &c.principal, "/client", &id, f, |_| {
        "/client/appointments".into()
    })
    .await
}
