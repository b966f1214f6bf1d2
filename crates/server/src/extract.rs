//! Extractors: JSON bodies and queries with problem+json rejections, the operator guard of
//! the owner API, and [`Tenant`], the only way a handler obtains a company's database.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use smartdmv_tenancy::resolve::{ResolvedCompany, TenantContext};
use smartdmv_tenancy::{TenancyError, TenantDb};
use std::sync::Arc;

use crate::app::AppState;
use crate::error::ApiError;

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

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The caller's address, when the server was started with connection info.
pub fn client_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// An operator of the platform, authenticated by `SMARTDMV_OPERATOR_TOKEN`, on the platform
/// host. Owner routes on any other host answer 404, as if they did not exist there.
pub struct Operator {
    pub ip: Option<String>,
}

impl Operator {
    pub fn actor(&self) -> smartdmv_tenancy::company::Actor {
        smartdmv_tenancy::company::Actor {
            label: "operator".into(),
            ip: self.ip.clone(),
        }
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.is_platform_host(header(parts, "host")) {
            return Err(ApiError::not_found("route"));
        }
        check_operator_token(parts, state)?;
        Ok(Operator {
            ip: client_ip(parts),
        })
    }
}

/// Checks `Authorization: Bearer <SMARTDMV_OPERATOR_TOKEN>`.
fn check_operator_token(parts: &Parts, state: &AppState) -> Result<(), ApiError> {
    let Some(expected) = state.operator_token_hash.as_ref() else {
        return Err(ApiError::unauthorized(
            "operator routes are disabled: SMARTDMV_OPERATOR_TOKEN is not set",
        ));
    };
    let given = header(parts, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <operator token>"))?;
    let given = Sha256::digest(given.as_bytes());
    // Compare digests in constant time.
    let diff = given
        .iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff != 0 {
        return Err(ApiError::unauthorized("the operator token is not valid"));
    }
    Ok(())
}

/// An operator acting inside one company (tenant administration before company logins
/// exist). The token is checked before the tenant is resolved, so an unauthenticated caller
/// learns nothing about which companies exist.
pub struct TenantOperator {
    pub ip: Option<String>,
}

impl TenantOperator {
    pub fn actor_label(&self) -> &'static str {
        "operator"
    }
}

impl FromRequestParts<AppState> for TenantOperator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        check_operator_token(parts, state)?;
        Ok(TenantOperator {
            ip: client_ip(parts),
        })
    }
}

/// The resolved company of a tenant request and a lease on its database. Building one
/// resolves the Host and `X-Company-Id`, refuses unknown, suspended and unready companies
/// before touching any tenant database, and falls back to the default company only when the
/// request names no company at all.
pub struct Tenant {
    pub company: Arc<ResolvedCompany>,
    pub db: TenantDb,
}

impl Tenant {
    /// Maps a database error of this tenant: connection failures become 503 (and retire the
    /// pool), anything else is internal.
    pub fn db_error(&self, e: sea_orm::DbErr) -> ApiError {
        if self.db.report_error(&e) {
            ApiError::from(TenancyError::Unavailable)
        } else {
            ApiError::internal(e)
        }
    }
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
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
        let target = company.target.as_ref().ok_or_else(|| {
            ApiError::from(TenancyError::NotReady(
                "its database location is not usable".into(),
            ))
        })?;
        let db = p.registry.acquire(target).await?;
        Ok(Tenant { company, db })
    }
}
