//! What the staff booking page and the client portal's request page share: the appointment
//! types to choose from, the free slots of a day (through the appointments service), and the
//! start a booking is given: a chosen slot, or a local time typed into the form.

use jiff::tz::TimeZone;
use smartdmv_domain::IdInput;
use smartdmv_practice::PageRequest;
use smartdmv_practice::appointment_types;

use super::display::{hhmm, local_to_utc};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsRead, Perm};
use crate::error::ApiError;
use crate::state::AppState;
use smartdmv_practice::appointments::{self, SlotQuery};

/// One choice of a `<select>` or radio group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
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
/// value is the slot's start in UTC. Empty until a date and a type are chosen.
pub async fn free_slots(
    p: &TenantPrincipal,
    practice_id: Option<String>,
    date: &str,
    type_id: &str,
    vet: &str,
    selected: &str,
) -> Result<Vec<Choice>, ApiError> {
    if date.is_empty() || type_id.is_empty() {
        return Ok(Vec::new());
    }
    p.require(AppointmentsRead::PERM)?;
    let query = SlotQuery {
        practice_id: practice_id.and_then(|p| IdInput::optional(&p)),
        date: date.to_owned(),
        type_id: IdInput::parse(type_id),
        veterinarian_id: IdInput::optional(vet),
    };
    let out = appointments::free_slots(p, query).await?;
    Ok(out
        .slots
        .into_iter()
        .map(|sl| Choice {
            selected: sl.starts_at == selected,
            label: format!("{}–{}", hhmm(&sl.starts_at_local), hhmm(&sl.ends_at_local)),
            value: sl.starts_at,
        })
        .collect())
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
