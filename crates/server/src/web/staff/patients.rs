//! `/practice/patients`: find (search or the paged list), register a patient for a client,
//! and the patient's page (details, owners, weights, upcoming appointments).

use crate::web::posted::{Record, Submitted};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::PatientId;
use smartdmv_practice::PageRequest;
use smartdmv_practice::clients;
use smartdmv_practice::patients::{
    self, OwnershipOut, PetAnswer, PetFilter, PetOut, WeightOut, owners, weights,
};

use super::lookup::{ListQuery, Listing, Upcoming, listing, search, upcoming};
use super::pet_form::{CHIP_TYPES, PetForm, SEXES, UNITS, species_choices};
use super::{Staff, chrome};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{Perm, PetsCreate, PetsRead, PetsUpdate};
use crate::state::AppState;
use crate::web::booking::Choice;
use crate::web::chrome::{Chrome, PageCtx};
use crate::web::csrf::Flash;
use crate::web::display::{age, page_id, today_in};
use crate::web::error::WebResult;
use crate::web::{FormErrors, html, redirect_flash};
use crate::web::{form_result, rerender};
use smartdmv_practice::search::{ClientHit, PatientHit};

#[derive(Template)]
#[template(path = "staff/patients.html")]
struct ListPage {
    chrome: Chrome,
    list: Listing<PatientHit, PetOut>,
}

/// `GET /practice/patients?q=&cursor=`
pub async fn list(ctx: PageCtx, staff: Staff, Query(q): Query<ListQuery>) -> WebResult<Response> {
    let p = &staff.principal;
    let list = listing(
        p,
        q,
        "/practice/patients",
        |r| r.patients,
        async |page| {
            p.require(PetsRead::PERM)?;
            patients::list(p, &PetFilter::default(), &page).await
        },
    )
    .await?;
    html(&ListPage {
        chrome: chrome(&ctx, "Patients", p),
        list,
    })
}

#[derive(Template)]
#[template(path = "staff/patient_form.html")]
pub(super) struct FormPage {
    pub chrome: Chrome,
    /// Empty for a new patient.
    pub id: String,
    pub owner_name: String,
    pub owner_q: String,
    pub owner_hits: Vec<ClientHit>,
    pub form: PetForm,
    pub species: Vec<Choice>,
    pub sexes: [&'static str; 3],
    pub chip_types: [&'static str; 5],
    pub units: [&'static str; 4],
    pub errors: FormErrors,
    pub allowed: bool,
}

/// The form page; a new patient needs its owner first (found by search).
pub(super) async fn form_page(
    s: &AppState,
    ctx: &PageCtx,
    p: &TenantPrincipal,
    id: String,
    owner_q: String,
    form: PetForm,
    errors: FormErrors,
) -> WebResult<FormPage> {
    let mut owner_name = String::new();
    let mut owner_hits = Vec::new();
    if id.is_empty() && !form.owner_id.is_empty() {
        let c = clients::show(p, page_id(&form.owner_id)?).await?;
        owner_name = format!("{} {}", c.first_name, c.last_name);
    } else if id.is_empty() && !owner_q.trim().is_empty() {
        owner_hits = search(p, owner_q.clone(), 20).await?.clients;
    }
    let (title, perm) = if id.is_empty() {
        ("New patient", PetsCreate::PERM)
    } else {
        ("Edit patient", PetsUpdate::PERM)
    };
    Ok(FormPage {
        chrome: chrome(ctx, title, p),
        species: species_choices(s, p, &form.species).await?,
        allowed: p.can(perm),
        sexes: SEXES,
        chip_types: CHIP_TYPES,
        units: UNITS,
        id,
        owner_name,
        owner_q,
        owner_hits,
        form,
        errors,
    })
}

#[derive(Deserialize)]
pub struct NewQuery {
    owner: Option<String>,
    q: Option<String>,
}

/// `GET /practice/patients/new?owner=&q=`
pub async fn new_form(
    State(s): State<AppState>,
    ctx: PageCtx,
    staff: Staff,
    Query(q): Query<NewQuery>,
) -> WebResult<Response> {
    let form = PetForm {
        owner_id: q.owner.unwrap_or_default(),
        sex: "unknown".into(),
        ..PetForm::default()
    };
    let page = form_page(
        &s,
        &ctx,
        &staff.principal,
        String::new(),
        q.q.unwrap_or_default(),
        form,
        FormErrors::default(),
    )
    .await?;
    html(&page)
}

/// The API's field names as the form's.
pub(super) fn pet_fields(errors: FormErrors) -> FormErrors {
    errors.renamed(&[
        ("weight.value", "weight"),
        ("weight.unit", "weightUnit"),
        ("color", "colour"),
    ])
}

/// Warnings of a save (a duplicate microchip) as its flash.
pub(super) fn saved_flash(what: &str, a: &PetAnswer) -> Flash {
    match a.warnings.first() {
        Some(w) => Flash::success(format!("{what} Note: {}.", w.detail)),
        None => Flash::success(what),
    }
}

/// `POST /practice/patients`: registers the patient.
pub async fn create(
    Submitted(s, ctx, staff, form): Submitted<Staff, PetForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(PetsCreate::PERM)?;
    match form_result(patients::create(p, form.to_create()).await)? {
        Ok(a) => Ok(redirect_flash(
            &s,
            &format!("/practice/patients/{}", a.pet.id),
            saved_flash(&format!("Patient {} was registered.", a.pet.name), &a),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                let page = form_page(
                    &s,
                    &ctx,
                    p,
                    String::new(),
                    String::new(),
                    form,
                    pet_fields(errors),
                )
                .await?;
                html(&page)
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "staff/patient.html")]
struct ShowPage {
    chrome: Chrome,
    pet: PetAnswer,
    age: String,
    owners: Vec<OwnershipOut>,
    weights: Vec<WeightOut>,
    upcoming: Vec<Upcoming>,
    units: [&'static str; 4],
    may_edit: bool,
    may_read_record: bool,
    may_open_visit: bool,
}

/// `GET /practice/patients/{id}`
pub async fn show(Record(_, ctx, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(PetsRead::PERM)?;
    let id: PatientId = page_id(&id)?;
    let pet = patients::show(p, id).await?;
    let owners = owners::list(p, id).await?;
    let weights = weights::list(
        p,
        id,
        &PageRequest {
            limit: Some(10),
            cursor: None,
        },
    )
    .await?;
    let upcoming = upcoming(p, None, Some(id)).await?;
    html(&ShowPage {
        chrome: chrome(&ctx, pet.pet.name.clone(), p),
        age: age(
            pet.pet.date_of_birth.as_deref(),
            today_in(&jiff::tz::TimeZone::UTC),
        ),
        owners,
        weights: weights.items,
        upcoming,
        units: UNITS,
        may_edit: p.can(PetsUpdate::PERM),
        may_read_record: p.can(crate::auth::perms::SoapNotesRead::PERM),
        may_open_visit: p.can(crate::auth::perms::SoapNotesCreate::PERM),
        pet,
    })
}
