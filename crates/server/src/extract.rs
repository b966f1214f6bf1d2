//! Extractors: JSON bodies and queries with problem+json rejections, the operator guard of
//! the owner API, and [`Tenant`], the only way a handler obtains a company's database.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use smartdmv_domain::TypedId;
pub use smartdmv_practice::Tenant;
use smartdmv_tenancy::resolve::{ResolvedCompany, TenantContext};
use std::sync::Arc;

use crate::error::ApiError;
use crate::state::AppState;

/// A JSON body; malformed JSON, a wrong content type, an oversized body or a field of the
/// wrong shape answer 4xx with the reason.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rej) => Err(json_rejection(rej)),
        }
    }
}

fn json_rejection(rej: JsonRejection) -> ApiError {
    match rej {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(
            "malformed_json",
            format!("the body is not valid JSON: {}", inner(&e)),
        ),
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("the body does not have the expected shape: {}", inner(&e)),
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the body is larger than the 1 MiB limit",
            )
        }
        other => ApiError::new(other.status(), "invalid_body", other.body_text()),
    }
}

/// The innermost message of an error chain (serde's own words, without axum's prefix).
fn inner(e: &dyn std::error::Error) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Query parameters with a 400 naming the bad parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::bad_request(
                "invalid_query",
                format!("invalid query parameters: {}", inner(&e)),
            )),
            Err(e) => Err(ApiError::bad_request("invalid_query", e.body_text())),
        }
    }
}

pub fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The caller's address, when the server was started with connection info.
pub fn client_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// The caller's address (from the connection), for audit entries and throttling.
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// Resolves the company a tenant request is for: its host or `X-Company-Id`, else the default
/// company when the request names none. Unknown, suspended and unready companies are
/// refused here, before any tenant database is touched.
pub async fn resolve_company(
    parts: &Parts,
    state: &AppState,
) -> Result<Arc<ResolvedCompany>, ApiError> {
    let p = &state.platform;
    let resolution = p
        .resolver
        .resolve(header(parts, "host"), header(parts, "x-company-id"))
        .await?;
    let company = match resolution.tenant {
        TenantContext::Company(c) => c,
        TenantContext::None => match &state.default_company {
            Some(sel) => match sel.parse() {
                Ok(id) => p.resolver.by_id(id).await?,
                Err(_) => p.resolver.by_subdomain(sel).await?,
            },
            None => {
                return Err(ApiError::bad_request(
                    "tenant_required",
                    "this route needs a company: use the company's host or send X-Company-Id",
                ));
            }
        },
    };
    tracing::Span::current().record("company_id", tracing::field::display(company.id));
    Ok(company)
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let company = resolve_company(parts, state).await?;
        Ok(Tenant::acquire(&state.platform.registry, company).await?)
    }
}

/// An id in the path, typed. A malformed id answers the same 404 as an unknown one, so
/// ids cannot be told apart by probing.
pub struct IdPath<T>(pub T);

impl<T: TypedId + Send, S: Send + Sync> FromRequestParts<S> for IdPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found(T::ENTITY))?;
        raw.parse()
            .map(IdPath)
            .map_err(|_| ApiError::not_found(T::ENTITY))
    }
}
