//! `/api/pets`: the company's patients, their weights and their owners. The rules live in
//! [`smartdmv_practice::patients`]; these handlers extract, call and answer.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::{ClientId, IdInput, PatientId};
use smartdmv_practice::patients::{
    self, NewOwner, NewPet, OwnerChange, OwnershipOut, PetAnswer, PetChanges, PetFilter, PetOut,
    WeightIn, WeightOut, owners, weights,
};
use smartdmv_practice::{PageRequest, ServiceError};

use super::Page;
use crate::api::{created, page};
use crate::auth::Authorized;
use crate::auth::perms::{PetsCreate, PetsDelete, PetsRead, PetsUpdate};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/pets", list)
        .post("/api/pets", create)
        .get("/api/pets/{id}", show)
        .patch("/api/pets/{id}", update)
        .delete("/api/pets/{id}", deactivate)
        .get("/api/pets/{id}/weights", list_weights)
        .post("/api/pets/{id}/weights", add_weight)
        .get("/api/pets/{id}/owners", list_owners)
        .post("/api/pets/{id}/owners", add_owner)
        .delete("/api/pets/{id}/owners/{ownership_id}", end_ownership)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetQuery {
    /// Pets this client currently owns.
    pub owner_id: Option<ClientId>,
    /// Active pets (default) or, with `false`, deactivated ones.
    pub active: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/pets?ownerId=&active=`: a `CLIENT` user sees only the pets they own.
pub(crate) async fn list(
    auth: Authorized<PetsRead>,
    ApiQuery(q): ApiQuery<PetQuery>,
) -> ApiResult<Json<Page<PetOut>>> {
    let filter = PetFilter {
        owner_id: q.owner_id,
        active: q.active,
    };
    let page = page(q.limit, q.cursor);
    Ok(Json(patients::list(&auth, &filter, &page).await?))
}

/// `POST /api/pets`: a patient with its owner (the primary one) and optionally a first
/// weighing.
pub(crate) async fn create(
    auth: Authorized<PetsCreate>,
    ApiJson(b): ApiJson<NewPet>,
) -> ApiResult<(StatusCode, Json<PetAnswer>)> {
    created(patients::create(&auth, b).await?)
}

/// `GET /api/pets/{id}`: the pet, and a `duplicate_microchip` warning when it applies.
pub(crate) async fn show(
    auth: Authorized<PetsRead>,
    IdPath(id): IdPath<PatientId>,
) -> ApiResult<Json<PetAnswer>> {
    Ok(Json(patients::show(&auth, id).await?))
}

/// `PATCH /api/pets/{id}`. `deceasedOn` marks the patient deceased and cancels its future
/// appointments (listed in `cancelledAppointmentIds`); it cannot be cleared.
pub(crate) async fn update(
    auth: Authorized<PetsUpdate>,
    IdPath(id): IdPath<PatientId>,
    ApiJson(b): ApiJson<PetChanges>,
) -> ApiResult<Json<PetAnswer>> {
    Ok(Json(patients::update(&auth, id, b).await?))
}

/// `DELETE /api/pets/{id}`: deactivates (patients are never erased; their records are
/// retained). `PATCH {"active": true}` reactivates.
pub(crate) async fn deactivate(
    auth: Authorized<PetsDelete>,
    IdPath(id): IdPath<PatientId>,
) -> ApiResult<Json<PetOut>> {
    Ok(Json(patients::deactivate(&auth, id).await?))
}

/// `GET /api/pets/{id}/weights`: newest first.
pub(crate) async fn list_weights(
    auth: Authorized<PetsRead>,
    IdPath(id): IdPath<PatientId>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<WeightOut>>> {
    Ok(Json(weights::list(&auth, id, &page).await?))
}

/// `POST /api/pets/{id}/weights`
pub(crate) async fn add_weight(
    auth: Authorized<PetsUpdate>,
    IdPath(id): IdPath<PatientId>,
    ApiJson(b): ApiJson<WeightIn>,
) -> ApiResult<(StatusCode, Json<WeightOut>)> {
    created(weights::create(&auth, id, b).await?)
}

/// `GET /api/pets/{id}/owners`: staff see the full dated history, oldest first; a client
/// sees the pet's current owners only.
pub(crate) async fn list_owners(
    auth: Authorized<PetsRead>,
    IdPath(id): IdPath<PatientId>,
) -> ApiResult<Json<Page<OwnershipOut>>> {
    Ok(Json(Page::all(owners::list(&auth, id).await?)))
}

/// `POST /api/pets/{id}/owners`: adds a co-owner, makes a client the primary owner
/// (`primary: true`, also for a current co-owner), or transfers the pet (`transfer: true`).
pub(crate) async fn add_owner(
    auth: Authorized<PetsUpdate>,
    IdPath(id): IdPath<PatientId>,
    ApiJson(b): ApiJson<NewOwner>,
) -> ApiResult<(StatusCode, Json<OwnerChange>)> {
    created(owners::add(&auth, id, b).await?)
}

/// `DELETE /api/pets/{id}/owners/{ownership_id}`: ends a current co-ownership (409
/// `last_owner` for the last one, `primary_owner` for the primary one while others remain).
pub(crate) async fn end_ownership(
    auth: Authorized<PetsUpdate>,
    Path((id, ownership_id)): Path<(String, String)>,
) -> ApiResult<Json<OwnershipOut>> {
    let id: PatientId = id.parse().map_err(|_| ServiceError::NotFound("pet"))?;
    let ownership_id = IdInput::parse(&ownership_id);
    Ok(Json(owners::end(&auth, id, ownership_id).await?))
}
