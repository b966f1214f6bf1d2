//! What both service crates' error types are made of: the refusal with a stable code, field
//! errors, the generic code of a unique violation, and the one classification of database
//! errors. `smartdmv-practice`'s `ServiceError` and `smartdmv-platform`'s `PlatformError`
//! keep their own variants and answers; [`service_error_constructors!`] gives both the same
//! constructors.

use serde_json::{Map, Value};

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

/// Field errors as one line: `field message; field message`.
pub fn describe(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(f, m)| format!("{f} {m}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The code of a conflict raised by a unique index before a service names it.
pub const UNIQUE_VIOLATION: &str = "already_exists";

/// The detail of a conflict raised by a unique index before a service names it.
pub const UNIQUE_VIOLATION_DETAIL: &str = "a record with these values already exists";

/// What a database error means to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrKind {
    /// A unique index refused the row.
    UniqueViolation,
    /// The connection (not the statement) failed.
    Unavailable,
    /// A table or column the statement needs does not exist (the schema is behind).
    MissingSchema,
    /// Anything else.
    Other,
}

/// Classifies a database error, the same way on both backends.
pub fn classify(e: &sea_orm::DbErr) -> DbErrKind {
    if smartdmv_store::is_unique_violation(e) {
        DbErrKind::UniqueViolation
    } else if crate::error::is_connection_error(e) {
        DbErrKind::Unavailable
    } else if is_missing_schema(e) {
        DbErrKind::MissingSchema
    } else {
        DbErrKind::Other
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

/// The constructors both service error enums share, for an enum with the variants
/// `Invalid(FieldErrors)`, `Conflict`, `Forbidden`, `BadRequest`, `Unauthenticated` (each of a
/// [`Refusal`]) and `Internal(String)`; also its `From<PageError>` (400 `invalid_query`).
#[macro_export]
macro_rules! service_error_constructors {
    ($error:ident) => {
        impl $error {
            /// One field error.
            pub fn invalid(field: &str, message: impl Into<String>) -> Self {
                Self::Invalid(vec![(field.to_owned(), message.into())])
            }

            pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
                Self::Conflict($crate::refusal::Refusal::new(code, detail))
            }

            pub fn forbidden(code: &'static str, detail: impl Into<String>) -> Self {
                Self::Forbidden($crate::refusal::Refusal::new(code, detail))
            }

            pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
                Self::BadRequest($crate::refusal::Refusal::new(code, detail))
            }

            pub fn unauthenticated(code: &'static str, detail: impl Into<String>) -> Self {
                Self::Unauthenticated($crate::refusal::Refusal::new(code, detail))
            }

            pub fn internal(cause: impl std::fmt::Display) -> Self {
                Self::Internal(cause.to_string())
            }

            /// Whether this is the conflict a unique index raised (not yet given its own
            /// code).
            pub fn is_unique_violation(&self) -> bool {
                matches!(self, Self::Conflict(r) if r.code == $crate::refusal::UNIQUE_VIOLATION)
            }

            /// The conflict a unique index raised, before a service names it.
            fn unique_violation() -> Self {
                Self::conflict(
                    $crate::refusal::UNIQUE_VIOLATION,
                    $crate::refusal::UNIQUE_VIOLATION_DETAIL,
                )
            }
        }

        impl From<smartdmv_domain::page::PageError> for $error {
            /// A page request out of range: 400 `invalid_query`.
            fn from(e: smartdmv_domain::page::PageError) -> Self {
                Self::bad_request("invalid_query", e.0)
            }
        }
    };
}
