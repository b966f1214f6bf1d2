//! API errors as `application/problem+json` (RFC 9457) with a stable `code`. Every failure
//! of every layer is mapped here, once. 5xx bodies carry no internals; the cause is logged.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use smartdmv_platform::PlatformError;
use smartdmv_practice::{Refusal, ServiceError};
use smartdmv_tenancy::TenancyError;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    /// Field errors of a 422: `{"field.path": ["message", ...]}`.
    pub errors: Option<Map<String, Value>>,
    pub retry_after: Option<u64>,
    /// Extra members of the problem document.
    pub extra: Map<String, Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: None,
            retry_after: None,
            extra: Map::new(),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    /// A 422 with one field error.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![(field.to_owned(), message.into())])
    }

    pub fn validation(fields: Vec<(String, String)>) -> Self {
        let mut errors = Map::new();
        for (f, m) in &fields {
            let entry = errors.entry(f.clone()).or_insert_with(|| json!([]));
            if let Some(a) = entry.as_array_mut() {
                a.push(Value::String(m.clone()));
            }
        }
        let detail = fields
            .iter()
            .map(|(f, m)| format!("{f} {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            detail,
        );
        e.errors = Some(errors);
        e
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request",
        )
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }
}

fn title(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(format!(
                "https://smartdmv.dev/problems/{}",
                self.code.replace('_', "-")
            )),
        );
        body.insert("title".into(), json!(title(self.status)));
        body.insert("status".into(), json!(self.status.as_u16()));
        body.insert("detail".into(), json!(self.detail));
        body.insert("code".into(), json!(self.code));
        if let Some(errors) = self.errors {
            body.insert("errors".into(), Value::Object(errors));
        }
        for (k, v) in self.extra {
            body.entry(k).or_insert(v);
        }
        let mut resp = (self.status, Value::Object(body).to_string()).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<TenancyError> for ApiError {
    fn from(e: TenancyError) -> Self {
        use TenancyError::*;
        match e {
            UnknownCompany => ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_company",
                "no company is served at this address",
            ),
            Suspended => ApiError::new(
                StatusCode::FORBIDDEN,
                "company_suspended",
                "this company's account is suspended",
            ),
            NotReady(why) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "company_not_ready",
                format!("the company is not ready: {why}"),
            )
            .with_retry_after(5),
            Unavailable => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant_unavailable",
                "the company's database is unavailable; try again shortly",
            )
            .with_retry_after(5),
            Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server_busy",
                "all database connections are busy; try again shortly",
            )
            .with_retry_after(1),
            ContextConflict => ApiError::bad_request(
                "conflicting_tenant_context",
                "the host and the X-Company-Id header name different companies",
            ),
            Invalid(fields) => ApiError::validation(fields),
            Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            NotFound(what) => ApiError::not_found(what),
            ProvisioningFailed { company, reason } => provisioning_failed(company, &reason),
            Db(e) => ApiError::internal(e),
            Internal(e) => ApiError::internal(e),
        }
    }
}

/// The answer to a company registered whose database could not be provisioned.
fn provisioning_failed(company: smartdmv_domain::CompanyId, reason: &str) -> ApiError {
    tracing::warn!(company.id = %company, reason = %reason, "provisioning failed");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "provisioning_failed",
        format!(
            "the company was registered but its database could not be provisioned; \
             retry with POST /api/owner/companies/{company}/provision"
        ),
    )
    .with("companyId", json!(company.to_string()))
    .with_retry_after(5)
}

/// A refusal of either service crate (they share [`Refusal`]) with its status.
fn refusal(status: StatusCode, r: Refusal) -> ApiError {
    let mut e = ApiError::new(status, r.code, r.detail);
    e.extra = r.extra;
    e
}

impl From<PlatformError> for ApiError {
    /// Every owner service error's answer, in one place.
    fn from(e: PlatformError) -> Self {
        match e {
            PlatformError::NotFound(what) => ApiError::not_found(what),
            PlatformError::BadRequest(x) => refusal(StatusCode::BAD_REQUEST, x),
            PlatformError::Unauthenticated(x) => refusal(StatusCode::UNAUTHORIZED, x),
            PlatformError::Forbidden(x) => refusal(StatusCode::FORBIDDEN, x),
            PlatformError::Invalid(fields) => ApiError::validation(fields),
            PlatformError::Conflict(x) => refusal(StatusCode::CONFLICT, x),
            PlatformError::LimitReached(x) => refusal(StatusCode::PAYMENT_REQUIRED, x),
            PlatformError::Throttled(x, retry_after) => {
                refusal(StatusCode::TOO_MANY_REQUESTS, x).with_retry_after(retry_after)
            }
            PlatformError::Unavailable => ApiError::from(TenancyError::Unavailable),
            PlatformError::ProvisioningFailed { company, reason } => {
                provisioning_failed(company, &reason)
            }
            PlatformError::Tenancy(t) => t.into(),
            PlatformError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<ServiceError> for ApiError {
    /// Every service error's answer, in one place.
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound(what) => ApiError::not_found(what),
            ServiceError::BadRequest(r) => refusal(StatusCode::BAD_REQUEST, r),
            ServiceError::Unauthenticated(r) => refusal(StatusCode::UNAUTHORIZED, r),
            ServiceError::Forbidden(r) => refusal(StatusCode::FORBIDDEN, r),
            ServiceError::Invalid(fields) => ApiError::validation(fields),
            ServiceError::Conflict(r) => refusal(StatusCode::CONFLICT, r),
            ServiceError::LimitReached(r) => refusal(StatusCode::PAYMENT_REQUIRED, r),
            ServiceError::TooLarge(r) => refusal(StatusCode::PAYLOAD_TOO_LARGE, r),
            ServiceError::Throttled(r, retry_after) => {
                refusal(StatusCode::TOO_MANY_REQUESTS, r).with_retry_after(retry_after)
            }
            ServiceError::Unavailable => ApiError::from(TenancyError::Unavailable),
            ServiceError::Upgrading => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant_upgrading",
                "this company's database is being upgraded; try again shortly",
            )
            .with_retry_after(5),
            ServiceError::Tenancy(t) => t.into(),
            ServiceError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

impl From<smartdmv_domain::page::PageError> for ApiError {
    fn from(e: smartdmv_domain::page::PageError) -> Self {
        ApiError::bad_request("invalid_query", e.0)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::internal(e)
    }
}

impl From<smartdmv_store::StoreError> for ApiError {
    fn from(e: smartdmv_store::StoreError) -> Self {
        TenancyError::from(e).into()
    }
}
