//! Custom roles: the list (built-in roles shown read-only), and creating or editing a
//! role's permission set with checkboxes grouped by resource.

use crate::web::invalid;
use crate::web::posted::{Posted, Record, Submitted};
use askama::Template;
use axum::response::Response;
use smartdmv_domain::perm::{Action, Permission, Resource, role_permissions};
use smartdmv_domain::plan::Feature;
use smartdmv_domain::{RoleId, TenantRole};
use smartdmv_practice::ServiceError;
use smartdmv_practice::account::feature_not_in_plan;
use smartdmv_practice::roles::{self, RoleInput, RoleOut};

use super::super::chrome::{Area, Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::display::page_id;
use super::super::error::{WebError, WebResult};
use super::super::session::{AdminArea, InArea};
use super::super::{FormErrors, html, redirect_flash};
use super::user::Check;
use super::{Pairs, opt};
use crate::auth::perms::{RolesCreate, RolesRead, RolesUpdate};
use crate::auth::{Perm, TenantPrincipal};
use crate::web::{form_result, rerender};

/// The actions offered for a resource: the basic five, and a special action (sign,
/// finalize, ...) where some role below the administrators holds it.
fn offered(r: Resource) -> Vec<Permission> {
    let basic = [
        Action::Read,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Manage,
    ];
    Action::ALL
        .iter()
        .map(|a| Permission::new(r, *a))
        .filter(|x| {
            basic.contains(&x.action)
                || TenantRole::ALL
                    .iter()
                    .filter(|t| {
                        !matches!(
                            t,
                            TenantRole::Administrator | TenantRole::PracticeAdministrator
                        )
                    })
                    .any(|t| role_permissions(*t).contains(x))
        })
        .collect()
}

/// One resource's row of checkboxes.
pub struct Group {
    pub resource: &'static str,
    pub checks: Vec<Check>,
}

fn groups(held: &[String]) -> Vec<Group> {
    Resource::ALL
        .iter()
        .map(|r| Group {
            resource: r.as_str(),
            checks: offered(*r)
                .into_iter()
                .map(|x| Check {
                    value: x.to_string(),
                    label: x.action.as_str().into(),
                    checked: held.contains(&x.to_string()),
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "administrator/roles.html")]
struct ListPage {
    chrome: Chrome,
    roles: Vec<RoleOut>,
}

/// `GET /administrator/roles`
pub async fn list(ctx: PageCtx, area: InArea<AdminArea>) -> WebResult<Response> {
    let p = area.principal;
    let chrome = Chrome::tenant(&ctx, Area::Administrator, "Roles", &p);
    p.require(RolesRead::PERM)?;
    html(&ListPage {
        chrome,
        roles: roles::list(&p).await?,
    })
}

#[derive(Template)]
#[template(path = "administrator/role_form.html")]
struct FormPage {
    chrome: Chrome,
    action: String,
    /// Not `name`: a macro argument of that name would shadow the macro's own parameter.
    role_name: String,
    description: String,
    groups: Vec<Group>,
    errors: FormErrors,
    creating: bool,
}

fn form_page(
    ctx: &PageCtx,
    p: &TenantPrincipal,
    role: Option<&str>,
    form: &Pairs,
    errors: FormErrors,
) -> WebResult<Response> {
    let title = if role.is_some() {
        "Edit role"
    } else {
        "New role"
    };
    html(&FormPage {
        chrome: Chrome::tenant(ctx, Area::Administrator, title, p),
        action: match role {
            Some(id) => format!("/administrator/roles/{id}"),
            None => "/administrator/roles".into(),
        },
        role_name: form.get("name").into(),
        description: form.get("description").into(),
        groups: groups(&form.all("permissions")),
        errors,
        creating: role.is_none(),
    })
}

/// `GET /administrator/roles/new`
pub async fn new_form(ctx: PageCtx, area: InArea<AdminArea>) -> WebResult<Response> {
    form_page(
        &ctx,
        &area.principal,
        None,
        &Pairs::default(),
        FormErrors::default(),
    )
}

/// `GET /administrator/roles/{id}` (custom roles).
pub async fn edit(Record(_, ctx, area, id): Record<InArea<AdminArea>>) -> WebResult<Response> {
    let p = area.principal;
    p.require(RolesRead::PERM)?;
    let r = RoleOut::from(roles::get(&p, page_id::<RoleId>(&id)?).await?);
    let mut pairs = vec![
        ("name".to_owned(), r.name),
        ("description".to_owned(), r.description.unwrap_or_default()),
    ];
    pairs.extend(
        r.permissions
            .into_iter()
            .map(|x| ("permissions".to_owned(), x)),
    );
    form_page(&ctx, &p, Some(&id), &Pairs(pairs), FormErrors::default())
}

/// The permissions ticked on the form; an unknown one is a field error.
fn permissions(form: &Pairs) -> Result<Vec<Permission>, FormErrors> {
    form.all("permissions")
        .iter()
        .map(|x| Permission::parse(x))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| FormErrors::field("permissions", "lists an unknown permission"))
}

/// `POST /administrator/roles`
pub async fn create(
    Submitted(s, ctx, area, form): Submitted<InArea<AdminArea>>,
) -> WebResult<Response> {
    let p = area.principal;
    let perms = match permissions(&form) {
        Ok(x) => x,
        Err(errors) => return invalid(form_page(&ctx, &p, None, &form, errors)),
    };
    let input = RoleInput {
        name: Some(form.get("name").to_owned()),
        description: opt(form.get("description")),
        permissions: Some(perms),
    };
    featured(&p)?;
    p.require(RolesCreate::PERM)?;
    match form_result(roles::create(&p, input).await)? {
        Ok(r) => Ok(redirect_flash(
            &s,
            "/administrator/roles",
            Flash::success(format!("The role {} was created.", r.name)),
        )),
        Err(e) => rerender(e, async |errors| form_page(&ctx, &p, None, &form, errors)).await,
    }
}

/// `POST /administrator/roles/{id}`: takes effect on the holders' next request.
pub async fn update(
    Posted(s, ctx, area, id, form): Posted<InArea<AdminArea>>,
) -> WebResult<Response> {
    let p = area.principal;
    let perms = match permissions(&form) {
        Ok(x) => x,
        Err(errors) => return invalid(form_page(&ctx, &p, Some(&id), &form, errors)),
    };
    let input = RoleInput {
        name: Some(form.get("name").to_owned()),
        description: Some(form.get("description").to_owned()),
        permissions: Some(perms),
    };
    featured(&p)?;
    p.require(RolesUpdate::PERM)?;
    let result = match id.parse::<RoleId>() {
        Ok(rid) => roles::update(&p, rid, input).await,
        Err(_) => Err(ServiceError::NotFound("role")),
    };
    match form_result(result)? {
        Ok(r) => Ok(redirect_flash(
            &s,
            "/administrator/roles",
            Flash::success(format!("The role {} was saved.", r.name)),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                form_page(&ctx, &p, Some(&id), &form, errors)
            })
            .await
        }
    }
}

/// Custom roles are a plan feature: the pages refuse them as the API does.
fn featured(p: &TenantPrincipal) -> Result<(), WebError> {
    if p.tenant.company.has_feature(Feature::CustomRoles) {
        Ok(())
    } else {
        Err(feature_not_in_plan(Feature::CustomRoles).into())
    }
}
