//! `GET /api/practices/{id}/day`: a practice's appointments of one local day, with local
//! times and names, grouped by veterinarian and by room.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::{appointment, appointment_type, practice, room};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::slots::{local_day, parse_date};
use super::{AppointmentOut, local, out, to_stored, zone_of};
use crate::auth::perms::AppointmentsRead;
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DayParams {
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
            .push(it.appointment.id.clone());
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

pub(crate) async fn visible_practice(
    auth: &TenantPrincipal,
    id: &str,
) -> ApiResult<practice::Model> {
    let id: Uuid = id.parse().map_err(|_| ApiError::not_found("practice"))?;
    practice::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .filter(|p| auth.in_scope(Some(p.id)))
        .ok_or_else(|| ApiError::not_found("practice"))
}

/// `GET /api/practices/{id}/day?date=YYYY-MM-DD&sort=`: every appointment of the practice
/// starting on that local day, with local times and names, grouped by veterinarian and by
/// room. For staff of the practice (clients see their own appointments in the list).
pub(crate) async fn day(
    auth: Authorized<AppointmentsRead>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DayParams>,
) -> ApiResult<Json<DayOut>> {
    if auth.is_client() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the day view is for practice staff",
        ));
    }
    let p = visible_practice(&auth, &id).await?;
    let sort = match q.sort.as_deref().unwrap_or("time") {
        "time" => DaySort::Time,
        "veterinarian" => DaySort::Veterinarian,
        "room" => DaySort::Room,
        _ => {
            return Err(ApiError::bad_request(
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
    let db = auth.db();
    let rows = appointment::starting_between(db, p.id, to_stored(day.start), to_stored(day.end))
        .await
        .map_err(|e| auth.db_error(e))?;
    let ids = |f: fn(&appointment::Model) -> Option<Uuid>| -> Vec<Uuid> {
        let mut v: Vec<Uuid> = rows.iter().filter_map(f).collect();
        v.sort();
        v.dedup();
        v
    };
    let err = |e| auth.db_error(e);
    let pets: HashMap<Uuid, String> = appointment::patient_names(db, &ids(|a| Some(a.patient_id)))
        .await
        .map_err(err)?
        .into_iter()
        .collect();
    let vets: HashMap<Uuid, String> = appointment::users_named(db, &ids(|a| a.veterinarian_id))
        .await
        .map_err(err)?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let rooms: HashMap<Uuid, String> = room::find_many(db, &ids(|a| a.room_id))
        .await
        .map_err(err)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let types: HashMap<Uuid, String> = appointment_type::find_many(db, &ids(|a| a.type_id))
        .await
        .map_err(err)?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let name = |m: &HashMap<Uuid, String>, id: Option<Uuid>| id.and_then(|i| m.get(&i).cloned());
    let mut items: Vec<DayItem> = rows
        .into_iter()
        .map(|a| DayItem {
            pet_name: pets.get(&a.patient_id).cloned(),
            veterinarian_name: name(&vets, a.veterinarian_id),
            room_name: name(&rooms, a.room_id),
            type_name: name(&types, a.type_id),
            appointment: out(a, &p),
        })
        .collect();
    let by_veterinarian = group(&items, |i| {
        (
            i.appointment.veterinarian_id.clone(),
            i.veterinarian_name.clone(),
        )
    });
    let by_room = group(&items, |i| {
        (i.appointment.room_id.clone(), i.room_name.clone())
    });
    match sort {
        DaySort::Time => {}
        DaySort::Veterinarian => items.sort_by(|a, b| {
            (
                a.veterinarian_name.is_none(),
                &a.veterinarian_name,
                &a.appointment.starts_at,
            )
                .cmp(&(
                    b.veterinarian_name.is_none(),
                    &b.veterinarian_name,
                    &b.appointment.starts_at,
                ))
        }),
        DaySort::Room => items.sort_by(|a, b| {
            (
                a.room_name.is_none(),
                &a.room_name,
                &a.appointment.starts_at,
            )
                .cmp(&(
                    b.room_name.is_none(),
                    &b.room_name,
                    &b.appointment.starts_at,
                ))
        }),
    }
    Ok(Json(DayOut {
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
    }))
}
