//! What the staff booking page and the client portal's request page share: the practices,
//! appointment types and veterinarians to choose from, the free slots of a day (through the
//! appointments service), and the start a booking is given: a chosen slot, or a local time
//! typed into the form.

use axum::response::Response;
use jiff::tz::TimeZone;
use serde::Deserialize;
use smartdmv_domain::{AppointmentId, IdInput, PracticeId};
use smartdmv_practice::appointment_types;
use smartdmv_practice::{PageRequest, practices};
use smartdmv_store::tenant::practice;

use super::csrf::Flash;
use super::display::{hhmm, local_to_utc, page_id};
use super::{edit_result, redirect_flash};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsRead, AppointmentsUpdate, Perm};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::error::WebResult;
use smartdmv_practice::appointments::{self, AppointmentOut, SlotQuery, zone_of};

/// One choice of a `<select>` or radio group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The open practices the caller may book at, and the one chosen: `wanted` when it is among
/// them, else the caller's home practice, else the first.
pub async fn choose_practice(
    p: &TenantPrincipal,
    wanted: &str,
) -> WebResult<(Vec<Choice>, Option<practice::Model>)> {
    let all = practices::bookable(p).await?;
    let home = practices::home(p).await?;
    let chosen = all
        .iter()
        .find(|x| x.id.to_string() == wanted)
        .or_else(|| all.iter().find(|x| Some(x.id) == home))
        .or_else(|| all.first())
        .cloned();
    let choices = all
        .into_iter()
        .map(|x| Choice {
            selected: chosen.as_ref().is_some_and(|c| c.id == x.id),
            value: x.id.to_string(),
            label: x.name,
        })
        .collect();
    Ok((choices, chosen))
}

/// The veterinarians of a practice, `selected` (an id) marked.
pub async fn vets(
    p: &TenantPrincipal,
    practice: PracticeId,
    selected: &str,
) -> WebResult<Vec<Choice>> {
    Ok(appointments::veterinarians(p, practice)
        .await?
        .into_iter()
        .map(|u| Choice {
            selected: u.id.to_string() == selected,
            value: u.id.to_string(),
            label: u.name,
        })
        .collect())
}

/// The time zone of the practice a form names (UTC when it names none, or none known).
pub async fn zone_of_form(p: &TenantPrincipal, practice_id: &str) -> WebResult<TimeZone> {
    let zone = match practice_id.trim().parse() {
        Ok(id) => practices::find(p, id).await?.map(|pr| zone_of(&pr)),
        Err(_) => None,
    };
    Ok(zone.unwrap_or(TimeZone::UTC))
}

/// The reason a cancellation form gives.
#[derive(Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    reason: String,
}

/// `POST {area}/appointments/{id}/cancel` of the staff pages and the portal: cancels, then
/// goes to `done(appointment)`, or back to the confirmation page with why it failed.
pub async fn cancel(
    s: &AppState,
    p: &TenantPrincipal,
    area: &str,
    id: &str,
    form: CancelForm,
    done: impl FnOnce(&AppointmentOut) -> String,
) -> WebResult<Response> {
    p.require(AppointmentsUpdate::PERM)?;
    let appointment = page_id::<AppointmentId>(id)?;
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    Ok(
        match edit_result(appointments::cancel(p, appointment, reason).await)? {
            Ok(a) => redirect_flash(
                s,
                &done(&a),
                Flash::success("The appointment was cancelled."),
            ),
            Err(e) => redirect_flash(
                s,
                &format!("{area}/appointments/{id}/cancel"),
                Flash::error(format!("The appointment was not cancelled: {}.", e.detail)),
            ),
        },
    )
}

/// The active appointment types, `selected` marked.
pub async fn types(
    _s: &AppState,
    p: &TenantPrincipal,
    selected: &str,
) -> Result<Vec<Choice>, ApiError> {
    p.require(AppointmentsRead::PERM)?;
    let page = PageRequest {
        limit: Some(100),
        cursor: None,
    };
    Ok(appointment_types::list(p, false, &page)
        .await?
        .items
        .into_iter()
        .map(|t| {
            let value = t.id.to_string();
            Choice {
                selected: value == selected,
                label: format!("{} ({} min)", t.name, t.duration_minutes),
                value,
            }
        })
        .collect())
}

/// The free slots of a practice's day for a type (and a veterinarian, if given); each
/// value is the slot's start in UTC. Empty until a date and a type are chosen. A refusal
/// (a bad date, a closed practice, ...) is no slots and the reason to show beside them.
pub async fn free_slots(
    p: &TenantPrincipal,
    practice_id: &str,
    date: &str,
    type_id: &str,
    vet: &str,
    selected: &str,
) -> WebResult<(Vec<Choice>, String)> {
    if date.is_empty() || type_id.is_empty() {
        return Ok((Vec::new(), String::new()));
    }
    let found = async {
        p.require(AppointmentsRead::PERM)?;
        let query = SlotQuery {
            practice_id: IdInput::optional(practice_id),
            date: date.to_owned(),
            type_id: IdInput::parse(type_id),
            veterinarian_id: IdInput::optional(vet),
        };
        Ok::<_, ApiError>(appointments::free_slots(p, query).await?.slots)
    };
    match found.await {
        Ok(slots) => Ok((
            slots
                .into_iter()
                .map(|sl| Choice {
                    selected: sl.starts_at == selected,
                    label: format!("{}–{}", hhmm(&sl.starts_at_local), hhmm(&sl.ends_at_local)),
                    value: sl.starts_at,
                })
                .collect(),
            String::new(),
        )),
        Err(e) if e.status.is_client_error() => Ok((Vec::new(), e.detail)),
        Err(e) => Err(e.into()),
    }
}

/// The start a booking is given: the chosen slot, else the typed local time on `date` in
/// the practice's zone. `Err` carries the field message for the time field.
pub fn start_of(slot: &str, date: &str, time: &str, tz: &TimeZone) -> Result<String, String> {
    if !slot.trim().is_empty() {
        return Ok(slot.trim().to_owned());
    }
    if time.trim().is_empty() {
        return Err("choose a free slot or type a time".into());
    }
    local_to_utc(date, time, tz).ok_or_else(|| "give a date and a time such as 09:30".into())
}
