//! `/owner/users`: the platform's users (OWNERs and COMPANY_ADMINs) and adding one.

use crate::web::posted::Submitted;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::error::WebResult;
use super::super::session::Owner;
use super::super::{FormErrors, html, redirect_flash};
use crate::state::AppState;
use crate::web::{form_result, rerender};
use smartdmv_platform::service::platform_users::{self as svc, NewPlatformUser};
use smartdmv_platform::service::views::PlatformUserOut;

#[derive(Template)]
#[template(path = "owner/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<PlatformUserOut>,
    form: NewUserForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    company_id: String,
}

async fn page(
    s: &AppState,
    ctx: &PageCtx,
    op: crate::auth::PlatformPrincipal,
    form: NewUserForm,
    errors: FormErrors,
) -> WebResult<Response> {
    let chrome = Chrome::platform(ctx, "Platform users", &op);
    let list = svc::list(&s.owner(&op)).await?;
    html(&UsersPage {
        chrome,
        users: list.items,
        form,
        errors,
    })
}

pub async fn list(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
) -> WebResult<Response> {
    page(&s, &ctx, op, NewUserForm::default(), FormErrors::default()).await
}

pub async fn create(
    Submitted(s, ctx, Owner(op), form): Submitted<Owner, NewUserForm>,
) -> WebResult<Response> {
    let company_id = match form.company_id.trim() {
        "" => None,
        raw => match raw.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                let errors = FormErrors::field("companyId", "is not a company id");
                return crate::web::invalid(page(&s, &ctx, op, form, errors).await);
            }
        },
    };
    let input = NewPlatformUser {
        email: form.email.clone(),
        name: form.name.clone(),
        password: form.password.clone(),
        role: form.role.clone(),
        company_id,
    };
    match form_result(svc::create(&s.owner(&op), input).await)? {
        Ok(u) => Ok(redirect_flash(
            &s,
            "/owner/users",
            Flash::success(format!("{} can now sign in.", u.email)),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                let form = NewUserForm {
                    password: String::new(),
                    ..form
                };
                page(&s, &ctx, op, form, errors).await
            })
            .await
        }
    }
}
