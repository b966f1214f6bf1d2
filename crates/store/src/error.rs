//! Errors of the store layer.

use sea_orm::{DbErr, SqlErr};

/// Failures of repository functions.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Whether a database error is a unique-constraint violation, on either backend.
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}
