//! `/api/clients`: the company's clients (pet owners) with their contacts, consent flags,
//! address, alerts and home practice. Clients belong to the company, so every member of
//! staff with `clients:read` sees all of them; a `CLIENT` user reads only their own record.
//! A client with records is deactivated, never erased; one without any is erased.

mod body;
mod portal;
mod remove;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sea_orm::DbErr;
use serde::Deserialize;
use smartdmv_domain::contact::ContactKind;
use smartdmv_store::tenant::{client, client_contact, practice};
use uuid::Uuid;

use body::ContactDraft;
pub(crate) use body::{Address, CreateClient, UpdateClient};
pub use body::{ClientOut, ContactOut};

use super::fields::{Errors, parse_id};
use super::{Page, PageParams};
use crate::auth::perms::{ClientsCreate, ClientsRead, ClientsUpdate};
use crate::auth::{Authorized, Perm, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

pub fn routes() -> super::Routes {
    super::Routes::new()
        .get("/api/clients", list)
        .post("/api/clients", create)
        .get("/api/clients/{id}", show)
        .patch("/api/clients/{id}", update)
        .delete("/api/clients/{id}", remove::remove)
        .post("/api/clients/{id}/portal-account", portal::create)
}

fn not_found() -> ApiError {
    ApiError::not_found("client")
}

/// A client by id, for staff. 404 for a malformed or unknown id.
pub(crate) async fn find(p: &TenantPrincipal, id: &str) -> ApiResult<client::Model> {
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    client::find(p.db(), id)
        .await
        .map_err(|e| p.db_error(e))?
        .ok_or_else(not_found)
}

/// The client as the API shows it, with its contacts.
pub(crate) async fn client_out(p: &TenantPrincipal, c: &client::Model) -> ApiResult<ClientOut> {
    let contacts = client_contact::for_client(p.db(), c.id)
        .await
        .map_err(|e| p.db_error(e))?;
    Ok(ClientOut::new(c, &contacts))
}

/// The practice stamped on audit entries of company-level records: where the actor works.
pub(crate) fn audit_practice(p: &TenantPrincipal) -> Option<Uuid> {
    p.user.practice_id
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientQuery {
    /// Active clients (default) or, with `false`, deactivated ones.
    pub active: Option<bool>,
    pub home_practice_id: Option<Uuid>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/clients?active=&homePracticeId=`
pub(crate) async fn list(
    auth: Authorized<ClientsRead>,
    ApiQuery(q): ApiQuery<ClientQuery>,
) -> ApiResult<Json<Page<ClientOut>>> {
    let page = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    let f = client::Filter {
        active: Some(q.active.unwrap_or(true)),
        home_practice_id: q.home_practice_id,
    };
    let db = auth.db();
    let mut rows = client::list_page(db, &f, page.cursor()?, limit + 1)
        .await
        .map_err(|e| auth.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
    let contacts = client_contact::for_clients(db, &ids)
        .await
        .map_err(|e| auth.db_error(e))?;
    Ok(Json(Page {
        items: rows.iter().map(|c| ClientOut::new(c, &contacts)).collect(),
        next_cursor,
    }))
}

/// Checks a home practice: it must exist, and a practice-bound caller may only name one of
/// their own practices.
pub(crate) async fn check_home_practice(
    p: &TenantPrincipal,
    errs: &mut Errors,
    raw: &str,
) -> ApiResult<Option<Uuid>> {
    let Some(id) = parse_id(errs, "homePracticeId", raw) else {
        return Ok(None);
    };
    let found = practice::find(p.db(), id)
        .await
        .map_err(|e| p.db_error(e))?;
    if found.is_none() {
        errs.add("homePracticeId", "is not a practice of this company");
        return Ok(None);
    }
    if !p.in_scope(Some(id)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "you can only make one of your own practices a client's home practice",
        ));
    }
    Ok(Some(id))
}

/// Replaces a client's contacts with `drafts` (ids of carried-over contacts are kept).
pub(crate) async fn write_contacts(
    db: &impl smartdmv_store::TenantConn,
    client_id: Uuid,
    drafts: Vec<ContactDraft>,
    now: time::OffsetDateTime,
) -> Result<Vec<client_contact::Model>, DbErr> {
    client_contact::delete_for_client(db, client_id).await?;
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        out.push(client_contact::insert(db, d.into_row(client_id, now)).await?);
    }
    Ok(out)
}

/// `POST /api/clients`
pub(crate) async fn create(
    auth: Authorized<ClientsCreate>,
    ApiJson(b): ApiJson<CreateClient>,
) -> ApiResult<(StatusCode, Json<ClientOut>)> {
    let mut errs = Errors::default();
    let first = errs.required("firstName", b.first_name.as_deref(), 200);
    let last = errs.required("lastName", b.last_name.as_deref(), 200);
    let contacts = match (&b.contacts, &b.email, &b.phone) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            errs.add(
                "contacts",
                "give contacts or the email/phone shorthand, not both",
            );
            Vec::new()
        }
        (Some(list), None, None) => body::check_contacts(&mut errs, list),
        (None, email, phone) => {
            let mut out = Vec::new();
            out.extend(
                email
                    .as_deref()
                    .and_then(|e| body::shorthand(&mut errs, ContactKind::Email, e)),
            );
            out.extend(
                phone
                    .as_deref()
                    .and_then(|p| body::shorthand(&mut errs, ContactKind::Phone, p)),
            );
            out
        }
    };
    let address = b.address.and_then(|a| body::check_address(&mut errs, a));
    let alerts = errs.alerts("alerts", &b.alerts);
    let notes = errs.optional("notes", b.notes.as_deref(), 10_000);
    let home = match b.home_practice_id.as_deref() {
        Some(raw) => check_home_practice(&auth, &mut errs, raw).await?,
        // Where the client registers, by default: the registering user's home practice.
        None => auth.user.practice_id,
    };
    errs.finish()?;

    let now = smartdmv_store::now();
    let mut m = client::Model {
        id: Uuid::now_v7(),
        name_key: smartdmv_domain::text::person_key(&first, &last),
        first_name: first,
        last_name: last,
        email: None,
        phone: None,
        address,
        home_practice_id: home,
        balance_cents: 0,
        alerts,
        notes,
        user_id: None,
        active: true,
        deactivated_at: None,
        created_at: now,
        updated_at: now,
    };
    body::mirror(&mut m, &contacts);
    let db = auth.db();
    let (saved, rows) = async {
        let txn = db.begin().await?;
        let saved = client::insert(&txn, m).await?;
        let rows = write_contacts(&txn, saved.id, contacts, now).await?;
        smartdmv_store::tenant::search::reindex_client(&txn, saved.id).await?;
        auth.audit(
            &txn,
            "create",
            "client",
            Some(saved.id),
            audit_practice(&auth),
            None,
            Some(ClientOut::snapshot(&saved, &rows)),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>((saved, rows))
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok((StatusCode::CREATED, Json(ClientOut::new(&saved, &rows))))
}

/// `GET /api/clients/{id}`: staff with `clients:read`; a `CLIENT` user reads their own
/// record (their contacts and consent) and gets 404 for anyone else's.
pub(crate) async fn show(p: TenantPrincipal, Path(id): Path<String>) -> ApiResult<Json<ClientOut>> {
    if p.is_client() {
        let own = p.own_client().await?.ok_or_else(not_found)?;
        if id.parse::<Uuid>().ok() != Some(own.id) {
            return Err(not_found());
        }
        return Ok(Json(client_out(&p, &own).await?.for_client()));
    }
    p.require(ClientsRead::PERM)?;
    let c = find(&p, &id).await?;
    Ok(Json(client_out(&p, &c).await?))
}

/// `PATCH /api/clients/{id}`: `contacts` replaces every contact; `email` / `phone` set or
/// remove the primary contact of their kind.
pub(crate) async fn update(
    auth: Authorized<ClientsUpdate>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateClient>,
) -> ApiResult<Json<ClientOut>> {
    let before = find(&auth, &id).await?;
    let db = auth.db();
    let old_rows = client_contact::for_client(db, before.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    let mut errs = Errors::default();
    let mut m = before.clone();
    if let Some(f) = &b.first_name {
        m.first_name = errs.required("firstName", Some(f), 200);
    }
    if let Some(l) = &b.last_name {
        m.last_name = errs.required("lastName", Some(l), 200);
    }
    m.name_key = smartdmv_domain::text::person_key(&m.first_name, &m.last_name);
    let contacts = match (&b.contacts, &b.email, &b.phone) {
        (None, None, None) => None,
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            errs.add(
                "contacts",
                "give contacts or the email/phone shorthand, not both",
            );
            None
        }
        (Some(list), None, None) => Some(body::check_contacts(&mut errs, list)),
        (None, email, phone) => {
            let mut list: Vec<ContactDraft> =
                old_rows.iter().filter_map(ContactDraft::from_row).collect();
            if let Some(e) = email {
                body::set_primary(&mut errs, &mut list, ContactKind::Email, e.as_deref());
            }
            if let Some(p) = phone {
                body::set_primary(&mut errs, &mut list, ContactKind::Phone, p.as_deref());
            }
            Some(list)
        }
    };
    if let Some(c) = &contacts {
        body::mirror(&mut m, c);
    }
    if let Some(a) = b.address {
        m.address = a.and_then(|a| body::check_address(&mut errs, a));
    }
    if let Some(a) = &b.alerts {
        m.alerts = errs.alerts("alerts", a);
    }
    if let Some(n) = &b.notes {
        m.notes = errs.optional("notes", n.as_deref(), 10_000);
    }
    if let Some(h) = &b.home_practice_id {
        m.home_practice_id = match h {
            Some(raw) => check_home_practice(&auth, &mut errs, raw).await?,
            None => None,
        };
    }
    match b.active {
        Some(true) => {
            m.active = true;
            m.deactivated_at = None;
        }
        Some(false) if before.active => {
            errs.add(
                "active",
                "deactivate a client with DELETE /api/clients/{id}",
            );
        }
        _ => {}
    }
    errs.finish()?;
    let now = smartdmv_store::now();
    m.updated_at = now;
    let (saved, rows) = async {
        let txn = db.begin().await?;
        let saved = client::update(&txn, m).await?;
        let rows = match contacts {
            Some(c) => write_contacts(&txn, saved.id, c, now).await?,
            None => old_rows.clone(),
        };
        smartdmv_store::tenant::search::reindex_client(&txn, saved.id).await?;
        auth.audit(
            &txn,
            "update",
            "client",
            Some(saved.id),
            audit_practice(&auth),
            Some(ClientOut::snapshot(&before, &old_rows)),
            Some(ClientOut::snapshot(&saved, &rows)),
        )
        .await?;
        txn.commit().await?;
        Ok::<_, DbErr>((saved, rows))
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(Json(ClientOut::new(&saved, &rows)))
}
