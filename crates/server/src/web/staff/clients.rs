//! `/practice/clients`: find (search or the paged list), create, show and edit clients.

use crate::web::posted::{Posted, Record, Submitted};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use smartdmv_domain::ClientId;
use smartdmv_practice::PageRequest;
use smartdmv_practice::clients::{self, ClientFilter, ClientOut};
use smartdmv_practice::patients::{self, PetFilter, PetOut};

use super::client_form::{ClientForm, address_line};
use super::lookup::{ListQuery, Listing, Upcoming, listing, upcoming};
use super::{Staff, chrome};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{ClientsCreate, ClientsRead, ClientsUpdate, Perm, PetsRead};
use crate::web::chrome::{Chrome, PageCtx};
use crate::web::csrf::Flash;
use crate::web::display::{page_id, today_in};
use crate::web::error::WebResult;
use crate::web::{FormErrors, edit_result, form_result, html, redirect_flash, rerender};
use smartdmv_practice::search::ClientHit;

#[derive(Template)]
#[template(path = "staff/clients.html")]
struct ListPage {
    chrome: Chrome,
    list: Listing<ClientHit, ClientOut>,
    may_create: bool,
}

/// `GET /practice/clients?q=&cursor=`: search results for `q`, else every active client
/// by name, a page at a time.
pub async fn list(ctx: PageCtx, staff: Staff, Query(q): Query<ListQuery>) -> WebResult<Response> {
    let p = &staff.principal;
    let list = listing(
        p,
        q,
        "/practice/clients",
        |r| r.clients,
        async |page| {
            p.require(ClientsRead::PERM)?;
            clients::list(p, &ClientFilter::default(), &page).await
        },
    )
    .await?;
    html(&ListPage {
        chrome: chrome(&ctx, "Clients", p),
        list,
        may_create: p.can(ClientsCreate::PERM),
    })
}

#[derive(Template)]
#[template(path = "staff/client_form.html")]
struct FormPage {
    chrome: Chrome,
    /// Empty for a new client.
    id: String,
    form: ClientForm,
    errors: FormErrors,
    allowed: bool,
}

fn form_page(
    ctx: &PageCtx,
    p: &TenantPrincipal,
    id: String,
    form: ClientForm,
    errors: FormErrors,
) -> FormPage {
    let (title, perm) = if id.is_empty() {
        ("New client", ClientsCreate::PERM)
    } else {
        ("Edit client", ClientsUpdate::PERM)
    };
    FormPage {
        chrome: chrome(ctx, title, p),
        allowed: p.can(perm),
        id,
        form,
        errors,
    }
}

/// `GET /practice/clients/new`
pub async fn new_form(ctx: PageCtx, staff: Staff) -> WebResult<Response> {
    html(&form_page(
        &ctx,
        &staff.principal,
        String::new(),
        ClientForm::default(),
        FormErrors::default(),
    ))
}

/// The API's field names (`address.x`) as the form's (`x`).
fn client_fields(mut errors: FormErrors) -> FormErrors {
    errors.fields = std::mem::take(&mut errors.fields)
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("address.").to_owned(), v))
        .collect();
    errors
}

/// `POST /practice/clients`: registers the client.
pub async fn create(
    Submitted(s, ctx, staff, form): Submitted<Staff, ClientForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(ClientsCreate::PERM)?;
    match form_result(clients::create(p, form.to_create()).await)? {
        Ok(c) => Ok(redirect_flash(
            &s,
            &format!("/practice/clients/{}", c.id),
            Flash::success(format!(
                "Client {} {} was created.",
                c.first_name, c.last_name
            )),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                html(&form_page(
                    &ctx,
                    p,
                    String::new(),
                    form,
                    client_fields(errors),
                ))
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "staff/client.html")]
struct ShowPage {
    chrome: Chrome,
    c: ClientOut,
    address: String,
    pets: Vec<PetOut>,
    upcoming: Vec<Upcoming>,
    today: jiff::civil::Date,
    may_edit: bool,
    may_add_pet: bool,
}

impl ShowPage {
    fn balance(&self) -> String {
        let c = self.c.balance_cents;
        format!(
            "{}{}.{:02}",
            if c < 0 { "-" } else { "" },
            c.abs() / 100,
            c.abs() % 100
        )
    }

    fn age(&self, dob: &Option<String>) -> String {
        crate::web::display::age(dob.as_deref(), self.today)
    }
}

/// `GET /practice/clients/{id}`: details, contacts, pets and upcoming appointments.
pub async fn show(Record(_, ctx, staff, id): Record<Staff>) -> WebResult<Response> {
    let p = &staff.principal;
    let client_id: ClientId = page_id(&id)?;
    let c = clients::show(p, client_id).await?;
    p.require(PetsRead::PERM)?;
    let pets = patients::list(
        p,
        &PetFilter {
            owner_id: Some(client_id),
            active: None,
        },
        &PageRequest {
            limit: Some(100),
            cursor: None,
        },
    )
    .await?;
    let upcoming = upcoming(p, Some(client_id), None).await?;
    html(&ShowPage {
        chrome: chrome(&ctx, format!("{} {}", c.first_name, c.last_name), p),
        address: address_line(c.address.as_ref()),
        pets: pets.items,
        upcoming,
        today: today_in(&jiff::tz::TimeZone::UTC),
        may_edit: p.can(ClientsUpdate::PERM),
        may_add_pet: p.can(crate::auth::perms::PetsCreate::PERM),
        c,
    })
}

/// `GET /practice/clients/{id}/edit`
pub async fn edit_form(ctx: PageCtx, staff: Staff, Path(id): Path<String>) -> WebResult<Response> {
    let p = &staff.principal;
    let c = clients::show(p, page_id(&id)?).await?;
    html(&form_page(
        &ctx,
        p,
        c.id.clone(),
        ClientForm::from_client(&c),
        FormErrors::default(),
    ))
}

/// `POST /practice/clients/{id}`: saves the client.
pub async fn update(
    Posted(s, ctx, staff, id, form): Posted<Staff, ClientForm>,
) -> WebResult<Response> {
    let p = &staff.principal;
    p.require(ClientsUpdate::PERM)?;
    let client_id: ClientId = page_id(&id)?;
    match edit_result(clients::update(p, client_id, form.to_update()).await)? {
        Ok(c) => Ok(redirect_flash(
            &s,
            &format!("/practice/clients/{}", c.id),
            Flash::success("The client was saved."),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                html(&form_page(&ctx, p, id, form, client_fields(errors)))
            })
            .await
        }
    }
}
