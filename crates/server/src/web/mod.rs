//! The web application: server-rendered pages (askama templates) for every area, gated on
//! the server. Pages reuse the JSON API's handlers for every change, so a form and the API
//! apply the same validation, permissions and audit.
//!
//! Areas: `/owner` (platform host), `/administrator`, `/practice-administrator`, `/practice`
//! (staff) and `/client` (company hosts). `/login`, `/logout` and `/` serve both hosts;
//! `/signup` the platform host, with its landing and email verification on the company's.

pub mod admin;
pub mod booking;
pub mod chart;
pub mod chrome;
pub mod csrf;
pub mod display;
pub mod error;
pub mod form;
pub mod invitation;
pub mod login;
pub mod owner;
pub mod portal;
pub mod posted;
pub mod practice_admin;
pub mod session;
pub mod signup;
pub mod staff;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::state::AppState;
use csrf::Flash;
use error::WebResult;
pub use form::{FormErrors, edit_result, form_result, invalid, rerender, with_status};

/// Every page route, each with the area it belongs to (the page-permission tests walk this
/// list, so a page added here without a test row fails them).
pub fn pages() -> Vec<(&'static str, chrome::Area)> {
    use chrome::Area::*;
    vec![
        ("/", Public),
        ("/login", Public),
        ("/account/password", Public),
        ("/signup", Public),
        ("/signup/verify", Public),
    ]
    .into_iter()
    .chain(owner::PAGES.iter().map(|p| (*p, Owner)))
    .chain(staff::PAGES.iter().map(|p| (*p, Staff)))
    .chain(portal::PAGES.iter().map(|p| (*p, Client)))
    .chain(admin::PAGES.iter().map(|p| (*p, Administrator)))
    .chain(
        practice_admin::PAGES
            .iter()
            .map(|p| (*p, PracticeAdministrator)),
    )
    .collect()
}

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(login::start))
        .route("/login", get(login::show).post(login::submit))
        .route("/logout", post(login::logout))
        .route(
            "/account/password",
            get(login::password_form).post(login::password_submit),
        )
        .route("/session/handoff", get(login::handoff))
        .route("/signup", get(signup::show).post(signup::submit))
        .route("/signup/welcome", get(signup::welcome))
        .route(
            "/signup/verify",
            get(signup::verify_form).post(signup::verify_submit),
        )
        .route(
            "/invitation/{token}",
            get(invitation::show).post(invitation::accept),
        )
        .merge(owner::routes())
        .merge(staff::routes())
        .merge(portal::routes())
        .merge(admin::routes())
        .merge(practice_admin::routes())
        .route("/brand.css", get(brand_css))
        .route("/static/app.css", get(app_css))
        .layer(axum::middleware::from_fn_with_state(state, csrf::layer))
}

/// Renders a page as `text/html`.
pub fn html(t: &impl Template) -> WebResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// A 303 to `to` carrying a flash message for the next page.
pub fn redirect_flash(state: &AppState, to: &str, flash: Flash) -> Response {
    let mut resp = Redirect::to(to).into_response();
    resp.headers_mut()
        .append(SET_COOKIE, flash.cookie(state.cookie_secure()));
    resp
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const APP_CSS: &str = include_str!("../../static/app.css");

async fn app_css() -> Response {
    css(APP_CSS, "public, max-age=3600")
}

/// A stylesheet answer, cached as `cache_control` says.
fn css(body: impl IntoResponse, cache_control: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static(cache_control)),
        ],
        body,
    )
        .into_response()
}

/// `GET /brand.css`: the company's branding colour as the stylesheet's `--brand`.
async fn brand_css(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    let color = if state.is_platform_host(host) {
        None
    } else {
        match state.platform.resolver.resolve(host, None).await {
            Ok(r) => match r.tenant {
                smartdmv_tenancy::resolve::TenantContext::Company(c) => c.brand_color.clone(),
                smartdmv_tenancy::resolve::TenantContext::None => None,
            },
            Err(_) => None,
        }
    };
    let body = match color {
        Some(c) => format!(":root {{ --brand: {c}; }}\n"),
        None => String::from("/* default brand */\n"),
    };
    css(body, "private, max-age=60")
}
