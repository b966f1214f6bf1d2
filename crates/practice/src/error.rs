//! The one error type of the tenant services. Each variant says what went wrong in the
//! service's words; the HTTP edge maps it once to problem+json and once to form errors.
//! Database errors are classified here, once: a unique violation is a [`ServiceError::Conflict`]
//! (give it its stable code with [`ConflictAs::conflict_as`]), a lost connection is
//! [`ServiceError::Unavailable`], a table or column this binary needs but the company's schema
//! lacks is [`ServiceError::Upgrading`].

use serde_json::{Map, Value};
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

fn describe(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(f, m)| format!("{f} {m}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
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

/// The code of a conflict raised by a unique index before a service names it.
pub const UNIQUE_VIOLATION: &str = "already_exists";

impl From<sea_orm::DbErr> for ServiceError {
    fn from(e: sea_orm::DbErr) -> Self {
        if smartdmv_store::is_unique_violation(&e) {
            ServiceError::conflict(
                UNIQUE_VIOLATION,
                "a record with these values already exists",
            )
        } else if smartdmv_tenancy::error::is_connection_error(&e) {
            ServiceError::Unavailable
        } else if is_missing_schema(&e) {
            tracing::warn!(error = %e, "a statement needs a newer tenant schema");
            ServiceError::Upgrading
        } else {
            ServiceError::Internal(e.to_string())
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

/// Whether a database error says a table or column does not exist: SQLite's result code
/// for an error in preparing (`1`) with its wording, PostgreSQL's SQLSTATE 42P01 / 42703.
fn is_missing_schema(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let (DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s))) = e else {
        return false;
    };
    let sqlx::Error::Database(db) = &**s else {
        return false;
    };
    match db.code().as_deref() {
        Some("42P01" | "42703") => true,
        Some("1") => {
            let m = db.message();
            m.starts_with("no such table") || m.starts_with("no such column")
        }
        _ => false,
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

impl From<smartdmv_domain::page::PageError> for ServiceError {
    /// A page request out of range: 400 `invalid_query`.
    fn from(e: smartdmv_domain::page::PageError) -> Self {
        ServiceError::bad_request("invalid_query", e.0)
    }
}
