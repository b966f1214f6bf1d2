//! `/api/clients`: the company's clients (pet owners) with their contacts, consent flags,
//! address, alerts and home practice. The rules live in [`smartdmv_practice::clients`];
//! these handlers extract, call and answer.

mod portal;

use axum::Json;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::{ClientId, PracticeId};
use smartdmv_practice::clients::{
    self, ClientChanges, ClientFilter, ClientOut, NewClient, Removed,
};

use super::Page;
use crate::api::{created, page};
use crate::auth::perms::{ClientsCreate, ClientsDelete, ClientsRead, ClientsUpdate};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/clients", list)
        .post("/api/clients", create)
        .get("/api/clients/{id}", show)
        .patch("/api/clients/{id}", update)
        .delete("/api/clients/{id}", remove)
        .post("/api/clients/{id}/portal-account", portal::create)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientQuery {
    /// Active clients (default) or, with `false`, deactivated ones.
    pub active: Option<bool>,
    pub home_practice_id: Option<PracticeId>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/clients?active=&homePracticeId=`
pub(crate) async fn list(
    auth: Authorized<ClientsRead>,
    ApiQuery(q): ApiQuery<ClientQuery>,
) -> ApiResult<Json<Page<ClientOut>>> {
    let filter = ClientFilter {
        active: q.active,
        home_practice_id: q.home_practice_id,
    };
    let page = page(q.limit, q.cursor);
    Ok(Json(clients::list(&auth, &filter, &page).await?))
}

/// `POST /api/clients`
pub(crate) async fn create(
    auth: Authorized<ClientsCreate>,
    ApiJson(b): ApiJson<NewClient>,
) -> ApiResult<(StatusCode, Json<ClientOut>)> {
    created(clients::create(&auth, b).await?)
}

/// `GET /api/clients/{id}`: staff with `clients:read`; a `CLIENT` user reads their own
/// record (their contacts and consent) and gets 404 for anyone else's.
pub(crate) async fn show(
    p: TenantPrincipal,
    IdPath(id): IdPath<ClientId>,
) -> ApiResult<Json<ClientOut>> {
    Ok(Json(clients::show(&p, id).await?))
}

/// `PATCH /api/clients/{id}`: `contacts` replaces every contact; `email` / `phone` set or
/// remove the primary contact of their kind.
pub(crate) async fn update(
    auth: Authorized<ClientsUpdate>,
    IdPath(id): IdPath<ClientId>,
    ApiJson(b): ApiJson<ClientChanges>,
) -> ApiResult<Json<ClientOut>> {
    Ok(Json(clients::update(&auth, id, b).await?))
}

/// `DELETE /api/clients/{id}`: a client with patients (current or past), or appointments, is
/// deactivated so that their records are retained; a client without any is erased. Either
/// way their portal account is deactivated.
pub(crate) async fn remove(
    auth: Authorized<ClientsDelete>,
    IdPath(id): IdPath<ClientId>,
) -> ApiResult<Json<Removed>> {
    Ok(Json(clients::remove(&auth, id).await?))
}
