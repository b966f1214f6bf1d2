//! The one error type of the owner (platform) services. Each variant says what went wrong in
//! the service's words; the HTTP edge maps it once to problem+json (and through that to form
//! errors). Database errors are classified here, once: a unique violation is a
//! [`PlatformError::Conflict`] with the generic code [`UNIQUE_VIOLATION`] (give it its stable
//! code with [`ConflictAs::conflict_as`]), a lost connection is [`PlatformError::Unavailable`].
//! [`TenancyError`] stays the error of the mechanism crate; its failures arrive here through
//! `From` and keep their meaning.

use smartdmv_domain::CompanyId;
use smartdmv_store::StoreError;
use smartdmv_tenancy::TenancyError;
use smartdmv_tenancy::refusal::{DbErrKind, classify, describe};

pub use smartdmv_tenancy::refusal::{FieldErrors, Refusal, UNIQUE_VIOLATION};

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

pub type PlatformResult<T> = Result<T, PlatformError>;

smartdmv_tenancy::service_error_constructors!(PlatformError);

impl From<sea_orm::DbErr> for PlatformError {
    fn from(e: sea_orm::DbErr) -> Self {
        match classify(&e) {
            DbErrKind::UniqueViolation => PlatformError::unique_violation(),
            DbErrKind::Unavailable => PlatformError::Unavailable,
            DbErrKind::MissingSchema | DbErrKind::Other => PlatformError::Internal(e.to_string()),
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
