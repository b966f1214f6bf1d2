//! Appointments: booking (or, for a client, requesting), rescheduling, the status flow,
//! free slots and a practice's day view. Times are stored in UTC and answered both in UTC
//! and in the practice's local time. Staff see the appointments of their practices; a
//! `CLIENT` sees and requests their own.
//!
//! [`booking`] writes appointments under the conflict rule, [`edit`] books and reschedules,
//! [`status`] moves them through the status machine, [`slots`] answers free slots and
//! [`day`] the day view. This module holds the answer type, reads and the list.

mod booking;
pub mod day;
pub mod edit;
pub mod slots;
pub mod status;

pub use day::{DayGroup, DayItem, DayOut, DayQuery, day};
pub use edit::{AppointmentChanges, NewAppointment, create, update};
pub use slots::{FreeSlotsOut, SlotOut, SlotQuery, free_slots};
pub use status::{StatusChange, cancel, change_status};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{
    AppointmentId, AppointmentTypeId, ClientId, PatientId, PracticeId, RoomId, UserId,
};
use smartdmv_store::Stamp;
use smartdmv_store::tenant::{appointment, practice};
use std::collections::HashMap;

use crate::{Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal, rfc3339};

/// A stored time as an instant.
pub fn to_instant(t: Stamp) -> Timestamp {
    t.0
}

/// An instant as a stored (UTC) time, to the second.
pub fn to_stored(t: Timestamp) -> Stamp {
    Stamp(Timestamp::from_second(t.as_second()).unwrap_or(Timestamp::UNIX_EPOCH))
}

/// The practice's time zone (UTC if its name is not known to the bundled database).
pub fn zone_of(p: &practice::Model) -> TimeZone {
    smartdmv_domain::schedule::time_zone(&p.time_zone).unwrap_or(TimeZone::UTC)
}

/// RFC 3339 with the zone's offset at that instant, e.g. `2026-10-24T09:00:00+01:00`.
pub fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.display_with_offset(tz.to_offset(t)).to_string()
}

/// An appointment as every answer shows it (and the audit log keeps it).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentOut {
    pub id: AppointmentId,
    pub practice_id: PracticeId,
    pub pet_id: PatientId,
    pub client_id: ClientId,
    pub type_id: Option<AppointmentTypeId>,
    pub veterinarian_id: Option<UserId>,
    pub room_id: Option<RoomId>,
    /// UTC.
    pub starts_at: String,
    pub ends_at: String,
    /// The practice's local time, with its offset.
    pub starts_at_local: String,
    pub ends_at_local: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    pub reason: Option<String>,
    pub status: AppointmentStatus,
    /// Where the status may go from here.
    pub next_statuses: &'static [AppointmentStatus],
    pub double_booked: bool,
    pub requested_by_client: bool,
    pub cancel_reason: Option<String>,
    pub created_by: Option<UserId>,
    /// The visit its check-in opened.
    pub visit_id: Option<smartdmv_domain::VisitId>,
    pub created_at: String,
    pub updated_at: String,
}

impl AppointmentOut {
    /// The appointment in the local time of its practice.
    pub fn new(m: appointment::Model, p: &practice::Model) -> Self {
        let tz = zone_of(p);
        let (s, e) = (to_instant(m.starts_at), to_instant(m.ends_at));
        AppointmentOut {
            id: m.id,
            practice_id: m.practice_id,
            pet_id: m.patient_id,
            client_id: m.client_id,
            type_id: m.type_id,
            veterinarian_id: m.veterinarian_id,
            room_id: m.room_id,
            starts_at: s.to_string(),
            ends_at: e.to_string(),
            starts_at_local: local(s, &tz),
            ends_at_local: local(e, &tz),
            time_zone: p.time_zone.clone(),
            duration_minutes: e.duration_since(s).as_mins(),
            reason: m.reason,
            status: m.status,
            next_statuses: m.status.next(),
            double_booked: m.double_booked,
            requested_by_client: m.requested_by_client,
            cancel_reason: m.cancel_reason,
            created_by: m.created_by,
            visit_id: m.visit_id,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

/// What the audit log keeps of an appointment.
fn snapshot(m: &appointment::Model, p: &practice::Model) -> Option<serde_json::Value> {
    serde_json::to_value(AppointmentOut::new(m.clone(), p)).ok()
}

/// An appointment the caller may see, with its practice: staff within their practices, a
/// client only their own. Anything else is 404, so ids cannot be probed.
async fn visible(
    cx: &TenantPrincipal,
    id: AppointmentId,
) -> ServiceResult<(appointment::Model, practice::Model)> {
    let not_found = || ServiceError::NotFound("appointment");
    let m = appointment::find(cx.db(), id)
        .await?
        .ok_or_else(not_found)?;
    if cx.is_client() {
        let own = cx.own_client().await?;
        if own.is_none_or(|c| c.id != m.client_id) {
            return Err(not_found());
        }
    } else if !cx.in_scope(Some(m.practice_id)) {
        return Err(not_found());
    }
    let p = practice::find(cx.db(), m.practice_id)
        .await?
        .ok_or_else(not_found)?;
    Ok((m, p))
}

/// The active veterinarians of a practice, by name: whom a booking there may name.
pub async fn veterinarians(
    cx: &TenantPrincipal,
    practice: PracticeId,
) -> ServiceResult<Vec<smartdmv_store::tenant::user::Model>> {
    Ok(appointment::veterinarians_of(cx.db(), practice).await?)
}

/// An appointment the caller may see.
pub async fn get(cx: &TenantPrincipal, id: AppointmentId) -> ServiceResult<AppointmentOut> {
    let (m, p) = visible(cx, id).await?;
    Ok(AppointmentOut::new(m, &p))
}

/// Which appointments to list.
#[derive(Debug, Default)]
pub struct AppointmentFilter {
    pub practice_id: Option<PracticeId>,
    /// Appointments ending after this instant.
    pub from: Option<Timestamp>,
    /// Appointments starting before this instant.
    pub to: Option<Timestamp>,
    pub veterinarian_id: Option<UserId>,
    pub room_id: Option<RoomId>,
    pub pet_id: Option<PatientId>,
    pub client_id: Option<ClientId>,
    pub statuses: Option<Vec<AppointmentStatus>>,
}

/// The `(startsAt, id)` cursor of the appointment list: `<unix seconds>_<id>`.
struct ListCursor(Stamp, AppointmentId);

impl std::str::FromStr for ListCursor {
    type Err = ();

    fn from_str(c: &str) -> Result<Self, ()> {
        let (secs, id) = c.split_once('_').ok_or(())?;
        let secs: i64 = secs.parse().map_err(|_| ())?;
        let at = Stamp(Timestamp::from_second(secs).map_err(|_| ())?);
        Ok(Self(at, id.parse().map_err(|_| ())?))
    }
}

/// Appointments by start time, narrowed by the filter: staff see their practices'
/// appointments, a client their own.
pub async fn list(
    cx: &TenantPrincipal,
    filter: &AppointmentFilter,
    page: &PageRequest,
) -> ServiceResult<Page<AppointmentOut>> {
    let limit = page.limit()?;
    let mut f = appointment::Filter {
        scope: None,
        practice: filter.practice_id,
        from: filter.from.map(to_stored),
        to: filter.to.map(to_stored),
        veterinarian: filter.veterinarian_id,
        room: filter.room_id,
        patient: filter.pet_id,
        client: filter.client_id,
        statuses: filter.statuses.clone(),
    };
    let cursor = page.cursor::<ListCursor>()?.map(|c| (c.0, c.1));
    let empty = || Page {
        items: Vec::new(),
        next_cursor: None,
    };
    if cx.is_client() {
        let Some(own) = cx.own_client().await? else {
            return Ok(empty());
        };
        if f.client.is_some_and(|c| c != own.id) {
            return Ok(empty());
        }
        f.client = Some(own.id);
    } else {
        f.scope = cx.practice_scope().map(<[PracticeId]>::to_vec);
    }
    let rows = appointment::list_page(cx.db(), &f, cursor, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |r| {
        format!("{}_{}", r.starts_at.as_second(), r.id)
    });
    let practices: HashMap<PracticeId, practice::Model> = practice::list(cx.db())
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(Page {
        items: page
            .items
            .into_iter()
            .filter_map(|m| {
                let p = practices.get(&m.practice_id)?;
                Some(AppointmentOut::new(m, p))
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}
