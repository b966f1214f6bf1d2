//! Errors of the HTML pages: an error page with the status, or a redirect to sign in.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::error::ApiError;

#[derive(Debug)]
pub enum WebError {
    /// Not signed in: go to the sign-in page, then come back.
    SignIn {
        login: &'static str,
        next: String,
    },
    Forbidden(String),
    NotFound,
    BadRequest(String),
    Status(StatusCode, String),
}

pub type WebResult<T> = Result<T, WebError>;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

impl WebError {
    fn parts(&self) -> (StatusCode, String) {
        match self {
            WebError::SignIn { .. } => (StatusCode::UNAUTHORIZED, "sign in first".into()),
            WebError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "there is no page at this address".into(),
            ),
            WebError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            WebError::Status(s, m) => (*s, m.clone()),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::SignIn { login, next } = &self {
            let to = format!("{login}?next={}", super::url_encode(next));
            return Redirect::to(&to).into_response();
        }
        let (status, message) = self.parts();
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            message,
        };
        let body = page
            .render()
            .unwrap_or_else(|_| "<!doctype html><title>Error</title><p>Error</p>".into());
        let mut resp = (status, Html(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
        }
        resp
    }
}

impl From<smartdmv_practice::ServiceError> for WebError {
    fn from(e: smartdmv_practice::ServiceError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<smartdmv_platform::PlatformError> for WebError {
    fn from(e: smartdmv_platform::PlatformError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<smartdmv_tenancy::TenancyError> for WebError {
    fn from(e: smartdmv_tenancy::TenancyError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND if e.code == "not_found" => WebError::NotFound,
            StatusCode::FORBIDDEN => WebError::Forbidden(e.detail),
            s => WebError::Status(s, e.detail),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template failed to render");
        WebError::Status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be shown".into(),
        )
    }
}

impl From<sea_orm::DbErr> for WebError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(e).into()
    }
}
