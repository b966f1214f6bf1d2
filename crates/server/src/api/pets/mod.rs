//! `/api/pets`: the company's patients. Species is required and the breed comes from the
//! species' list; microchips are checked (ISO 11784 or a typed legacy code) and duplicates
//! warned, not refused; patients are deactivated, never erased. Marking a patient deceased
//! cancels its future appointments in the same transaction. A `CLIENT` user sees only the
//! pets they currently own; any other id answers 404.

mod body;
mod checks;
pub(crate) mod owners;
pub(crate) mod update;
pub(crate) mod weights;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sea_orm::DbErr;
use serde::Deserialize;
use smartdmv_store::tenant::{patient, patient_owner, patient_weight};
use uuid::Uuid;

use body::Warning;
pub(crate) use body::{CreatePet, PetAnswer, PetOut, UpdatePet, WeightIn, WeightOut};
use checks::{check_dates, check_microchip, check_sex, colour_of, owner_client};

use super::clients::audit_practice;
use super::fields::Errors;
use super::{Page, PageParams};
use crate::auth::perms::{PetsCreate, PetsRead};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/pets", list)
        .post("/api/pets", create)
        .get("/api/pets/{id}", show)
        .patch("/api/pets/{id}", update::update)
        .delete("/api/pets/{id}", update::deactivate)
        .get("/api/pets/{id}/weights", weights::list)
        .post("/api/pets/{id}/weights", weights::create)
        .get("/api/pets/{id}/owners", owners::list)
        .post("/api/pets/{id}/owners", owners::add)
        .delete("/api/pets/{id}/owners/{ownership_id}", owners::end)
}

fn not_found() -> ApiError {
    ApiError::not_found("pet")
}

/// The patients a `CLIENT` user currently owns (none without a linked client record);
/// `None` for staff, who see every patient of the company.
pub(crate) async fn client_pets(p: &TenantPrincipal) -> ApiResult<Option<Vec<Uuid>>> {
    if !p.is_client() {
        return Ok(None);
    }
    let Some(own) = p.own_client().await? else {
        return Ok(Some(Vec::new()));
    };
    patient_owner::current_patient_ids(p.db(), own.id)
        .await
        .map(Some)
        .map_err(|e| p.db_error(e).into())
}

/// A patient the principal may see; 404 for a malformed id, an unknown one, or (for a
/// client) one they do not own.
pub(crate) async fn visible(p: &TenantPrincipal, id: &str) -> ApiResult<patient::Model> {
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    if let Some(mine) = client_pets(p).await?
        && !mine.contains(&id)
    {
        return Err(not_found());
    }
    patient::find(p.db(), id)
        .await
        .map_err(|e| p.db_error(e))?
        .ok_or_else(not_found)
}

/// The pet as the API shows it, with its current owners and latest weight.
pub(crate) async fn pet_out(p: &TenantPrincipal, m: &patient::Model) -> ApiResult<PetOut> {
    let db = p.db();
    let owners = patient_owner::current(db, m.id)
        .await
        .map_err(|e| p.db_error(e))?;
    let weights = patient_weight::latest_for_patients(db, &[m.id])
        .await
        .map_err(|e| p.db_error(e))?;
    Ok(PetOut::new(m, &owners, &weights, p.is_client()))
}

/// `duplicate_microchip` when other patients of the company carry the code.
pub(crate) async fn microchip_warnings(
    p: &TenantPrincipal,
    m: &patient::Model,
) -> ApiResult<Vec<Warning>> {
    let Some(code) = &m.microchip else {
        return Ok(Vec::new());
    };
    let others = patient::with_microchip(p.db(), code, Some(m.id))
        .await
        .map_err(|e| p.db_error(e))?;
    if others.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![Warning {
        code: "duplicate_microchip",
        detail: format!(
            "{} other patient(s) of the company carry microchip {code}",
            others.len()
        ),
        patient_ids: others.iter().map(Uuid::to_string).collect(),
    }])
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PetQuery {
    /// Pets this client currently owns.
    pub owner_id: Option<Uuid>,
    /// Active pets (default) or, with `false`, deactivated ones.
    pub active: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/pets?ownerId=&active=`
pub(crate) async fn list(
    auth: Authorized<PetsRead>,
    ApiQuery(q): ApiQuery<PetQuery>,
) -> ApiResult<Json<Page<PetOut>>> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    let db = auth.db();
    let mut ids = client_pets(&auth).await?;
    if let Some(owner) = q.owner_id {
        let owned = patient_owner::current_patient_ids(db, owner)
            .await
            .map_err(|e| auth.db_error(e))?;
        ids = Some(match ids {
            Some(mine) => owned.into_iter().filter(|x| mine.contains(x)).collect(),
            None => owned,
        });
    }
    let f = patient::Filter {
        active: Some(q.active.unwrap_or(true)),
        ids,
    };
    let mut rows = patient::list_page(db, &f, page.cursor()?, limit + 1)
        .await
        .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    let page_ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    let owners = patient_owner::current_for_patients(db, &page_ids)
        .await
        .map_err(|e| auth.db_error(e))?;
    let weights = patient_weight::latest_for_patients(db, &page_ids)
        .await
        .map_err(|e| auth.db_error(e))?;
    let for_client = auth.is_client();
    Ok(Json(Page {
        items: rows
            .iter()
            .map(|p| PetOut::new(p, &owners, &weights, for_client))
            .collect(),
        next_cursor,
    }))
}

/// `POST /api/pets`: a patient with its owner (the primary one) and optionally a first
/// weighing.
pub(crate) async fn create(
    auth: Authorized<PetsCreate>,
    ApiJson(b): ApiJson<CreatePet>,
) -> ApiResult<(StatusCode, Json<PetAnswer>)> {
    let mut errs = Errors::default();
    let name = errs.required("name", b.name.as_deref(), 200);
    let species = errs
        .required("species", b.species.as_deref(), 40)
        .to_lowercase();
    let breed = if errs.has("species") {
        None
    } else {
        super::species::check_breed(&auth, &mut errs, &species, b.breed.as_deref()).await?
    };
    let owner = owner_client(&auth, &mut errs, "ownerId", b.owner_id.as_deref()).await?;
    let sex = check_sex(&mut errs, b.sex.as_deref().unwrap_or("unknown"));
    let dob = b
        .date_of_birth
        .as_deref()
        .and_then(|d| errs.past_date("dateOfBirth", d));
    let colour = colour_of(&mut errs, &b.colour, &b.color);
    let colour = errs.optional("colour", colour.as_deref(), 100);
    let chip = match (&b.microchip, &b.microchip_type) {
        (Some(raw), kind) => check_microchip(&mut errs, raw, kind.as_deref()),
        (None, Some(_)) => {
            errs.add("microchipType", "needs a microchip");
            None
        }
        (None, None) => None,
    };
    let alerts = errs.alerts("alerts", &b.alerts);
    let notes = errs.optional("notes", b.notes.as_deref(), 10_000);
    let weight = b
        .weight
        .as_ref()
        .and_then(|w| weights::check(&mut errs, "weight.", w));
    let now = smartdmv_store::now();
    let m = patient::Model {
        id: Uuid::now_v7(),
        name_key: smartdmv_domain::text::fold_name(&name),
        name,
        species,
        breed,
        sex,
        neutered: b.neutered.unwrap_or(false),
        date_of_birth: dob,
        dob_estimated: b.dob_estimated.unwrap_or(false),
        colour,
        microchip: chip.as_ref().map(|c| c.code.clone()),
        microchip_type: chip.map(|c| c.kind.to_owned()),
        alerts,
        deceased_on: None,
        notes,
        active: true,
        created_at: now,
        updated_at: now,
    };
    check_dates(&mut errs, &m);
    errs.finish()?;
    let Some(owner) = owner else {
        return Err(ApiError::internal("owner checked above"));
    };
    let db = auth.db();
    let practice = audit_practice(&auth);
    let (saved, ownership, weighing) = async {
        let txn = db.begin().await?;
        let saved = patient::insert(&txn, m).await?;
        smartdmv_store::tenant::search::reindex_patient(&txn, saved.id).await?;
        let mut after = PetOut::snapshot(&saved);
        after["ownerId"] = serde_json::json!(owner.id);
        auth.audit(
            &txn,
            "create",
            "patient",
            Some(saved.id),
            practice,
            None,
            Some(after),
        )
        .await?;
        let ownership = owners::start(&auth, &txn, saved.id, owner.id, true, now).await?;
        let weighing = match weight {
            Some(w) => Some(weights::record(&auth, &txn, saved.id, w).await?),
            None => None,
        };
        txn.commit().await?;
        Ok::<_, DbErr>((saved, ownership, weighing))
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    let warnings = microchip_warnings(&auth, &saved).await?;
    let pet = PetOut::new(&saved, &[ownership], weighing.as_slice(), false);
    Ok((
        StatusCode::CREATED,
        Json(PetAnswer {
            pet,
            warnings,
            cancelled_appointment_ids: None,
        }),
    ))
}

/// `GET /api/pets/{id}`: the pet, and a `duplicate_microchip` warning when it applies.
pub(crate) async fn show(
    auth: Authorized<PetsRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<PetAnswer>> {
    let m = visible(&auth, &id).await?;
    let warnings = if auth.is_client() {
        Vec::new()
    } else {
        microchip_warnings(&auth, &m).await?
    };
    Ok(Json(PetAnswer {
        pet: pet_out(&auth, &m).await?,
        warnings,
        cancelled_appointment_ids: None,
    }))
}
