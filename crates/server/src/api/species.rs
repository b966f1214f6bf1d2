//! `/api/species`: the species and breed lists patients are recorded against. The rules live
//! in [`smartdmv_practice::species`]; these handlers extract, call and answer.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use smartdmv_practice::species::{self, BreedOut, SpeciesOut};

use super::Page;
use crate::api::created;
use crate::auth::Authorized;
use crate::auth::perms::{PetsRead, SettingsUpdate};
use crate::error::ApiResult;
use crate::extract::ApiJson;

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/species", list)
        .post("/api/species", create_species)
        .post("/api/species/{code}/breeds", create_breed)
}

/// `GET /api/species`: every species with its breeds, built-in ones first.
pub(crate) async fn list(auth: Authorized<PetsRead>) -> ApiResult<Json<Page<SpeciesOut>>> {
    Ok(Json(Page::all(species::list(&auth).await?)))
}

/// `POST /api/species`: adds a company species (409 `species_exists` for a taken code).
pub(crate) async fn create_species(
    auth: Authorized<SettingsUpdate>,
    ApiJson(input): ApiJson<species::NewSpecies>,
) -> ApiResult<(StatusCode, Json<SpeciesOut>)> {
    let saved = species::create_species(&auth, input).await?;
    created(saved)
}

/// `POST /api/species/{code}/breeds`: adds a breed to a species' list (409 `breed_exists`
/// when the list has it already, in any case).
pub(crate) async fn create_breed(
    auth: Authorized<SettingsUpdate>,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<species::NewBreed>,
) -> ApiResult<(StatusCode, Json<BreedOut>)> {
    let saved = species::create_breed(&auth, &code, input).await?;
    created(saved)
}
