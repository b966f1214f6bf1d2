//! The one error type of the owner (platform) services. Each variant says what went wrong in
//! the service's words; the HTTP edge maps it once to problem+json (and through that to form
//! errors). Database errors are classified here, once: a unique violation is a
//! [`PlatformError::Conflict`] with the generic code [`UNIQUE_VIOLATION`] (give it its stable
//! code with [`ConflictAs::conflict_as`]), a lost connection is [`PlatformError::Unavailable`].
//! [`TenancyError`] stays the error of the mechanism crate; its failures arrive here through
//! `From` and keep their meaning.

use serde_json::{Map, Value};
use smartdmv_domain::CompanyId;
use smartdmv_store::StoreError;
use smartdmv_tenancy::TenancyError;

/// Field errors of an invalid input, in the order found: `(field path, message)`.
pub type FieldErrors = Vec<(String, String)>;

/// A refusal with a stable code and extra members for the answer.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: &'static str,
    pub detail: String,
    pub extra: Map<String, Value>,
}

impl Refusal {
    pub fn new(code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            extra: Map::new(),
        }
    }

    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }
}

/// Why an owner service call failed.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The record does not exist or is out of the caller's reach (never told apart).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request cannot be understood (a malformed cursor or query value).
    #[error("{}", .0.detail)]
    BadRequest(Refusal),
    /// No valid credentials (a failed sign-in).
    #[error("{}", .0.detail)]
    Unauthenticated(Refusal),
    /// The caller may not do this (a `COMPANY_ADMIN` asking for an owner's change).
    #[error("{}", .0.detail)]
    Forbidden(Refusal),
    /// The input breaks a rule: field errors.
    #[error("invalid input: {}", describe(.0))]
    Invalid(FieldErrors),
    /// The request contradicts the current state (`subdomain_taken`, `plan_in_use`, ...).
    #[error("{}", .0.detail)]
    Conflict(Refusal),
    /// A limit is reached (402).
    #[error("{}", .0.detail)]
    LimitReached(Refusal),
    /// Too many attempts; try again after the given seconds.
    #[error("{}", .0.detail)]
    Throttled(Refusal, u64),
    /// A database (the owner's or a company's) cannot be reached right now.
    #[error("the database is unavailable")]
    Unavailable,
    /// The company was registered but its database could not be provisioned; it is `FAILED`
    /// and provisioning may be retried.
    #[error("provisioning failed: {reason}")]
    ProvisioningFailed { company: CompanyId, reason: String },
    /// Any other failure of the tenancy mechanism (resolution, registry), mapped by the edge.
    #[error(transparent)]
    Tenancy(TenancyError),
    /// Anything else; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(f, m)| format!("{f} {m}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub type PlatformResult<T> = Result<T, PlatformError>;

/// The code of a conflict raised by a unique index before a service names it.
pub const UNIQUE_VIOLATION: &str = "already_exists";

impl PlatformError {
    /// One field error.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![(field.to_owned(), message.into())])
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Conflict(Refusal::new(code, detail))
    }

    pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Forbidden(Refusal::new(code, detail))
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::BadRequest(Refusal::new(code, detail))
    }

    pub fn unauthenticated(code: &'static str, detail: impl Into<String>) -> Self {
        Self::Unauthenticated(Refusal::new(code, detail))
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    /// Whether this is the conflict a unique index raised (not yet given its own code).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Self::Conflict(r) if r.code == UNIQUE_VIOLATION)
    }
}

impl From<sea_orm::DbErr> for PlatformError {
    fn from(e: sea_orm::DbErr) -> Self {
        if smartdmv_store::is_unique_violation(&e) {
            PlatformError::conflict(
                UNIQUE_VIOLATION,
                "a record with these values already exists",
            )
        } else if smartdmv_tenancy::error::is_connection_error(&e) {
            PlatformError::Unavailable
        } else {
            PlatformError::Internal(e.to_string())
        }
    }
}

impl From<StoreError> for PlatformError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict("subdomain") => {
                Self::conflict("subdomain_taken", "subdomain is already taken")
            }
            StoreError::Conflict("domain") => {
                Self::conflict("domain_taken", "domain is already registered")
            }
            StoreError::Conflict(what) => {
                Self::conflict(UNIQUE_VIOLATION_STORE, format!("{what} already exists"))
            }
            StoreError::Db(e) => e.into(),
        }
    }
}

/// The code a repository's named unique conflict has always answered with.
const UNIQUE_VIOLATION_STORE: &str = "conflict";

impl From<TenancyError> for PlatformError {
    fn from(e: TenancyError) -> Self {
        match e {
            TenancyError::Db(db) => db.into(),
            TenancyError::Unavailable => Self::Unavailable,
            TenancyError::Invalid(fields) => Self::Invalid(fields),
            TenancyError::NotFound(what) => Self::NotFound(what),
            TenancyError::Conflict { code, message } => Self::conflict(code, message),
            TenancyError::ProvisioningFailed { company, reason } => {
                Self::ProvisioningFailed { company, reason }
            }
            TenancyError::Internal(cause) => Self::Internal(cause),
            other => Self::Tenancy(other),
        }
    }
}

/// Gives the conflict of a unique index its stable code and message.
pub trait ConflictAs<T> {
    fn conflict_as(self, code: &'static str, detail: impl Into<String>) -> PlatformResult<T>;
}

impl<T, E: Into<PlatformError>> ConflictAs<T> for Result<T, E> {
    fn conflict_as(self, code: &'static str, detail: impl Into<String>) -> PlatformResult<T> {
        self.map_err(|e| {
            let e = e.into();
            if e.is_unique_violation()
                || matches!(&e, PlatformError::Conflict(r) if r.code == UNIQUE_VIOLATION_STORE)
            {
                PlatformError::conflict(code, detail)
            } else {
                e
            }
        })
    }
}

impl From<smartdmv_domain::page::PageError> for PlatformError {
    /// A page request out of range: 400 `invalid_query`.
    fn from(e: smartdmv_domain::page::PageError) -> Self {
        PlatformError::bad_request("invalid_query", e.0)
    }
}
