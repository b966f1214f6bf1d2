//! `/api/rooms`: the bookable rooms of each practice. The rules live in
//! [`smartdmv_practice::rooms`]; these handlers extract, call and answer.

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::RoomId;
use smartdmv_practice::ServiceError;
use smartdmv_practice::rooms::{self, NewRoom, RoomChanges, RoomFilter, RoomOut};

use super::Page;
use crate::api::{created, page};
use crate::auth::Authorized;
use crate::auth::perms::{RoomsCreate, RoomsDelete, RoomsRead, RoomsUpdate};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/rooms", list)
        .post("/api/rooms", create)
        .get("/api/rooms/{id}", show)
        .patch("/api/rooms/{id}", update)
        .delete("/api/rooms/{id}", deactivate)
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
    let practice_id = match q.practice_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse().map_err(|_| {
            ServiceError::bad_request("invalid_query", "practiceId is not a practice id")
        })?),
    };
    let filter = RoomFilter {
        practice_id,
        include_inactive: q.include_inactive,
    };
    let page = page(q.limit, q.cursor);
    Ok(Json(
        rooms::list(&auth, &filter, &page).await?.map(Into::into),
    ))
}

/// `GET /api/rooms/{id}`
pub(crate) async fn show(
    auth: Authorized<RoomsRead>,
    IdPath(id): IdPath<RoomId>,
) -> ApiResult<Json<RoomOut>> {
    Ok(Json(rooms::get(&auth, id).await?.into()))
}

/// `POST /api/rooms`: a room of an open practice the caller works in.
pub(crate) async fn create(
    auth: Authorized<RoomsCreate>,
    ApiJson(input): ApiJson<NewRoom>,
) -> ApiResult<(StatusCode, Json<RoomOut>)> {
    let saved = rooms::create(&auth, input).await?;
    created(saved.into())
}

/// `PATCH /api/rooms/{id}`: rename or reactivate.
pub(crate) async fn update(
    auth: Authorized<RoomsUpdate>,
    IdPath(id): IdPath<RoomId>,
    ApiJson(changes): ApiJson<RoomChanges>,
) -> ApiResult<Json<RoomOut>> {
    Ok(Json(rooms::update(&auth, id, changes).await?.into()))
}

/// `DELETE /api/rooms/{id}`: deactivates the room; booked appointments keep it.
pub(crate) async fn deactivate(
    auth: Authorized<RoomsDelete>,
    IdPath(id): IdPath<RoomId>,
) -> ApiResult<Json<RoomOut>> {
    Ok(Json(rooms::deactivate(&auth, id).await?.into()))
}
