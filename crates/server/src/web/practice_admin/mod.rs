//! `/practice-administrator`: the administrator pages of a practice administrator's
//! practices (users, overrides, audit log) plus the practices' settings. The handlers are
//! the administrator area's, generic over the area; the API scopes every list and change to
//! the user's practices (an ADMINISTRATOR, also admitted here, sees them all).

use axum::routing::get;

use super::admin::{audit, overview, settings, user_routes};
use super::session::PracticeAdminArea;
use crate::state::AppState;

pub fn routes() -> axum::Router<AppState> {
    type A = PracticeAdminArea;
    axum::Router::new()
        .route("/practice-administrator", get(overview::show::<A>))
        .route(
            "/practice-administrator/settings",
            get(settings::settings::<A>),
        )
        .route(
            "/practice-administrator/practices/{id}",
            get(settings::edit::<A>).post(settings::update::<A>),
        )
        .merge(user_routes::<A>("/practice-administrator"))
        .route("/practice-administrator/audit", get(audit::show::<A>))
}

/// The pages of this area, for the page-permission tests.
pub const PAGES: &[&str] = &[
    "/practice-administrator",
    "/practice-administrator/settings",
    "/practice-administrator/practices/{practice}",
    "/practice-administrator/users",
    "/practice-administrator/users/new",
    "/practice-administrator/users/{user}",
    "/practice-administrator/users/{user}/deactivate",
    "/practice-administrator/audit",
];
