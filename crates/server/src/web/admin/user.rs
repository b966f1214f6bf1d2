//! One user's page: details, roles and practices, deactivation (with a confirm page) and
//! per-user permission overrides. Every change goes through the users service, so a
//! practice administrator can grant only what they hold, within their practices.

use crate::web::invalid;
use crate::web::posted::{Posted, Record};
use askama::Template;
use axum::response::Response;
use smartdmv_domain::perm::{Action, Permission, Resource};
use smartdmv_domain::{TenantRole, UserId};
use smartdmv_practice::ServiceError;
use smartdmv_practice::users::{self, OverrideOut, UserChanges, UserOut, overrides, write};
use std::collections::BTreeSet;

use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::display::page_id;
use super::super::error::WebResult;
use super::super::session::{InArea, TenantArea};
use super::super::{FormErrors, html, redirect_flash};
use super::Pairs;
use super::users::{practice_ids, practice_options, role_label, role_options};
use crate::auth::perms::{RolesRead, RolesUpdate, UsersDelete, UsersUpdate};
use crate::auth::{Perm, TenantPrincipal};
use crate::state::AppState;
use crate::web::{form_result, rerender};

/// A checkbox or option of a form.
pub struct Check {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "administrator/user.html")]
struct UserPage {
    chrome: Chrome,
    base: &'static str,
    u: UserOut,
    roles_label: String,
    is_self: bool,
    can_edit: bool,
    can_deactivate: bool,
    can_override: bool,
    primary: Vec<Check>,
    extra: Vec<Check>,
    practices: Vec<Check>,
    overrides: Vec<OverrideOut>,
    permissions: Vec<String>,
    override_form: Pairs,
    errors: FormErrors,
}

/// Renders the user's page, with the errors of a form that failed.
pub(crate) async fn page<A: TenantArea>(
    s: &AppState,
    ctx: &PageCtx,
    p: &TenantPrincipal,
    id: UserId,
    override_form: Pairs,
    errors: FormErrors,
) -> WebResult<Response> {
    let u = users::get(p, id).await?;
    let (grantable, names) = role_options(p).await?;
    let offered = practice_options(s, p).await?;
    let can_override = p.can(RolesUpdate::PERM);
    let overrides = if p.can(RolesRead::PERM) {
        overrides::list(p, id).await?
    } else {
        Vec::new()
    };
    let now = crate::auth::tenant::now_unix();
    let permissions = Resource::ALL
        .iter()
        .flat_map(|r| Action::ALL.iter().map(|a| Permission::new(*r, *a)))
        .filter(|x| p.access.allows(*x, now))
        .map(|x| x.to_string())
        .collect();
    let mut primary: Vec<Check> = grantable
        .iter()
        .filter(|r| r.built_in)
        .map(|r| Check {
            value: r.key.clone(),
            label: r.name.clone(),
            checked: r.key == u.role.as_str(),
        })
        .collect();
    if !primary.iter().any(|c| c.checked) {
        primary.insert(
            0,
            Check {
                value: u.role.as_str().into(),
                label: u.role.as_str().into(),
                checked: true,
            },
        );
    }
    let extra = grantable
        .iter()
        .map(|r| Check {
            value: r.key.clone(),
            label: r.name.clone(),
            checked: u.roles.contains(&r.key),
        })
        .collect();
    let practices = offered
        .iter()
        .map(|x| Check {
            value: x.id.clone(),
            label: x.name.clone(),
            checked: u.practice_ids.contains(&x.id) || u.practice_id.as_ref() == Some(&x.id),
        })
        .collect();
    html(&UserPage {
        chrome: Chrome::tenant(ctx, A::AREA, u.name.clone(), p),
        base: A::AREA.home(),
        roles_label: role_label(&u, &names),
        is_self: u.id == p.user.id.to_string(),
        can_edit: p.can(UsersUpdate::PERM),
        can_deactivate: p.can(UsersDelete::PERM),
        can_override,
        primary,
        extra,
        practices,
        overrides,
        permissions,
        override_form,
        errors,
        u,
    })
}

/// `GET {area}/users/{id}`
pub async fn show<A: TenantArea>(
    Record(s, ctx, area, id): Record<InArea<A>>,
) -> WebResult<Response> {
    page::<A>(
        &s,
        &ctx,
        &area.principal,
        page_id::<UserId>(&id)?,
        Pairs::default(),
        FormErrors::default(),
    )
    .await
}

/// The submitted set, keeping what the form did not offer (roles the principal cannot
/// grant, practices outside their scope) as it was.
fn merged(submitted: Vec<String>, current: &[String], offered: &[String]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = submitted.into_iter().collect();
    out.extend(current.iter().filter(|c| !offered.contains(c)).cloned());
    out
}

/// `POST {area}/users/{id}`: name, primary role, extra roles and practices; only what
/// changed is sent (a change of access signs the user out everywhere).
pub async fn update<A: TenantArea>(
    Posted(s, ctx, area, id, form): Posted<InArea<A>>,
) -> WebResult<Response> {
    let p = area.principal;
    let back = format!("{}/users/{id}", A::AREA.home());
    let uid = page_id::<UserId>(&id)?;
    let u = users::get(&p, uid).await?;
    let (grantable, _) = role_options(&p).await?;
    let offered_roles: Vec<String> = grantable.iter().map(|r| r.key.clone()).collect();
    let offered_practices: Vec<String> = practice_options(&s, &p)
        .await?
        .into_iter()
        .map(|x| x.id)
        .collect();
    let fail = async |errors: FormErrors| {
        invalid(page::<A>(&s, &ctx, &p, uid, Pairs::default(), errors).await)
    };
    let role = match form.get("role") {
        r if r == u.role.as_str() => None,
        r => match TenantRole::parse(r) {
            Some(r) => Some(r),
            None => return fail(FormErrors::field("role", "choose a role")).await,
        },
    };
    let roles = merged(form.all("roles"), &u.roles, &offered_roles);
    let roles = (roles != u.roles.iter().cloned().collect()).then(|| roles.into_iter().collect());
    if let Err(errors) = practice_ids(&form) {
        return fail(errors).await;
    }
    let mut current_practices: Vec<String> = u.practice_ids.clone();
    current_practices.extend(u.practice_id.clone());
    let chosen = merged(
        form.all("practiceIds"),
        &current_practices,
        &offered_practices,
    );
    let practice_ids = (chosen != current_practices.iter().cloned().collect())
        .then(|| chosen.iter().filter_map(|x| x.parse().ok()).collect());
    let name = (form.get("name") != u.name).then(|| form.get("name").to_owned());
    if role.is_none() && roles.is_none() && practice_ids.is_none() && name.is_none() {
        return Ok(redirect_flash(
            &s,
            &back,
            Flash::success("Nothing was changed."),
        ));
    }
    let changes = UserChanges {
        name,
        role,
        roles,
        practice_ids,
        active: None,
        practice_id: None,
    };
    p.require(UsersUpdate::PERM)?;
    match form_result(write::update(&p, uid, changes).await)? {
        Ok(u) => Ok(redirect_flash(
            &s,
            &back,
            Flash::success(format!("{} was updated.", u.name)),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                page::<A>(&s, &ctx, &p, uid, Pairs::default(), errors).await
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "administrator/user_deactivate.html")]
struct DeactivatePage {
    chrome: Chrome,
    base: &'static str,
    u: UserOut,
}

/// `GET {area}/users/{id}/deactivate`: the confirmation.
pub async fn deactivate_confirm<A: TenantArea>(
    Record(_, ctx, area, id): Record<InArea<A>>,
) -> WebResult<Response> {
    let p = area.principal;
    let chrome = Chrome::tenant(&ctx, A::AREA, "Deactivate a user", &p);
    let u = users::get(&p, page_id::<UserId>(&id)?).await?;
    html(&DeactivatePage {
        chrome,
        base: A::AREA.home(),
        u,
    })
}

/// `POST {area}/users/{id}/deactivate`
pub async fn deactivate<A: TenantArea>(
    Posted(s, _, area, id, _): Posted<InArea<A>>,
) -> WebResult<Response> {
    let back = format!("{}/users/{id}", A::AREA.home());
    let p = area.principal;
    p.require(UsersDelete::PERM)?;
    let result = match id.parse::<UserId>() {
        Ok(uid) => write::deactivate(&p, uid).await,
        Err(_) => Err(ServiceError::NotFound("user")),
    };
    let flash = match form_result(result)? {
        Ok(u) => Flash::success(format!("{} was deactivated and signed out.", u.name)),
        Err(e) => Flash::error(e.detail),
    };
    Ok(redirect_flash(&s, &back, flash))
}
