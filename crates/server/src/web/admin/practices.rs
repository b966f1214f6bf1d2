//! The administrator's practices: the list, creating one, and closing one (with a confirm
//! page). Their settings are edited on the shared settings page (`settings.rs`).

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;

use super::super::chrome::{Area, Chrome, PageCtx};
use super::super::csrf::{Flash, Form};
use super::super::error::WebResult;
use super::super::session::{AdminArea, InArea};
use super::super::{FormErrors, html, redirect_flash};
use super::{Pairs, authorized, fork, opt};
use crate::api::practices::{self as api, CreatePractice, PracticeOut};
use crate::auth::TenantPrincipal;
use crate::auth::perms::{PracticesCreate, PracticesDelete, PracticesRead};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::web::{form_result, rerender};

#[derive(Template)]
#[template(path = "administrator/practices.html")]
struct ListPage {
    chrome: Chrome,
    practices: Vec<PracticeOut>,
    form: Pairs,
    errors: FormErrors,
}

async fn list_page(
    s: &AppState,
    ctx: &PageCtx,
    p: &TenantPrincipal,
    form: Pairs,
    errors: FormErrors,
) -> WebResult<Response> {
    let Json(page) = api::list(
        authorized::<PracticesRead>(fork(s, p).await?)?,
        ApiQuery(crate::api::PageParams {
            limit: Some(200),
            cursor: None,
        }),
    )
    .await?;
    html(&ListPage {
        chrome: Chrome::tenant(ctx, Area::Administrator, "Practices", p),
        practices: page.items,
        form,
        errors,
    })
}

/// `GET /administrator/practices`
pub async fn list(
    State(s): State<AppState>,
    ctx: PageCtx,
    area: InArea<AdminArea>,
) -> WebResult<Response> {
    list_page(
        &s,
        &ctx,
        &area.principal,
        Pairs::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /administrator/practices`
pub async fn create(
    State(s): State<AppState>,
    ctx: PageCtx,
    area: InArea<AdminArea>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let p = area.principal;
    let body = CreatePractice {
        name: form.get("name").to_owned(),
        address: opt(form.get("address")),
        phone: opt(form.get("phone")),
        email: opt(form.get("email")),
        time_zone: opt(form.get("timeZone")),
        currency: opt(form.get("currency")),
        tax_rate_bp: None,
    };
    let retry = fork(&s, &p).await?;
    match form_result(api::create(authorized::<PracticesCreate>(p)?, ApiJson(body)).await)? {
        Ok((_, Json(x))) => Ok(redirect_flash(
            &s,
            &format!("/administrator/practices/{}", x.id),
            Flash::success(format!("{} was created.", x.name)),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                list_page(&s, &ctx, &retry, form, errors).await
            })
            .await
        }
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
    ctx: PageCtx,
    area: InArea<AdminArea>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let p = area.principal;
    let chrome = Chrome::tenant(&ctx, Area::Administrator, "Close a practice", &p);
    let Json(practice) = api::show(authorized::<PracticesRead>(p)?, Path(id)).await?;
    html(&ClosePage { chrome, practice })
}

/// `POST /administrator/practices/{id}/close`
pub async fn close(
    State(s): State<AppState>,
    area: InArea<AdminArea>,
    Path(id): Path<String>,
    Form(_): Form<Pairs>,
) -> WebResult<Response> {
    let auth = authorized::<PracticesDelete>(area.principal)?;
    match api::close(auth, Path(id.clone())).await {
        Ok(Json(x)) => Ok(redirect_flash(
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
