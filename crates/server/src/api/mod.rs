//! HTTP handlers, one module per resource.

pub mod appointment_types;
pub mod appointments;
pub mod audit_logs;
pub mod auth;
pub mod billing;
pub mod clients;
pub mod companies;
pub mod fields;
pub mod health;
pub mod import;
pub mod owner_auth;
pub mod owner_password;
pub mod pets;
pub mod plans;
pub mod practices;
pub mod public;
pub mod record;
pub mod roles;
pub mod rooms;
pub mod search;
pub mod signup;
pub mod species;
pub mod usage;
pub mod users;

use axum::Router;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter};
use std::collections::BTreeMap;

use crate::state::AppState;
use serde::{Deserialize, Deserializer};

use crate::error::ApiError;

pub async fn not_found() -> ApiError {
    ApiError::not_found("route")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method",
    )
}

pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("handler panicked").into_response()
}

/// A page of a collection: `{"items": [...], "nextCursor": "..." | null}`.
pub use smartdmv_domain::page::Page;
use smartdmv_domain::page::PageRequest;

/// The page a list route's `limit` and `cursor` query parameters ask for.
pub fn page(limit: Option<u64>, cursor: Option<String>) -> PageRequest {
    PageRequest { limit, cursor }
}

/// Refuses, as an unknown route, a request that does not come to the platform host (the
/// owner API's public routes: sign-in, sign-up, payment webhooks).
pub fn platform_host_only(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<(), ApiError> {
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    if state.is_platform_host(host) {
        Ok(())
    } else {
        Err(ApiError::not_found("route"))
    }
}

/// The answer of a route that creates: 201 with the created resource.
pub fn created<T>(body: T) -> crate::error::ApiResult<(StatusCode, axum::Json<T>)> {
    Ok((StatusCode::CREATED, axum::Json(body)))
}

/// Cuts a page fetched with `limit + 1` rows down to `limit` and returns the cursor of the
/// next page (the id of the last row kept) when there is one.
pub fn next_cursor<T>(rows: &mut Vec<T>, limit: u64, id: impl Fn(&T) -> String) -> Option<String> {
    if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(id)
    } else {
        None
    }
}

/// `limit` (default 50, 1 to 200) and `cursor` of list routes.
#[derive(Debug, Deserialize)]
pub struct PageParams {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<u64, ApiError> {
        match self.limit {
            None => Ok(50),
            Some(n @ 1..=200) => Ok(n),
            Some(_) => Err(ApiError::bad_request(
                "invalid_query",
                "limit must be between 1 and 200",
            )),
        }
    }

    pub fn cursor<T: std::str::FromStr>(&self) -> Result<Option<T>, ApiError> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => c
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad_request("invalid_query", "cursor is not valid")),
        }
    }
}

/// For PATCH-like bodies: absent -> `None`, `null` -> `Some(None)`, value -> `Some(Some(v))`.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A router that remembers every (method, path) it was given, so that tests can enumerate the
/// tenant routes: the permission matrix and the isolation harness fail for a route they do
/// not cover.
#[derive(Default)]
pub struct Routes {
    paths: BTreeMap<&'static str, MethodRouter<AppState>>,
    list: Vec<(Method, &'static str)>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        let mr = self
            .paths
            .remove(path)
            .unwrap_or_default()
            .on(filter, handler);
        self.paths.insert(path, mr);
        self.list.push((method, path));
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::GET, path, h)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::POST, path, h)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::PATCH, path, h)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::DELETE, path, h)
    }

    pub fn merge(mut self, other: Routes) -> Self {
        for (path, mr) in other.paths {
            let merged = match self.paths.remove(path) {
                Some(existing) => existing.merge(mr),
                None => mr,
            };
            self.paths.insert(path, merged);
        }
        self.list.extend(other.list);
        self
    }

    /// Every (method, path) registered.
    pub fn list(&self) -> Vec<(Method, &'static str)> {
        self.list.clone()
    }

    pub fn into_router(self) -> Router<AppState> {
        self.paths
            .into_iter()
            .fold(Router::new(), |r, (path, mr)| r.route(path, mr))
    }
}

/// Every route served on a company's host.
pub fn tenant_routes() -> Routes {
    Routes::new()
        .merge(public::routes())
        .merge(auth::routes())
        .merge(signup::tenant_routes())
        .merge(practices::routes())
        .merge(users::routes())
        .merge(roles::routes())
        .merge(audit_logs::routes())
        .merge(appointment_types::routes())
        .merge(rooms::routes())
        .merge(appointments::routes())
        .merge(clients::routes())
        .merge(pets::routes())
        .merge(species::routes())
        .merge(search::routes())
        .merge(import::routes())
        .merge(record::routes())
}
