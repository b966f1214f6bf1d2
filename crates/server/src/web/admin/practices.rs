//! The administrator's practices: the list, creating one, and closing one (with a confirm
//! page). Their settings are edited on the shared settings page (`settings.rs`).

use crate::web::posted::{Posted, Record, Submitted};
use askama::Template;
use axum::response::Response;
use smartdmv_domain::PracticeId;
use smartdmv_practice::PageRequest;
use smartdmv_practice::practices::{self, NewPractice, PracticeOut};

use super::super::chrome::{Area, Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::display::page_id;
use super::super::error::WebResult;
use super::super::session::{AdminArea, InArea};
use super::super::{FormErrors, html, redirect_flash};
use super::{Pairs, opt};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{Perm, PracticesCreate, PracticesDelete, PracticesRead};
use crate::error::ApiError;
use crate::web::{form_result, rerender};

#[derive(Template)]
#[template(path = "administrator/practices.html")]
struct ListPage {
    chrome: Chrome,
    practices: Vec<PracticeOut>,
    form: Pairs,
    errors: FormErrors,
}

/// The practices a page lists: the first 200 the principal works in.
pub(crate) async fn visible(p: &TenantPrincipal) -> WebResult<Vec<PracticeOut>> {
    p.require(PracticesRead::PERM)?;
    let page = PageRequest {
        limit: Some(200),
        cursor: None,
    };
    let page = practices::list(p, &page).await?;
    Ok(page.items.into_iter().map(PracticeOut::from).collect())
}

/// The practice of a page's path (the not-found page for a malformed or unknown id).
pub(crate) async fn of_path(p: &TenantPrincipal, id: &str) -> WebResult<PracticeOut> {
    p.require(PracticesRead::PERM)?;
    let id: PracticeId = page_id(id)?;
    Ok(practices::get(p, id).await?.into())
}

async fn list_page(
    ctx: &PageCtx,
    p: &TenantPrincipal,
    form: Pairs,
    errors: FormErrors,
) -> WebResult<Response> {
    html(&ListPage {
        chrome: Chrome::tenant(ctx, Area::Administrator, "Practices", p),
        practices: visible(p).await?,
        form,
        errors,
    })
}

/// `GET /administrator/practices`
pub async fn list(ctx: PageCtx, area: InArea<AdminArea>) -> WebResult<Response> {
    list_page(
        &ctx,
        &area.principal,
        Pairs::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /administrator/practices`
pub async fn create(
    Submitted(s, ctx, area, form): Submitted<InArea<AdminArea>>,
) -> WebResult<Response> {
    let p = area.principal;
    let input = NewPractice {
        name: form.get("name").to_owned(),
        address: opt(form.get("address")),
        phone: opt(form.get("phone")),
        email: opt(form.get("email")),
        time_zone: opt(form.get("timeZone")),
        currency: opt(form.get("currency")),
        tax_rate_bp: None,
    };
    p.require(PracticesCreate::PERM)?;
    match form_result(practices::create(&p, input).await)? {
        Ok(x) => Ok(redirect_flash(
            &s,
            &format!("/administrator/practices/{}", x.id),
            Flash::success(format!("{} was created.", x.name)),
        )),
        Err(e) => rerender(e, async |errors| list_page(&ctx, &p, form, errors).await).await,
    }
}

#[derive(Template)]
#[template(path = "administrator/practice_close.html")]
struct ClosePage {
    chrome: Chrome,
    practice: PracticeOut,
}

/// `GET /administrator/practices/{id}/close`: the confirmation.
pub async fn close_confirm(
    Record(_, ctx, area, id): Record<InArea<AdminArea>>,
) -> WebResult<Response> {
    let p = area.principal;
    let chrome = Chrome::tenant(&ctx, Area::Administrator, "Close a practice", &p);
    let practice = of_path(&p, &id).await?;
    html(&ClosePage { chrome, practice })
}

/// `POST /administrator/practices/{id}/close`
pub async fn close(Posted(s, _, area, id, _): Posted<InArea<AdminArea>>) -> WebResult<Response> {
    let p = area.principal;
    p.require(PracticesDelete::PERM)?;
    let closed = match id.parse::<PracticeId>() {
        Ok(pid) => practices::close(&p, pid).await.map_err(ApiError::from),
        Err(_) => Err(ApiError::not_found("practice")),
    };
    match closed {
        Ok(x) => Ok(redirect_flash(
            &s,
            "/administrator/practices",
            Flash::success(format!("{} was closed; its records are kept.", x.name)),
        )),
        Err(e) if e.status.is_client_error() => Ok(redirect_flash(
            &s,
            &format!("/administrator/practices/{id}"),
            Flash::error(e.detail),
        )),
        Err(e) => Err(e.into()),
    }
}
