//! `/api/species`: the species and breed lists patients are recorded against, the built-in
//! ones (`smartdmv_domain::species`) plus the company's own additions. A patient's breed
//! must come from its species' list or be `Other`, which is always accepted.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use smartdmv_domain::species::{self, OTHER_BREED};
use smartdmv_store::tenant::{custom_breed, custom_species};
use uuid::Uuid;

use super::Page;
use super::auth::rfc3339;
use super::fields::Errors;
use crate::auth::Authorized;
use crate::auth::perms::{PetsRead, SettingsUpdate};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/species", list)
        .post("/api/species", create_species)
        .post("/api/species/{code}/breeds", create_breed)
}

/// A species with its breeds (built-in first, then the company's, by name).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeciesOut {
    pub code: String,
    pub name: String,
    pub built_in: bool,
    pub breeds: Vec<String>,
}

/// A species a patient can be recorded as, or `None` for an unknown code.
pub(crate) async fn find(
    db: &impl smartdmv_store::TenantConn,
    code: &str,
) -> Result<Option<SpeciesOut>, DbErr> {
    let (name, mut breeds, built_in) = match species::built_in(code) {
        Some(s) => (
            s.name.to_owned(),
            s.breeds.iter().map(|b| (*b).to_owned()).collect::<Vec<_>>(),
            true,
        ),
        None => match custom_species::find(db, code).await? {
            Some(c) => (c.name, Vec::new(), false),
            None => return Ok(None),
        },
    };
    breeds.extend(
        custom_breed::for_species(db, code)
            .await?
            .into_iter()
            .map(|b| b.name),
    );
    Ok(Some(SpeciesOut {
        code: code.to_owned(),
        name,
        built_in,
        breeds,
    }))
}

/// `GET /api/species`: every species with its breeds, built-in ones first.
pub(crate) async fn list(auth: Authorized<PetsRead>) -> ApiResult<Json<Page<SpeciesOut>>> {
    let db = auth.db();
    let customs = custom_species::all(db)
        .await
        .map_err(|e| auth.db_error(e))?;
    let breeds = custom_breed::all(db).await.map_err(|e| auth.db_error(e))?;
    let extra = |code: &str| {
        breeds
            .iter()
            .filter(|b| b.species == code)
            .map(|b| b.name.clone())
            .collect::<Vec<_>>()
    };
    let mut items: Vec<SpeciesOut> = species::BUILT_IN
        .iter()
        .map(|s| SpeciesOut {
            code: s.code.into(),
            name: s.name.into(),
            built_in: true,
            breeds: s
                .breeds
                .iter()
                .map(|b| (*b).to_owned())
                .chain(extra(s.code))
                .collect(),
        })
        .collect();
    items.extend(customs.into_iter().map(|c| SpeciesOut {
        breeds: extra(&c.code),
        code: c.code,
        name: c.name,
        built_in: false,
    }));
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSpecies {
    pub code: Option<String>,
    pub name: Option<String>,
}

/// `POST /api/species`: adds a company species. 409 `species_exists` for a code that is
/// taken (built-in or custom).
pub(crate) async fn create_species(
    auth: Authorized<SettingsUpdate>,
    ApiJson(b): ApiJson<NewSpecies>,
) -> ApiResult<(StatusCode, Json<SpeciesOut>)> {
    let mut errs = Errors::default();
    let code = errs.required("code", b.code.as_deref(), 40);
    if !errs.has("code") && !species::is_valid_code(&code) {
        errs.add(
            "code",
            "must be 2 to 40 lower-case letters, digits and inner hyphens",
        );
    }
    let name = errs.required("name", b.name.as_deref(), 100);
    errs.finish()?;
    let exists = || {
        ApiError::new(
            StatusCode::CONFLICT,
            "species_exists",
            format!("the species {code:?} exists"),
        )
    };
    if species::built_in(&code).is_some() {
        return Err(exists());
    }
    let db = auth.db();
    let m = custom_species::Model {
        code: code.clone(),
        name,
        created_at: smartdmv_store::now(),
    };
    let saved = async {
        let txn = db.begin().await?;
        let saved = custom_species::insert(&txn, m).await?;
        auth.audit(
            &txn,
            "create",
            "species",
            None,
            super::clients::audit_practice(&auth),
            None,
            Some(serde_json::json!({"code": saved.code, "name": saved.name})),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>(saved)
    }
    .await;
    let saved = match saved {
        Ok(s) => s,
        Err(e) if smartdmv_store::is_unique_violation(&e) => return Err(exists()),
        Err(e) => return Err(auth.db_error(e).into()),
    };
    Ok((
        StatusCode::CREATED,
        Json(SpeciesOut {
            code: saved.code,
            name: saved.name,
            built_in: false,
            breeds: Vec::new(),
        }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBreed {
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreedOut {
    pub id: String,
    pub species: String,
    pub name: String,
    pub created_at: String,
}

/// `POST /api/species/{code}/breeds`: adds a breed to a species' list. 409 `breed_exists`
/// when the list has it already (in any case).
pub(crate) async fn create_breed(
    auth: Authorized<SettingsUpdate>,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<NewBreed>,
) -> ApiResult<(StatusCode, Json<BreedOut>)> {
    let db = auth.db();
    let s = find(db, &code)
        .await
        .map_err(|e| auth.db_error(e))?
        .ok_or_else(|| ApiError::not_found("species"))?;
    let mut errs = Errors::default();
    let name = errs.required("name", b.name.as_deref(), 120);
    if name.eq_ignore_ascii_case(OTHER_BREED) {
        errs.add("name", format!("{OTHER_BREED:?} is always accepted"));
    }
    errs.finish()?;
    let exists = || {
        ApiError::new(
            StatusCode::CONFLICT,
            "breed_exists",
            format!("the {} breed list has {name:?}", s.name),
        )
    };
    if species::match_breed(s.breeds.iter().map(String::as_str), &name).is_some() {
        return Err(exists());
    }
    let m = custom_breed::Model {
        id: Uuid::now_v7(),
        species: s.code.clone(),
        name: name.clone(),
        created_at: smartdmv_store::now(),
    };
    let saved = async {
        let txn = db.begin().await?;
        let saved = custom_breed::insert(&txn, m).await?;
        auth.audit(
            &txn,
            "create",
            "breed",
            Some(saved.id),
            super::clients::audit_practice(&auth),
            None,
            Some(serde_json::json!({"species": saved.species, "name": saved.name})),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>(saved)
    }
    .await;
    let saved = match saved {
        Ok(s) => s,
        Err(e) if smartdmv_store::is_unique_violation(&e) => return Err(exists()),
        Err(e) => return Err(auth.db_error(e).into()),
    };
    Ok((
        StatusCode::CREATED,
        Json(BreedOut {
            id: saved.id.to_string(),
            species: saved.species,
            name: saved.name,
            created_at: rfc3339(saved.created_at),
        }),
    ))
}
