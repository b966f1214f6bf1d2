//! `/client`: the client portal, for `CLIENT` users only. Their pets and each pet's page,
//! their upcoming and past appointments, requesting an appointment and cancelling an
//! upcoming one. Every read goes through the API's handlers or the services they call,
//! which show a client only what they own.

mod appointments;

use crate::web::posted::Record;
use askama::Template;
use axum::response::Response;
use axum::routing::get;
use smartdmv_domain::{AppointmentId, PatientId};
use smartdmv_practice::PageRequest;
use smartdmv_practice::patients::{self, PetFilter, PetOut};

use super::chrome::{Area, Chrome, PageCtx};
use super::display::{age, page_id, status_label, today_in, when};
use super::error::WebResult;
use super::html;
use super::session::{ClientArea, InArea};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{AppointmentsRead, Perm, PetsRead};
use crate::state::AppState;
use smartdmv_practice::appointments::{self as appts, AppointmentFilter, AppointmentOut};

pub type Client = InArea<ClientArea>;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/client", get(pets_page))
        .route("/client/pets/{id}", get(pet_page))
        .route("/client/appointments", get(appointments::list))
        .route(
            "/client/appointments/new",
            get(appointments::request_form).post(appointments::request),
        )
        .route(
            "/client/appointments/{id}/cancel",
            get(appointments::cancel_confirm).post(appointments::cancel),
        )
}

/// The pages of this area, for the page-permission tests.
pub const PAGES: &[&str] = &[
    "/client",
    "/client/pets/{patient}",
    "/client/appointments",
    "/client/appointments/new",
    "/client/appointments/{appointment}/cancel",
];

fn chrome(ctx: &PageCtx, title: impl Into<String>, p: &TenantPrincipal) -> Chrome {
    Chrome::tenant(ctx, Area::Client, title, p)
}

/// The client's pets (every page of them).
async fn own_pets(p: &TenantPrincipal) -> WebResult<Vec<PetOut>> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        p.require(PetsRead::PERM)?;
        let page = patients::list(
            p,
            &PetFilter::default(),
            &PageRequest {
                limit: Some(100),
                cursor,
            },
        )
        .await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// One appointment as the portal shows it.
pub struct Visit {
    pub id: AppointmentId,
    pub when: String,
    pub pet: String,
    pub pet_id: PatientId,
    pub status: String,
    pub status_label: String,
    pub reason: String,
    pub may_cancel: bool,
}

impl Visit {
    fn new(a: AppointmentOut, pets: &[PetOut]) -> Self {
        let future = a
            .starts_at
            .parse::<jiff::Timestamp>()
            .is_ok_and(|t| t > jiff::Timestamp::now());
        Visit {
            when: when(&a.starts_at_local),
            pet: pets
                .iter()
                .find(|p| p.id == a.pet_id.to_string())
                .map_or_else(String::new, |p| p.name.clone()),
            status_label: status_label(a.status),
            reason: a.reason.unwrap_or_default(),
            may_cancel: future && a.status.client_may_cancel(),
            id: a.id,
            pet_id: a.pet_id,
            status: a.status.to_string(),
        }
    }
}

/// The client's appointments in `[from, to)`, by start time.
async fn visits(
    p: &TenantPrincipal,
    pets: &[PetOut],
    pet_id: Option<PatientId>,
    from: Option<jiff::Timestamp>,
    to: Option<jiff::Timestamp>,
) -> WebResult<Vec<Visit>> {
    p.require(AppointmentsRead::PERM)?;
    let filter = AppointmentFilter {
        from,
        to,
        pet_id,
        ..Default::default()
    };
    let page = PageRequest {
        limit: Some(100),
        cursor: None,
    };
    let page = appts::list(p, &filter, &page).await?;
    Ok(page
        .items
        .into_iter()
        .map(|a| Visit::new(a, pets))
        .collect())
}

/// A pet as a card.
pub struct PetCard {
    pub pet: PetOut,
    pub age: String,
}

#[derive(Template)]
#[template(path = "client/pets.html")]
struct PetsPage {
    chrome: Chrome,
    pets: Vec<PetCard>,
    upcoming: Vec<Visit>,
}

/// `GET /client`: the client's pets and their next appointments.
async fn pets_page(ctx: PageCtx, c: Client) -> WebResult<Response> {
    let p = &c.principal;
    let pets = own_pets(p).await?;
    let upcoming = visits(p, &pets, None, Some(jiff::Timestamp::now()), None).await?;
    let today = today_in(&jiff::tz::TimeZone::UTC);
    html(&PetsPage {
        chrome: chrome(&ctx, "My pets", p),
        pets: pets
            .into_iter()
            .map(|pet| PetCard {
                age: age(pet.date_of_birth.as_deref(), today),
                pet,
            })
            .collect(),
        upcoming,
    })
}

#[derive(Template)]
#[template(path = "client/pet.html")]
struct PetPage {
    chrome: Chrome,
    pet: PetCard,
    upcoming: Vec<Visit>,
    /// The signed notes the practice lets the portal show (none otherwise).
    notes: Vec<smartdmv_practice::record::history::HistoryItem>,
}

/// `GET /client/pets/{id}`: 404 unless the client owns the pet (the service decides).
async fn pet_page(Record(_, ctx, c, id): Record<Client>) -> WebResult<Response> {
    let p = &c.principal;
    p.require(PetsRead::PERM)?;
    let id: PatientId = page_id(&id)?;
    let a = patients::show(p, id).await?;
    let pet = a.pet;
    let upcoming = visits(
        p,
        std::slice::from_ref(&pet),
        Some(id),
        Some(jiff::Timestamp::now()),
        None,
    )
    .await?;
    let notes = smartdmv_practice::record::history::history(p, id)
        .await?
        .items
        .into_iter()
        .filter(|i| i.kind == "note")
        .collect();
    html(&PetPage {
        notes,
        chrome: chrome(&ctx, pet.name.clone(), p),
        pet: PetCard {
            age: age(
                pet.date_of_birth.as_deref(),
                today_in(&jiff::tz::TimeZone::UTC),
            ),
            pet,
        },
        upcoming,
    })
}
