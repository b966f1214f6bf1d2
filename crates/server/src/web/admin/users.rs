//! The users of an area: the list with search, and inviting a user (the API answers with the
//! one-time invitation token, shown as a link since the platform sends no email yet).

use crate::web::invalid;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::perm::Permission;
use smartdmv_domain::{PracticeId, TenantRole};
use std::collections::BTreeMap;

use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::Form;
use super::super::error::WebResult;
use super::super::session::{InArea, TenantArea};
use super::super::{FormErrors, html, url_encode};
use super::Pairs;
use crate::auth::perms::{RolesRead, UsersCreate, UsersRead};
use crate::auth::{Perm, TenantPrincipal};
use crate::state::AppState;
use crate::web::{form_result, rerender};
use smartdmv_practice::users::{self, NewUser, UserFilter, UserOut, grants, write};
use smartdmv_practice::{PageRequest, roles};

/// A role the page offers: its key (`ADMINISTRATOR`, `custom:<id>`) and name.
#[derive(Clone, Debug)]
pub struct RoleOption {
    pub key: String,
    pub name: String,
    pub built_in: bool,
}

/// A practice the page offers.
#[derive(Clone, Debug)]
pub struct PracticeOption {
    pub id: String,
    pub name: String,
}

/// The roles the principal may hand out (every permission of the role is one they hold),
/// and the names of all roles by key.
pub(crate) async fn role_options(
    p: &TenantPrincipal,
) -> WebResult<(Vec<RoleOption>, BTreeMap<String, String>)> {
    p.require(RolesRead::PERM)?;
    let mut names = BTreeMap::new();
    let mut grantable = Vec::new();
    for r in roles::list(p).await? {
        names.insert(r.key.clone(), r.name.clone());
        let ok = r
            .permissions
            .iter()
            .filter_map(|x| Permission::parse(x))
            .all(|x| p.can(x));
        if ok {
            grantable.push(RoleOption {
                key: r.key,
                name: r.name,
                built_in: r.built_in,
            });
        }
    }
    Ok((grantable, names))
}

/// The open practices the principal may assign (see [`grants::assignable_practices`]).
pub(crate) async fn practice_options(
    _s: &AppState,
    p: &TenantPrincipal,
) -> WebResult<Vec<PracticeOption>> {
    Ok(grants::assignable_practices(p)
        .await?
        .into_iter()
        .map(|x| PracticeOption {
            id: x.id.to_string(),
            name: x.name,
        })
        .collect())
}

/// One row of the users table.
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub roles: String,
    pub active: bool,
    pub invited: bool,
}

pub(crate) fn role_label(u: &UserOut, names: &BTreeMap<String, String>) -> String {
    std::iter::once(u.role.as_str())
        .chain(u.roles.iter().map(String::as_str))
        .map(|k| names.get(k).cloned().unwrap_or_else(|| k.to_owned()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Template)]
#[template(path = "administrator/users.html")]
struct ListPage {
    chrome: Chrome,
    base: &'static str,
    q: String,
    users: Vec<UserRow>,
    next_href: Option<String>,
    can_invite: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
}

/// `GET {area}/users?q=`
pub async fn list<A: TenantArea>(
    ctx: PageCtx,
    area: InArea<A>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let p = area.principal;
    let base = A::AREA.home();
    let chrome = Chrome::tenant(&ctx, A::AREA, "Users", &p);
    let (_, names) = role_options(&p).await?;
    let can_invite = p.can(UsersCreate::PERM);
    let query = q.q.unwrap_or_default();
    p.require(UsersRead::PERM)?;
    let filter = UserFilter {
        q: Some(query.clone()).filter(|x| !x.trim().is_empty()),
    };
    let page = PageRequest {
        limit: Some(50),
        cursor: q.cursor,
    };
    let page = users::list(&p, &filter, &page).await?;
    let next_href = page.next_cursor.as_ref().map(|c| {
        format!(
            "{base}/users?q={}&cursor={}",
            url_encode(&query),
            url_encode(c)
        )
    });
    let users = page
        .items
        .iter()
        .map(|u| UserRow {
            id: u.id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            roles: role_label(u, &names),
            active: u.active,
            invited: u.invited,
        })
        .collect();
    html(&ListPage {
        chrome,
        base,
        q: query,
        users,
        next_href,
        can_invite,
    })
}

#[derive(Template)]
#[template(path = "administrator/user_new.html")]
struct NewPage {
    chrome: Chrome,
    base: &'static str,
    roles: Vec<RoleOption>,
    practices: Vec<PracticeOption>,
    email: String,
    /// Not `name`: a macro argument of that name would shadow the macro's own parameter.
    user_name: String,
    role: String,
    chosen: Vec<String>,
    errors: FormErrors,
}

async fn new_page<A: TenantArea>(
    s: &AppState,
    ctx: &PageCtx,
    p: &TenantPrincipal,
    form: &Pairs,
    errors: FormErrors,
) -> WebResult<Response> {
    let (roles, _) = role_options(p).await?;
    let practices = practice_options(s, p).await?;
    let chosen = if form.has("_csrf") {
        form.all("practiceIds")
    } else {
        // A practice administrator of one practice invites to it by default.
        match (p.practice_scope(), practices.as_slice()) {
            (Some(_), [only]) => vec![only.id.clone()],
            _ => Vec::new(),
        }
    };
    html(&NewPage {
        chrome: Chrome::tenant(ctx, A::AREA, "Invite a user", p),
        base: A::AREA.home(),
        roles: roles.into_iter().filter(|r| r.built_in).collect(),
        practices,
        email: form.get("email").to_owned(),
        user_name: form.get("name").to_owned(),
        role: form.get("role").to_owned(),
        chosen,
        errors,
    })
}

/// `GET {area}/users/new`
pub async fn new_form<A: TenantArea>(
    State(s): State<AppState>,
    ctx: PageCtx,
    area: InArea<A>,
) -> WebResult<Response> {
    let p = area.principal;
    p.require(UsersCreate::PERM)?;
    new_page::<A>(&s, &ctx, &p, &Pairs::default(), FormErrors::default()).await
}

#[derive(Template)]
#[template(path = "administrator/invited.html")]
struct InvitedPage {
    chrome: Chrome,
    base: &'static str,
    user_id: String,
    name: String,
    email: String,
    link: String,
    expires_at: String,
}

/// Parses the practice checkboxes; a malformed id is a field error.
pub(crate) fn practice_ids(form: &Pairs) -> Result<Vec<PracticeId>, FormErrors> {
    form.all("practiceIds")
        .iter()
        .map(|x| x.parse::<PracticeId>())
        .collect::<Result<_, _>>()
        .map_err(|_| FormErrors::field("practiceIds", "is not a practice of this company"))
}

/// `POST {area}/users`: invites a user (no password: they set it from the link).
pub async fn invite<A: TenantArea>(
    State(s): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    area: InArea<A>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let p = area.principal;
    let parsed = match TenantRole::parse(form.get("role")) {
        Some(role) => practice_ids(&form).map(|ids| (role, ids)),
        None => Err(FormErrors::field("role", "choose a role")),
    };
    let (role, practice_ids) = match parsed {
        Ok(x) => x,
        Err(errors) => return invalid(new_page::<A>(&s, &ctx, &p, &form, errors).await),
    };
    let input = NewUser {
        email: form.get("email").to_owned(),
        name: form.get("name").to_owned(),
        password: None,
        role,
        roles: Vec::new(),
        practice_ids,
    };
    let chrome = Chrome::tenant(&ctx, A::AREA, "User invited", &p);
    p.require(UsersCreate::PERM)?;
    match form_result(write::create(&p, input).await)? {
        Ok(created) => {
            let host = headers
                .get("host")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let scheme = if s.cookie_secure() { "https" } else { "http" };
            let (link, expires_at) = created
                .invitation
                .map(|i| {
                    (
                        format!("{scheme}://{host}/invitation/{}", url_encode(&i.token)),
                        i.expires_at,
                    )
                })
                .unwrap_or_default();
            html(&InvitedPage {
                chrome,
                base: A::AREA.home(),
                user_id: created.user.id,
                name: created.user.name,
                email: created.user.email,
                link,
                expires_at,
            })
        }
        Err(e) => {
            rerender(e, async |errors| {
                new_page::<A>(&s, &ctx, &p, &form, errors).await
            })
            .await
        }
    }
}
