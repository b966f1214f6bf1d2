//! `/administrator`: the company administrator's pages (practices, users and roles, custom
//! roles, permission overrides, the audit log). The user, audit and practice-settings pages
//! are generic over the area, so `/practice-administrator` serves the same pages scoped by
//! the API to the practice administrator's practices.

pub(crate) mod audit;
mod overrides;
pub(crate) mod overview;
mod practices;
mod roles;
pub(crate) mod settings;
pub(crate) mod user;
pub(crate) mod users;

use axum::routing::{get, post};

use super::session::AdminArea;
use crate::state::AppState;

pub fn routes() -> axum::Router<AppState> {
    type A = AdminArea;
    axum::Router::new()
        .route("/administrator", get(overview::show::<A>))
        .route(
            "/administrator/practices",
            get(practices::list).post(practices::create),
        )
        .route(
            "/administrator/practices/{id}",
            get(settings::edit::<A>).post(settings::update::<A>),
        )
        .route(
            "/administrator/practices/{id}/close",
            get(practices::close_confirm).post(practices::close),
        )
        .route("/administrator/roles", get(roles::list).post(roles::create))
        .route("/administrator/roles/new", get(roles::new_form))
        .route(
            "/administrator/roles/{id}",
            get(roles::edit).post(roles::update),
        )
        .merge(user_routes::<A>("/administrator"))
        .route("/administrator/audit", get(audit::show::<A>))
}

/// The user pages of an area, under its home path.
pub(crate) fn user_routes<A: super::session::TenantArea>(base: &str) -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            &format!("{base}/users"),
            get(users::list::<A>).post(users::invite::<A>),
        )
        .route(&format!("{base}/users/new"), get(users::new_form::<A>))
        .route(
            &format!("{base}/users/{{id}}"),
            get(user::show::<A>).post(user::update::<A>),
        )
        .route(
            &format!("{base}/users/{{id}}/deactivate"),
            get(user::deactivate_confirm::<A>).post(user::deactivate::<A>),
        )
        .route(
            &format!("{base}/users/{{id}}/overrides"),
            post(overrides::add::<A>),
        )
        .route(
            &format!("{base}/users/{{id}}/overrides/{{oid}}/remove"),
            post(overrides::remove::<A>),
        )
}

/// The pages of this area, for the page-permission tests.
pub const PAGES: &[&str] = &[
    "/administrator",
    "/administrator/practices",
    "/administrator/practices/{practice}",
    "/administrator/practices/{practice}/close",
    "/administrator/users",
    "/administrator/users/new",
    "/administrator/users/{user}",
    "/administrator/users/{user}/deactivate",
    "/administrator/roles",
    "/administrator/roles/new",
    "/administrator/roles/{role}",
    "/administrator/audit",
];

/// A submitted form as its name/value pairs, for forms whose checkboxes repeat a name.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub(crate) struct Pairs(Vec<(String, String)>);

impl Pairs {
    /// The first value of a field, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every non-empty value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// `Some(trimmed)` unless blank.
pub(crate) fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}
