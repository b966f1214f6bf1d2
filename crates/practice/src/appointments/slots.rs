//! Free slots of a practice's local day (00:00 to 24:00 there: 23 or 25 hours on
//! daylight-saving days), computed by [`smartdmv_domain::calendar::free_slots`].

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use smartdmv_domain::calendar::{self, Interval};
use smartdmv_domain::{AppointmentTypeId, IdInput, PracticeId, UserId};
use smartdmv_store::tenant::{appointment, practice};

use super::booking::{resolve_type, resolve_vet};
use super::{local, to_instant, to_stored, zone_of};
use crate::fields::blank_is_none;
use crate::practices::{for_input, require_open};
use crate::{ServiceError, ServiceResult, TenantPrincipal};

/// Slots start every quarter of an hour.
const SLOT_STEP_MINUTES: i64 = 15;

pub(super) fn parse_date(raw: &str) -> ServiceResult<Date> {
    raw.parse().map_err(|_| {
        ServiceError::bad_request("invalid_query", "date must be a date such as 2027-01-04")
    })
}

/// The local opening spans of a practice on `date` (none for a closed day or unreadable
/// hours).
fn opening_spans(p: &practice::Model, date: Date) -> Vec<(Time, Time)> {
    p.opening_hours
        .get(calendar::weekday_key(date.weekday()))
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|span| {
            let a = span.as_array()?;
            let open = calendar::parse_hhmm(a.first()?.as_str()?)?;
            let close = calendar::parse_hhmm(a.get(1)?.as_str()?)?;
            Some((open, close))
        })
        .collect()
}

pub(super) fn local_day(date: Date, tz: &TimeZone) -> ServiceResult<Interval> {
    calendar::local_day(date, tz)
        .ok_or_else(|| ServiceError::bad_request("invalid_query", "date is out of range"))
}

/// Which slots to find. Values as given: malformed ones are refused in the service's words;
/// a blank id is none.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotQuery {
    #[serde(default, deserialize_with = "blank_is_none")]
    pub practice_id: Option<IdInput<PracticeId>>,
    pub date: String,
    pub type_id: IdInput<AppointmentTypeId>,
    #[serde(default, deserialize_with = "blank_is_none")]
    pub veterinarian_id: Option<IdInput<UserId>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotOut {
    pub starts_at: String,
    pub ends_at: String,
    pub starts_at_local: String,
    pub ends_at_local: String,
    /// The veterinarians free for the whole slot.
    pub veterinarian_ids: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FreeSlotsOut {
    pub practice_id: String,
    pub date: String,
    pub time_zone: String,
    pub type_id: String,
    pub duration_minutes: i32,
    pub veterinarian_id: Option<String>,
    pub slots: Vec<SlotOut>,
}

/// The slots of the type's length (every 15 minutes, not in the past) within the practice's
/// opening hours of that local day in which the veterinarian, or without one at least one
/// veterinarian of the practice, is free.
pub async fn free_slots(cx: &TenantPrincipal, q: SlotQuery) -> ServiceResult<FreeSlotsOut> {
    let date = parse_date(&q.date)?;
    let own = cx.own_client().await?;
    let p = for_input(cx, q.practice_id, own.and_then(|c| c.home_practice_id)).await?;
    require_open(&p)?;
    let kind = resolve_type(cx, q.type_id).await?;
    let (vets, chosen) = match q.veterinarian_id {
        Some(given) => {
            let v = resolve_vet(cx, &p, given).await?;
            (vec![v], Some(v))
        }
        None => {
            let all = appointment::veterinarians_of(cx.db(), p.id).await?;
            (all.into_iter().map(|u| u.id).collect(), None)
        }
    };
    let tz = zone_of(&p);
    let day = local_day(date, &tz)?;
    let busy =
        appointment::busy_veterinarians(cx.db(), &vets, to_stored(day.start), to_stored(day.end))
            .await?;
    let resources: Vec<(UserId, Vec<Interval>)> = vets
        .iter()
        .map(|v| {
            let theirs = busy
                .iter()
                .filter(|a| a.veterinarian_id == Some(*v))
                .map(|a| Interval::new(to_instant(a.starts_at), to_instant(a.ends_at)))
                .collect();
            (*v, theirs)
        })
        .collect();
    let open = calendar::opening_intervals(date, &tz, &opening_spans(&p, date));
    let slots = calendar::free_slots(
        &open,
        SignedDuration::from_mins(kind.duration_minutes.into()),
        SignedDuration::from_mins(SLOT_STEP_MINUTES),
        &resources,
        Some(Timestamp::now()),
    );
    Ok(FreeSlotsOut {
        practice_id: p.id.to_string(),
        date: date.to_string(),
        time_zone: p.time_zone.clone(),
        type_id: kind.id.to_string(),
        duration_minutes: kind.duration_minutes,
        veterinarian_id: chosen.map(|v| v.to_string()),
        slots: slots
            .into_iter()
            .map(|s| SlotOut {
                starts_at: s.at.start.to_string(),
                ends_at: s.at.end.to_string(),
                starts_at_local: local(s.at.start, &tz),
                ends_at_local: local(s.at.end, &tz),
                veterinarian_ids: s.free.iter().map(UserId::to_string).collect(),
            })
            .collect(),
    })
}
