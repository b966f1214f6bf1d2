//! `/invitation/{token}` on a company host: an invited user sets their password (through the
//! account service, as `POST /api/auth/accept-invitation` does) and is signed in.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use smartdmv_practice::{ServiceError, account};

use super::chrome::{Area, Chrome, PageCtx};
use super::csrf::{Flash, Form};
use super::error::{WebError, WebResult};
use super::{FormErrors, form_result, html, rerender};
use crate::auth::signin::session_cookie;
use crate::extract::{Tenant, resolve_company};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    token: String,
    name: String,
    email: String,
    errors: FormErrors,
}

/// The company of the host and the invited user, or 404 for an unknown or expired token.
async fn invited(
    s: &AppState,
    headers: &HeaderMap,
    tok: &str,
) -> WebResult<(Tenant, smartdmv_store::tenant::user::Model)> {
    let mut req = axum::http::Request::new(());
    *req.headers_mut() = headers.clone();
    let (parts, ()) = req.into_parts();
    if s.is_platform_host(crate::extract::header(&parts, "host")) {
        return Err(WebError::NotFound);
    }
    let company = resolve_company(&parts, s).await?;
    let tenant = Tenant::acquire(&s.platform.registry, company).await?;
    match account::invited(&tenant, tok).await {
        Ok(u) => Ok((tenant, u)),
        Err(ServiceError::NotFound(_)) => Err(WebError::Status(
            axum::http::StatusCode::NOT_FOUND,
            "this invitation is not valid or has expired: ask your administrator for a new one"
                .into(),
        )),
        Err(e) => Err(e.into()),
    }
}

fn page(
    ctx: &PageCtx,
    tenant: &Tenant,
    u: &smartdmv_store::tenant::user::Model,
    tok: String,
    errors: FormErrors,
) -> WebResult<Response> {
    let mut chrome = Chrome::new(ctx, Area::Public, "Accept your invitation");
    chrome.app_name = tenant.company.name.clone();
    html(&InvitationPage {
        chrome,
        token: tok,
        name: u.name.clone(),
        email: u.email.clone(),
        errors,
    })
}

/// `GET /invitation/{token}`
pub async fn show(
    State(s): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(tok): Path<String>,
) -> WebResult<Response> {
    let (tenant, u) = invited(&s, &headers, &tok).await?;
    page(&ctx, &tenant, &u, tok, FormErrors::default())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// `POST /invitation/{token}`: sets the password and signs the user in.
pub async fn accept(
    State(s): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Path(tok): Path<String>,
    Form(form): Form<AcceptForm>,
) -> WebResult<Response> {
    let (tenant, u) = invited(&s, &headers, &tok).await?;
    if form.password != form.password_confirm {
        let errors = FormErrors::field("passwordConfirm", "does not match the password");
        return super::invalid(page(&ctx, &tenant, &u, tok, errors));
    }
    match form_result(account::accept_invitation(&tenant, &tok, form.password).await)? {
        Ok(signed) => {
            let mut resp = Redirect::to("/").into_response();
            resp.headers_mut()
                .append(SET_COOKIE, session_cookie(&s, &signed.token));
            resp.headers_mut().append(
                SET_COOKIE,
                Flash::success(format!("Welcome, {}: your password is set.", u.name))
                    .cookie(s.cookie_secure()),
            );
            Ok(resp)
        }
        Err(e) => rerender(e, async |errors| page(&ctx, &tenant, &u, tok, errors)).await,
    }
}
