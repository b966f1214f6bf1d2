//! One appointment's changes from the practice pages: status moves (the buttons of the day
//! tables), rescheduling, and cancelling with a confirmation page.

use crate::web::invalid;
use crate::web::posted::{Posted, Record};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{AppointmentId, IdInput};
use smartdmv_practice::appointments::{self, AppointmentChanges, AppointmentOut, StatusChange};

use super::{Staff, chrome};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsRead, AppointmentsUpdate, Perm, SoapNotesRead};
use crate::web::booking::{self, Choice};
use crate::web::chrome::{Chrome, PageCtx};
use crate::web::csrf::Flash;
use crate::web::display::{day_of, hhmm, local_to_utc, page_id, status_label, when};
use crate::web::error::WebResult;
use crate::web::{FormErrors, html, redirect_flash};
use crate::web::{edit_result, form_result, rerender};

/// A `back` address of our own practice pages, else the dashboard.
fn back_to(raw: &str) -> String {
    if raw.starts_with("/practice") && !raw.contains("//") && !raw.contains('\\') {
        raw.to_owned()
    } else {
        "/practice".into()
    }
}

fn schedule_of(a: &AppointmentOut) -> String {
    format!(
        "/practice/schedule?practice={}&date={}",
        a.practice_id,
        day_of(&a.starts_at_local)
    )
}

async fn load(p: &TenantPrincipal, id: AppointmentId) -> WebResult<AppointmentOut> {
    p.require(AppointmentsRead::PERM)?;
    Ok(appointments::get(p, id).await?)
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    back: String,
}

/// `POST /practice/appointments/{id}/status`: one move along the status flow.
pub async fn set_status(
    Posted(s, _, staff, id, f): Posted<Staff, StatusForm>,
) -> WebResult<Response> {
    let back = back_to(&f.back);
    let p = &staff.principal;
    p.require(AppointmentsUpdate::PERM)?;
    let change = StatusChange {
        status: Some(f.status),
        reason: None,
        double_book: false,
    };
    let (to, flash) = match edit_result(
        appointments::change_status(p, page_id::<AppointmentId>(&id)?, change).await,
    )? {
        // A check-in leads to its visit, where the clinician writes (for those who may).
        Ok(AppointmentOut {
            status: AppointmentStatus::CheckedIn,
            visit_id: Some(visit),
            ..
        }) if p.can(SoapNotesRead::PERM) => (
            format!("/practice/visits/{visit}"),
            Flash::success("Checked in: the visit is open."),
        ),
        Ok(a) => (
            back,
            Flash::success(format!(
                "The appointment is now {}.",
                status_label(a.status)
            )),
        ),
        Err(e) => (
            back,
            Flash::error(format!("The status was not changed: {}.", e.detail)),
        ),
    };
    Ok(redirect_flash(&s, &to, flash))
}

#[derive(Template)]
#[template(path = "staff/appointment_edit.html")]
struct EditPage {
    chrome: Chrome,
    a: AppointmentOut,
    when: String,
    tz_hint: String,
    form: RescheduleForm,
    vets: Vec<Choice>,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RescheduleForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    veterinarian_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    double_book: Option<String>,
}

async fn edit_page(
    ctx: &PageCtx,
    p: &TenantPrincipal,
    a: AppointmentOut,
    form: RescheduleForm,
    errors: FormErrors,
) -> WebResult<EditPage> {
    let vets = booking::vets(p, a.practice_id, &form.veterinarian_id).await?;
    Ok(EditPage {
        chrome: chrome(ctx, "Reschedule", p),
        when: when(&a.starts_at_local),
        tz_hint: format!("In the practice's local time ({}).", a.time_zone),
        a,
        form,
        vets,
        errors,
    })
}

/// `GET /practice/appointments/{id}/edit`
pub async fn edit_form(ctx: PageCtx, staff: Staff, Path(id): Path<String>) -> WebResult<Response> {
    let p = &staff.principal;
    let a = load(p, page_id::<AppointmentId>(&id)?).await?;
    let form = RescheduleForm {
        date: day_of(&a.starts_at_local),
        time: hhmm(&a.starts_at_local),
        duration_minutes: a.duration_minutes.to_string(),
        veterinarian_id: a.veterinarian_id.map(|v| v.to_string()).unwrap_or_default(),
        reason: a.reason.clone().unwrap_or_default(),
        double_book: None,
    };
    html(&edit_page(&ctx, p, a, form, FormErrors::default()).await?)
}

/// `POST /practice/appointments/{id}/edit`: as `PATCH /api/appointments/{id}` does.
pub async fn reschedule(
    Posted(s, ctx, staff, id, form): Posted<Staff, RescheduleForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    let id = page_id::<AppointmentId>(&id)?;
    let a = load(p, id).await?;
    let tz = smartdmv_domain::schedule::time_zone(&a.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Some(starts_at) = local_to_utc(&form.date, &form.time, &tz) else {
        let errors = FormErrors::field("time", "give a date and a time such as 09:30");
        return invalid(html(&edit_page(&ctx, p, a, form, errors).await?));
    };
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let changes = AppointmentChanges {
        starts_at: Some(starts_at),
        duration_minutes: match form.duration_minutes.trim() {
            "" => None,
            d => Some(d.parse().unwrap_or(-1)),
        },
        veterinarian_id: Some(IdInput::optional(&form.veterinarian_id)),
        room_id: None,
        type_id: None,
        reason: Some(opt(&form.reason)),
        double_book: form.double_book.is_some(),
    };
    p.require(AppointmentsUpdate::PERM)?;
    match form_result(appointments::update(p, id, changes).await)? {
        Ok(saved) => Ok(redirect_flash(
            &s,
            &schedule_of(&saved),
            Flash::success(format!(
                "The appointment was moved to {}.",
                when(&saved.starts_at_local)
            )),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                let errors = errors.renamed(&[("startsAt", "time")]);
                html(&edit_page(&ctx, p, a, form, errors).await?)
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "staff/appointment_cancel.html")]
struct CancelPage {
    chrome: Chrome,
    a: AppointmentOut,
    when: String,
    may_cancel: bool,
}

/// `GET /practice/appointments/{id}/cancel`: the confirmation page.
pub async fn cancel_confirm(Record(_, ctx, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    let a = load(p, page_id::<AppointmentId>(&id)?).await?;
    html(&CancelPage {
        chrome: chrome(&ctx, "Cancel appointment", p),
        when: when(&a.starts_at_local),
        may_cancel: a.next_statuses.contains(&AppointmentStatus::Cancelled),
        a,
    })
}

/// `POST /practice/appointments/{id}/cancel`
pub async fn cancel(
    Posted(s, _, staff, id, f): Posted<Staff, booking::CancelForm>,
) -> WebResult<Response> {
    booking::cancel(&s, &staff.principal, "/practice", &id, f, schedule_of).await
}
