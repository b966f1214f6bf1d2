//! The one error type of the tenant services. Each variant says what went wrong in the
//! service's words; the HTTP edge maps it once to problem+json and once to form errors.
//! Database errors are classified here, once: a unique violation is a [`ServiceError::Conflict`]
//! (give it its stable code with [`ConflictAs::conflict_as`]), a lost connection is
//! [`ServiceError::Unavailable`], a table or column this binary needs but the company's schema
//! lacks is [`ServiceError::Upgrading`].

use smartdmv_tenancy::TenancyError;
use smartdmv_tenancy::refusal::{DbErrKind, classify, describe};

pub use smartdmv_tenancy::refusal::{FieldErrors, Refusal, UNIQUE_VIOLATION};

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The record does not exist or is out of the caller's reach (never told apart).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request cannot be understood (a malformed cursor or query value).
    #[error("{}", .0.detail)]
    BadRequest(Refusal),
    /// No valid credentials.
    #[error("{}", .0.detail)]
    Unauthenticated(Refusal),
    /// The caller may not do this (`forbidden`, `feature_not_in_plan`, ...).
    #[error("{}", .0.detail)]
    Forbidden(Refusal),
    /// The input breaks a rule: field errors.
    #[error("invalid input: {}", describe(.0))]
    Invalid(FieldErrors),
    /// The request contradicts the current state (`practice_closed`, a taken name, ...).
    #[error("{}", .0.detail)]
    Conflict(Refusal),
    /// A limit of the company's plan is reached (`plan_limit_reached`).
    #[error("{}", .0.detail)]
    LimitReached(Refusal),
    /// An upload or a body beyond its size limit.
    #[error("{}", .0.detail)]
    TooLarge(Refusal),
    /// Too many attempts; try again after the given seconds.
    #[error("{}", .0.detail)]
    Throttled(Refusal, u64),
    /// The company's database cannot be reached.
    #[error("the company's database is unavailable")]
    Unavailable,
    /// The company's schema is behind this binary's: the fleet migrator has not reached it.
    #[error("the company's database is being upgraded")]
    Upgrading,
    /// A failure of the platform's mechanism (resolution, registry), mapped by the edge.
    #[error(transparent)]
    Tenancy(TenancyError),
    /// Anything else; the cause is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

smartdmv_tenancy::service_error_constructors!(ServiceError);

impl From<sea_orm::DbErr> for ServiceError {
    fn from(e: sea_orm::DbErr) -> Self {
        match classify(&e) {
            DbErrKind::UniqueViolation => ServiceError::unique_violation(),
            DbErrKind::Unavailable => ServiceError::Unavailable,
            DbErrKind::MissingSchema => {
                tracing::warn!(error = %e, "a statement needs a newer tenant schema");
                ServiceError::Upgrading
            }
            DbErrKind::Other => ServiceError::Internal(e.to_string()),
        }
    }
}

impl From<TenancyError> for ServiceError {
    fn from(e: TenancyError) -> Self {
        match e {
            TenancyError::Db(db) => db.into(),
            TenancyError::Unavailable => ServiceError::Unavailable,
            TenancyError::Invalid(fields) => ServiceError::Invalid(fields),
            TenancyError::NotFound(what) => ServiceError::NotFound(what),
            other => ServiceError::Tenancy(other),
        }
    }
}

/// Gives the conflict of a unique index its stable code and message.
pub trait ConflictAs<T> {
    fn conflict_as(self, code: &'static str, detail: &str) -> ServiceResult<T>;
}

impl<T> ConflictAs<T> for ServiceResult<T> {
    fn conflict_as(self, code: &'static str, detail: &str) -> ServiceResult<T> {
        self.map_err(|e| {
            if e.is_unique_violation() {
                ServiceError::conflict(code, detail)
            } else {
                e
            }
        })
    }
}
