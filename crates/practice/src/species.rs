//! Species and breeds: the lists patients are recorded against, the built-in ones
//! (`smartdmv_domain::species`) plus the company's own additions. A patient's breed must come
//! from its species' list or be `Other`, which is always accepted ([`check_breed`]).

use serde::{Deserialize, Serialize};
use serde_json::json;
use smartdmv_domain::species::{self, OTHER_BREED};
use smartdmv_store::TenantConn;
use smartdmv_store::tenant::{custom_breed, custom_species};
use uuid::Uuid;

use crate::work::Change;
use crate::{ConflictAs, FieldErrors, ServiceError, ServiceResult, TenantPrincipal, rfc3339};

/// A species with its breeds (built-in first, then the company's, by name).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeciesOut {
    pub code: String,
    pub name: String,
    pub built_in: bool,
    pub breeds: Vec<String>,
}

/// A breed the company added to a species' list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreedOut {
    pub id: String,
    pub species: String,
    pub name: String,
    pub created_at: String,
}

impl From<custom_breed::Model> for BreedOut {
    fn from(b: custom_breed::Model) -> Self {
        Self {
            id: b.id.to_string(),
            species: b.species,
            name: b.name,
            created_at: rfc3339(b.created_at),
        }
    }
}

/// A new company species.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSpecies {
    /// 2 to 40 lower-case letters, digits and inner hyphens; not a built-in code.
    pub code: Option<String>,
    pub name: Option<String>,
}

/// A new breed of a species' list.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewBreed {
    pub name: Option<String>,
}

/// A species a patient can be recorded as, or `None` for an unknown code.
pub async fn find(db: &impl TenantConn, code: &str) -> ServiceResult<Option<SpeciesOut>> {
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

/// Checks a species code and a breed against it: the species must exist, the breed must be
/// in its list (any case; stored in the list's spelling) or be `Other`. Problems are added
/// to `errs`, so that a body answers with all of them at once. Returns the breed to store.
pub async fn check_breed(
    cx: &TenantPrincipal,
    errs: &mut FieldErrors,
    species_code: &str,
    breed: Option<&str>,
) -> ServiceResult<Option<String>> {
    let Some(s) = find(cx.db(), species_code).await? else {
        errs.push((
            "species".into(),
            format!("unknown species {species_code:?}; see GET /api/species"),
        ));
        return Ok(None);
    };
    let Some(b) = breed.map(str::trim).filter(|b| !b.is_empty()) else {
        return Ok(None);
    };
    match species::match_breed(s.breeds.iter().map(String::as_str), b) {
        Some(canonical) => Ok(Some(canonical.to_owned())),
        None => {
            errs.push((
                "breed".into(),
                format!(
                    "{b:?} is not in the {} breed list; use {OTHER_BREED:?} or add the breed with POST /api/species/{}/breeds",
                    s.name, s.code
                ),
            ));
            Ok(None)
        }
    }
}

/// Every species with its breeds, built-in ones first.
pub async fn list(cx: &TenantPrincipal) -> ServiceResult<Vec<SpeciesOut>> {
    let customs = custom_species::all(cx.db()).await?;
    let breeds = custom_breed::all(cx.db()).await?;
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
    Ok(items)
}

/// A required text: present, trimmed, 1 to `max` characters.
fn required(errs: &mut FieldErrors, field: &str, v: Option<&str>, max: usize) -> String {
    let Some(v) = v else {
        errs.push((field.into(), "is required".into()));
        return String::new();
    };
    let t = v.trim();
    let n = t.chars().count();
    if n == 0 || n > max {
        errs.push((field.into(), format!("must be 1 to {max} characters")));
    }
    t.to_owned()
}

fn finish(errs: FieldErrors) -> ServiceResult<()> {
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errs))
    }
}

/// Adds a company species. 409 `species_exists` for a code that is taken (built-in or
/// custom).
pub async fn create_species(cx: &TenantPrincipal, input: NewSpecies) -> ServiceResult<SpeciesOut> {
    let mut errs = FieldErrors::new();
    let code = required(&mut errs, "code", input.code.as_deref(), 40);
    if !errs.iter().any(|(f, _)| f == "code") && !species::is_valid_code(&code) {
        errs.push((
            "code".into(),
            "must be 2 to 40 lower-case letters, digits and inner hyphens".into(),
        ));
    }
    let name = required(&mut errs, "name", input.name.as_deref(), 100);
    finish(errs)?;
    let exists = format!("the species {code:?} exists");
    if species::built_in(&code).is_some() {
        return Err(ServiceError::conflict("species_exists", exists));
    }
    let m = custom_species::Model {
        code,
        name,
        created_at: smartdmv_store::now(),
    };
    let practice_id = cx.user.practice_id;
    let saved = cx
        .write(|w| async move {
            let saved = custom_species::insert(w.tx(), m).await?;
            w.audit(Change {
                action: "create",
                entity: "species",
                entity_id: None,
                practice_id,
                before: None,
                after: Some(json!({"code": saved.code, "name": saved.name})),
            })
            .await?;
            Ok(saved)
        })
        .await
        .conflict_as("species_exists", &exists)?;
    Ok(SpeciesOut {
        code: saved.code,
        name: saved.name,
        built_in: false,
        breeds: Vec::new(),
    })
}

/// Adds a breed to a species' list. 404 for an unknown species; 409 `breed_exists` when the
/// list has it already (in any case).
pub async fn create_breed(
    cx: &TenantPrincipal,
    species_code: &str,
    input: NewBreed,
) -> ServiceResult<BreedOut> {
    let s = find(cx.db(), species_code)
        .await?
        .ok_or(ServiceError::NotFound("species"))?;
    let mut errs = FieldErrors::new();
    let name = required(&mut errs, "name", input.name.as_deref(), 120);
    if name.eq_ignore_ascii_case(OTHER_BREED) {
        errs.push(("name".into(), format!("{OTHER_BREED:?} is always accepted")));
    }
    finish(errs)?;
    let exists = format!("the {} breed list has {name:?}", s.name);
    if species::match_breed(s.breeds.iter().map(String::as_str), &name).is_some() {
        return Err(ServiceError::conflict("breed_exists", exists));
    }
    let m = custom_breed::Model {
        id: Uuid::now_v7(),
        species: s.code,
        name,
        created_at: smartdmv_store::now(),
    };
    let practice_id = cx.user.practice_id;
    let saved = cx
        .write(|w| async move {
            let saved = custom_breed::insert(w.tx(), m).await?;
            w.audit(Change {
                action: "create",
                entity: "breed",
                entity_id: Some(saved.id),
                practice_id,
                before: None,
                after: Some(json!({"species": saved.species, "name": saved.name})),
            })
            .await?;
            Ok(saved)
        })
        .await
        .conflict_as("breed_exists", &exists)?;
    Ok(saved.into())
}
