//! Rooms: the bookable rooms of each practice (consult rooms, theatres). Practice scoped:
//! staff bound to some practices neither see nor book the rooms of others. Deleting
//! deactivates: past appointments keep their room.

use serde::{Deserialize, Serialize};
use smartdmv_domain::{IdInput, PracticeId, RoomId};
use smartdmv_store::tenant::room;
use uuid::Uuid;

use crate::audited::{Audited, save};
use crate::{Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal, practices, rfc3339};

/// Which rooms to list.
#[derive(Debug, Default)]
pub struct RoomFilter {
    pub practice_id: Option<PracticeId>,
    /// Also list deactivated rooms.
    pub include_inactive: bool,
}

/// A new room.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRoom {
    /// Defaults to the caller's only practice.
    pub practice_id: Option<IdInput<PracticeId>>,
    pub name: String,
}

/// Changes to a room.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoomChanges {
    pub name: Option<String>,
    /// `true` reactivates a deactivated room.
    pub active: Option<bool>,
}

/// A room as answers and the audit log show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomOut {
    pub id: String,
    pub practice_id: String,
    pub name: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<room::Model> for RoomOut {
    fn from(m: room::Model) -> Self {
        Self {
            id: m.id.to_string(),
            practice_id: m.practice_id.to_string(),
            name: m.name,
            active: m.active,
            created_at: rfc3339(m.created_at),
            updated_at: rfc3339(m.updated_at),
        }
    }
}

impl Audited for room::Model {
    const ENTITY: &'static str = "room";
    type Out = RoomOut;
    fn entity_id(&self) -> Uuid {
        self.id.0
    }
    fn practice_id(&self) -> Option<PracticeId> {
        Some(self.practice_id)
    }
}

/// Active rooms of the practices the caller works in.
pub async fn list(
    cx: &TenantPrincipal,
    filter: &RoomFilter,
    page: &PageRequest,
) -> ServiceResult<Page<room::Model>> {
    let limit = page.limit()?;
    let rows = room::list_page(
        cx.db(),
        cx.practice_scope(),
        filter.practice_id,
        filter.include_inactive,
        page.cursor()?,
        limit + 1,
    )
    .await?;
    Ok(Page::from_rows(rows, limit, |r| r.id.to_string()))
}

/// A room the caller may see (404 otherwise, so ids cannot be probed).
pub async fn get(cx: &TenantPrincipal, id: RoomId) -> ServiceResult<room::Model> {
    room::find(cx.db(), id)
        .await?
        .filter(|r| cx.in_scope(Some(r.practice_id)))
        .ok_or(ServiceError::NotFound("room"))
}

fn check_name(name: &str) -> ServiceResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(ServiceError::invalid("name", "must be 1 to 100 characters"));
    }
    Ok(n.to_owned())
}

async fn check_unique(cx: &TenantPrincipal, m: &room::Model) -> ServiceResult<()> {
    if m.active && room::name_taken(cx.db(), m.practice_id, &m.name, Some(m.id)).await? {
        return Err(ServiceError::conflict(
            "room_name_taken",
            "the practice has an active room with this name",
        ));
    }
    Ok(())
}

/// A room of an open practice the caller works in.
pub async fn create(cx: &TenantPrincipal, input: NewRoom) -> ServiceResult<room::Model> {
    let name = check_name(&input.name)?;
    let practice = practices::for_input(cx, input.practice_id, None).await?;
    practices::require_open(&practice)?;
    let now = smartdmv_store::now();
    let m = room::Model {
        id: RoomId::new(),
        practice_id: practice.id,
        name,
        active: true,
        created_at: now,
        updated_at: now,
    };
    check_unique(cx, &m).await?;
    save(cx, "create", None, m).await
}

/// Renames or reactivates a room. A room does not move between practices.
pub async fn update(
    cx: &TenantPrincipal,
    id: RoomId,
    changes: RoomChanges,
) -> ServiceResult<room::Model> {
    let before = get(cx, id).await?;
    let mut m = before.clone();
    if let Some(n) = &changes.name {
        m.name = check_name(n)?;
    }
    if let Some(a) = changes.active {
        m.active = a;
    }
    check_unique(cx, &m).await?;
    m.updated_at = smartdmv_store::now();
    save(cx, "update", Some(&before), m).await
}

/// Deactivates a room; booked appointments keep it.
pub async fn deactivate(cx: &TenantPrincipal, id: RoomId) -> ServiceResult<room::Model> {
    let before = get(cx, id).await?;
    if !before.active {
        return Ok(before);
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    save(cx, "deactivate", Some(&before), m).await
}
