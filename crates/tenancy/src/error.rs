//! Errors of the tenancy layer, each meaning one answer at the HTTP edge.

use smartdmv_store::StoreError;

/// Why a tenancy operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    /// The company does not exist (or is archived): 404 `unknown_company`.
    #[error("unknown company")]
    UnknownCompany,
    /// 403 `company_suspended`.
    #[error("company is suspended")]
    Suspended,
    /// 400: the host and `X-Company-Id` name different companies.
    #[error("the host and the X-Company-Id header name different companies")]
    ContextConflict,
    /// 503 with `Retry-After`: provisioning, failed provisioning or maintenance.
    #[error("company is not ready: {0}")]
    NotReady(String),
    /// 503: the company's database cannot be reached right now; other companies are fine.
    #[error("company database is unavailable")]
    Unavailable,
    /// 503: every connection of the company's database server is busy.
    #[error("database server is at its connection budget")]
    Busy,
    /// 422: input that breaks rules, as (field, message) pairs.
    #[error("invalid input: {}", .0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(String, String)>),
    /// 409 with a stable code.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Provisioning failed; the company is `FAILED` and may be retried.
    #[error("provisioning failed: {reason}")]
    ProvisioningFailed {
        company: smartdmv_domain::CompanyId,
        reason: String,
    },
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Internal(String),
}

impl TenancyError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![(field.to_owned(), message.into())])
    }
}

impl From<StoreError> for TenancyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict("subdomain") => Self::Conflict {
                code: "subdomain_taken",
                message: "subdomain is already taken".into(),
            },
            StoreError::Conflict("domain") => Self::Conflict {
                code: "domain_taken",
                message: "domain is already registered".into(),
            },
            StoreError::Conflict(what) => Self::Conflict {
                code: "conflict",
                message: format!("{what} already exists"),
            },
            StoreError::Db(e) => Self::Db(e),
        }
    }
}

/// Whether a database error means the connection (not the statement) failed: the server is
/// gone, the database cannot be opened, or the pool timed out.
pub fn is_connection_error(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let sqlx_err = match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(s)) | DbErr::Query(RuntimeErr::SqlxError(s)) => s,
        _ => return false,
    };
    match &**sqlx_err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            // admin_shutdown, crash_shutdown, cannot_connect_now, invalid_catalog_name,
            // SQLite's SQLITE_CANTOPEN and SQLITE_NOTADB.
            matches!(
                db.code().as_deref(),
                Some("57P01" | "57P02" | "57P03" | "3D000" | "14" | "26")
            )
        }
        _ => false,
    }
}
