//! Clients (pet owners) with their contacts, consent flags, address, alerts and home
//! practice. Clients belong to the company, so every member of staff with `clients:read`
//! sees all of them; a `CLIENT` user reads only their own record. A client with records is
//! deactivated, never erased; one without any is erased ([`remove`]).

pub mod contacts;
mod edit;
pub mod portal;
mod remove;
mod view;

use smartdmv_domain::perm::{Action, Permission, Resource};
use smartdmv_domain::{ClientId, IdInput, PracticeId};
use smartdmv_store::tenant::{client, client_contact, practice};

pub use contacts::ContactIn;
pub use edit::{ClientChanges, NewClient, create, update};
pub use remove::{Removed, close_portal_account, remove};
pub use view::{Address, ClientOut, ContactOut};

use crate::fields::Errors;
use crate::{Page, PageRequest, ServiceError, ServiceResult, TenantPrincipal};

/// Which clients to list.
#[derive(Debug, Default)]
pub struct ClientFilter {
    /// Active clients (default) or, with `Some(false)`, deactivated ones.
    pub active: Option<bool>,
    pub home_practice_id: Option<PracticeId>,
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("client")
}

/// The practice stamped on audit entries of company-level records: where the actor works.
pub fn audit_practice(cx: &TenantPrincipal) -> Option<PracticeId> {
    cx.user.practice_id
}

/// A client by id, for staff (404 for an unknown id).
pub async fn get(cx: &TenantPrincipal, id: ClientId) -> ServiceResult<client::Model> {
    client::find(cx.db(), id).await?.ok_or_else(not_found)
}

/// The client with their contacts.
pub async fn out(cx: &TenantPrincipal, c: &client::Model) -> ServiceResult<ClientOut> {
    let contacts = client_contact::for_client(cx.db(), c.id).await?;
    Ok(ClientOut::new(c, &contacts))
}

/// A client's record as the caller may read it: staff with `clients:read` read anyone's; a
/// `CLIENT` user reads their own (without staff alerts and notes) and gets 404 for anyone
/// else's.
pub async fn show(cx: &TenantPrincipal, id: ClientId) -> ServiceResult<ClientOut> {
    if cx.is_client() {
        let own = cx.own_client().await?.ok_or_else(not_found)?;
        if own.id != id {
            return Err(not_found());
        }
        return Ok(out(cx, &own).await?.for_client());
    }
    cx.require(Permission::new(Resource::Clients, Action::Read))?;
    let c = get(cx, id).await?;
    out(cx, &c).await
}

/// A page of clients by id, with their contacts.
pub async fn list(
    cx: &TenantPrincipal,
    filter: &ClientFilter,
    page: &PageRequest,
) -> ServiceResult<Page<ClientOut>> {
    let limit = page.limit()?;
    let f = client::Filter {
        active: Some(filter.active.unwrap_or(true)),
        home_practice_id: filter.home_practice_id,
    };
    let db = cx.db();
    let rows = client::list_page(db, &f, page.cursor()?, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |r| r.id.to_string());
    let ids: Vec<ClientId> = page.items.iter().map(|c| c.id).collect();
    let contacts = client_contact::for_clients(db, &ids).await?;
    Ok(page.map(|c| ClientOut::new(&c, &contacts)))
}

/// Checks a home practice: it must exist, and a practice-bound caller may only name one of
/// their own practices.
async fn check_home_practice(
    cx: &TenantPrincipal,
    errs: &mut Errors,
    given: IdInput<PracticeId>,
) -> ServiceResult<Option<PracticeId>> {
    let Some(id) = errs.id("homePracticeId", given) else {
        return Ok(None);
    };
    if practice::find(cx.db(), id).await?.is_none() {
        errs.add("homePracticeId", "is not a practice of this company");
        return Ok(None);
    }
    if !cx.in_scope(Some(id)) {
        return Err(ServiceError::forbidden(
            "forbidden",
            "you can only make one of your own practices a client's home practice",
        ));
    }
    Ok(Some(id))
}
