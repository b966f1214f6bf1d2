//! A practice's appointments of one local day, with local times and names, grouped by
//! veterinarian and by room.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use smartdmv_domain::PracticeId;
use smartdmv_store::tenant::{appointment, appointment_type, room};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use super::slots::{local_day, parse_date};
use super::{AppointmentOut, local, to_stored, zone_of};
use crate::{ServiceError, ServiceResult, TenantPrincipal};

/// Which day, in which order.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayQuery {
    /// The local date; today in the practice's time zone when absent.
    pub date: Option<String>,
    /// `time` (default), `veterinarian` or `room`: the order of `items`.
    pub sort: Option<String>,
}

enum DaySort {
    Time,
    Veterinarian,
    Room,
}

/// An appointment of the day view, with the names a board shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayItem {
    #[serde(flatten)]
    pub appointment: AppointmentOut,
    pub pet_name: Option<String>,
    pub veterinarian_name: Option<String>,
    pub room_name: Option<String>,
    pub type_name: Option<String>,
}

/// The appointments of one veterinarian or room (`id` null: none assigned).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayGroup {
    pub id: Option<String>,
    pub name: Option<String>,
    pub appointment_ids: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayOut {
    pub practice_id: String,
    pub date: String,
    pub time_zone: String,
    /// The first and the end instant of the local day (UTC and local).
    pub starts_at: String,
    pub ends_at: String,
    pub starts_at_local: String,
    pub ends_at_local: String,
    /// 24, or 23 / 25 on daylight-saving change days.
    pub hours: i64,
    pub items: Vec<DayItem>,
    pub by_veterinarian: Vec<DayGroup>,
    pub by_room: Vec<DayGroup>,
}

/// Groups appointment ids by a key, named groups by name first, the unassigned last.
fn group(
    items: &[DayItem],
    key: impl Fn(&DayItem) -> (Option<String>, Option<String>),
) -> Vec<DayGroup> {
    let mut groups: BTreeMap<(bool, Option<String>, Option<String>), Vec<String>> = BTreeMap::new();
    for it in items {
        let (id, name) = key(it);
        groups
            .entry((id.is_none(), name, id))
            .or_default()
            .push(it.appointment.id.to_string());
    }
    groups
        .into_iter()
        .map(|((_, name, id), appointment_ids)| DayGroup {
            id,
            name,
            appointment_ids,
        })
        .collect()
}

/// Sorts by a name (the unnamed last), then by start.
fn sort_by_name(items: &mut [DayItem], name: impl Fn(&DayItem) -> &Option<String>) {
    items.sort_by(|a, b| {
        (name(a).is_none(), name(a), &a.appointment.starts_at).cmp(&(
            name(b).is_none(),
            name(b),
            &b.appointment.starts_at,
        ))
    });
}

/// The ids of one column of the day's rows, each once.
fn ids<T: Ord>(rows: &[appointment::Model], f: fn(&appointment::Model) -> Option<T>) -> Vec<T> {
    let mut v: Vec<T> = rows.iter().filter_map(f).collect();
    v.sort();
    v.dedup();
    v
}

/// The name of an id, if it has one.
fn name<T: Eq + Hash>(names: &HashMap<T, String>, id: Option<T>) -> Option<String> {
    id.and_then(|i| names.get(&i).cloned())
}

/// Every appointment of the practice starting on that local day, with local times and
/// names, grouped by veterinarian and by room. For staff of the practice (clients see their
/// own appointments in the list).
pub async fn day(cx: &TenantPrincipal, id: PracticeId, q: DayQuery) -> ServiceResult<DayOut> {
    if cx.is_client() {
        return Err(ServiceError::forbidden(
            "forbidden",
            "the day view is for practice staff",
        ));
    }
    let p = crate::practices::get(cx, id).await?;
    let sort = match q.sort.as_deref().unwrap_or("time") {
        "time" => DaySort::Time,
        "veterinarian" => DaySort::Veterinarian,
        "room" => DaySort::Room,
        _ => {
            return Err(ServiceError::bad_request(
                "invalid_query",
                "sort must be time, veterinarian or room",
            ));
        }
    };
    let tz = zone_of(&p);
    let date = match q.date.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => parse_date(raw)?,
        None => Timestamp::now().to_zoned(tz.clone()).date(),
    };
    let day = local_day(date, &tz)?;
    let db = cx.db();
    let rows =
        appointment::starting_between(db, p.id, to_stored(day.start), to_stored(day.end)).await?;
    let pets = appointment::patient_names(db, &ids(&rows, |a| Some(a.patient_id))).await?;
    let pets: HashMap<_, _> = pets.into_iter().collect();
    let vets = appointment::users_named(db, &ids(&rows, |a| a.veterinarian_id)).await?;
    let vets: HashMap<_, _> = vets.into_iter().map(|u| (u.id, u.name)).collect();
    let rooms = room::find_many(db, &ids(&rows, |a| a.room_id)).await?;
    let rooms: HashMap<_, _> = rooms.into_iter().map(|r| (r.id, r.name)).collect();
    let types = appointment_type::find_many(db, &ids(&rows, |a| a.type_id)).await?;
    let types: HashMap<_, _> = types.into_iter().map(|t| (t.id, t.name)).collect();
    let mut items: Vec<DayItem> = rows
        .into_iter()
        .map(|a| DayItem {
            pet_name: name(&pets, Some(a.patient_id)),
            veterinarian_name: name(&vets, a.veterinarian_id),
            room_name: name(&rooms, a.room_id),
            type_name: name(&types, a.type_id),
            appointment: AppointmentOut::new(a, &p),
        })
        .collect();
    let by_veterinarian = group(&items, |i| {
        (
            i.appointment.veterinarian_id.map(|v| v.to_string()),
            i.veterinarian_name.clone(),
        )
    });
    let by_room = group(&items, |i| {
        (
            i.appointment.room_id.map(|r| r.to_string()),
            i.room_name.clone(),
        )
    });
    match sort {
        DaySort::Time => {}
        DaySort::Veterinarian => sort_by_name(&mut items, |i| &i.veterinarian_name),
        DaySort::Room => sort_by_name(&mut items, |i| &i.room_name),
    }
    Ok(DayOut {
        practice_id: p.id.to_string(),
        date: date.to_string(),
        time_zone: p.time_zone.clone(),
        starts_at: day.start.to_string(),
        ends_at: day.end.to_string(),
        starts_at_local: local(day.start, &tz),
        ends_at_local: local(day.end, &tz),
        hours: day.duration().as_hours(),
        items,
        by_veterinarian,
        by_room,
    })
}
