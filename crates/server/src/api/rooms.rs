//! `/api/rooms`: the bookable rooms of each practice (consult rooms, theatres). Practice
//! scoped: staff bound to some practices neither see nor book the rooms of others. Deleting
//! deactivates: past appointments keep their room.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::{practice, room};
use uuid::Uuid;

use super::auth::rfc3339;
use super::{Page, PageParams};
use crate::auth::perms::{RoomsCreate, RoomsDelete, RoomsRead, RoomsUpdate};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/rooms", list)
        .post("/api/rooms", create)
        .get("/api/rooms/{id}", show)
        .patch("/api/rooms/{id}", update)
        .delete("/api/rooms/{id}", deactivate)
}

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

fn snapshot(m: &room::Model) -> Option<serde_json::Value> {
    serde_json::to_value(RoomOut::from(m.clone())).ok()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub practice_id: Option<String>,
    /// Also list deactivated rooms.
    #[serde(default)]
    pub include_inactive: bool,
}

/// `GET /api/rooms?practiceId=`: active rooms of the practices the caller works in.
pub(crate) async fn list(
    auth: Authorized<RoomsRead>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<RoomOut>>> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    let practice = match q.practice_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse::<Uuid>().map_err(|_| {
            ApiError::bad_request("invalid_query", "practiceId is not a practice id")
        })?),
    };
    let mut rows = room::list_page(
        auth.db(),
        auth.practice_scope(),
        practice,
        q.include_inactive,
        page.cursor()?,
        limit + 1,
    )
    .await
    .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    Ok(Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// A room the caller may see, by the id in a path (404 otherwise, so ids cannot be probed).
pub(crate) async fn visible(auth: &TenantPrincipal, id: &str) -> ApiResult<room::Model> {
    let id: Uuid = id.parse().map_err(|_| ApiError::not_found("room"))?;
    room::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .filter(|r| auth.in_scope(Some(r.practice_id)))
        .ok_or_else(|| ApiError::not_found("room"))
}

/// `GET /api/rooms/{id}`
pub(crate) async fn show(
    auth: Authorized<RoomsRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<RoomOut>> {
    Ok(Json(visible(&auth, &id).await?.into()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRoom {
    /// Defaults to the caller's only practice.
    pub practice_id: Option<String>,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateRoom {
    pub name: Option<String>,
    /// `true` reactivates a deactivated room.
    pub active: Option<bool>,
}

fn check_name(name: &str) -> ApiResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(ApiError::invalid_field(
            "name",
            "must be 1 to 100 characters",
        ));
    }
    Ok(n.to_owned())
}

pub(crate) async fn check_unique(auth: &TenantPrincipal, m: &room::Model) -> ApiResult<()> {
    if m.active
        && room::name_taken(auth.db(), m.practice_id, &m.name, Some(m.id))
            .await
            .map_err(|e| auth.db_error(e))?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "room_name_taken",
            "the practice has an active room with this name",
        ));
    }
    Ok(())
}

/// The practice a body names (or the caller's only practice), if the caller works there.
/// Unknown practices and practices out of reach answer the same 422.
pub async fn practice_for_body(
    auth: &TenantPrincipal,
    raw: Option<&str>,
    default: Option<Uuid>,
) -> ApiResult<practice::Model> {
    let id = match raw {
        Some(s) => s.parse::<Uuid>().ok(),
        None => default.or(match auth.practices.as_slice() {
            [only] => Some(*only),
            _ => None,
        }),
    };
    let Some(id) = id else {
        return Err(ApiError::invalid_field(
            "practiceId",
            match raw {
                Some(_) => "is not a practice id",
                None => "is required: you work in more than one practice",
            },
        ));
    };
    practice::find(auth.db(), id)
        .await
        .map_err(|e| auth.db_error(e))?
        .filter(|p| auth.is_client() || auth.in_scope(Some(p.id)))
        .ok_or_else(|| ApiError::invalid_field("practiceId", "unknown practice"))
}

/// 409 `practice_closed` for a closed practice.
pub fn require_open(p: &practice::Model) -> ApiResult<()> {
    if p.active {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::CONFLICT,
            "practice_closed",
            format!("{} is closed and takes no new bookings", p.name),
        )
        .with("practiceId", serde_json::json!(p.id.to_string())))
    }
}

pub(crate) async fn save(
    auth: &TenantPrincipal,
    action: &str,
    before: Option<&room::Model>,
    m: room::Model,
) -> ApiResult<room::Model> {
    let db = auth.db();
    async {
        let txn = db.begin().await?;
        let saved = match before {
            None => room::insert(&txn, m).await?,
            Some(_) => room::update(&txn, m).await?,
        };
        auth.audit(
            &txn,
            action,
            "room",
            Some(saved.id),
            Some(saved.practice_id),
            before.and_then(snapshot),
            snapshot(&saved),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))
}

/// `POST /api/rooms`: a room of an open practice the caller works in.
pub(crate) async fn create(
    auth: Authorized<RoomsCreate>,
    ApiJson(body): ApiJson<CreateRoom>,
) -> ApiResult<(StatusCode, Json<RoomOut>)> {
    let name = check_name(&body.name)?;
    let practice = practice_for_body(&auth, body.practice_id.as_deref(), None).await?;
    require_open(&practice)?;
    let now = smartdmv_store::now();
    let m = room::Model {
        id: Uuid::now_v7(),
        practice_id: practice.id,
        name,
        active: true,
        created_at: now,
        updated_at: now,
    };
    check_unique(&auth, &m).await?;
    let saved = save(&auth, "create", None, m).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// `PATCH /api/rooms/{id}`: rename or reactivate. A room does not move between practices.
pub(crate) async fn update(
    auth: Authorized<RoomsUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateRoom>,
) -> ApiResult<Json<RoomOut>> {
    let before = visible(&auth, &id).await?;
    let mut m = before.clone();
    if let Some(n) = &body.name {
        m.name = check_name(n)?;
    }
    if let Some(a) = body.active {
        m.active = a;
    }
    check_unique(&auth, &m).await?;
    m.updated_at = smartdmv_store::now();
    Ok(Json(save(&auth, "update", Some(&before), m).await?.into()))
}

/// `DELETE /api/rooms/{id}`: deactivates the room; booked appointments keep it.
pub(crate) async fn deactivate(
    auth: Authorized<RoomsDelete>,
    Path(id): Path<String>,
) -> ApiResult<Json<RoomOut>> {
    let before = visible(&auth, &id).await?;
    if !before.active {
        return Ok(Json(before.into()));
    }
    let mut m = before.clone();
    m.active = false;
    m.updated_at = smartdmv_store::now();
    Ok(Json(
        save(&auth, "deactivate", Some(&before), m).await?.into(),
    ))
}
