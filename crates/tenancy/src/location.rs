//! Where one company's database lives, and how to connect to it.

use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::TenancyError;

/// A tenant database's address, with credentials where needed. Never logged whole.
#[derive(Clone)]
pub enum TenantLocation {
    Sqlite { path: PathBuf },
    Postgres { options: Box<PgConnectOptions> },
}

impl std::fmt::Debug for TenantLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "sqlite:{}", path.display()),
            Self::Postgres { options } => write!(
                f,
                "postgres://{}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or("")
            ),
        }
    }
}

/// The key under which connections are budgeted: one PostgreSQL server, or all SQLite files.
pub fn server_key_of(options: &PgConnectOptions) -> String {
    format!("{}:{}", options.get_host(), options.get_port())
}

impl TenantLocation {
    pub fn server_key(&self) -> String {
        match self {
            Self::Sqlite { .. } => "sqlite".into(),
            Self::Postgres { options } => server_key_of(options),
        }
    }

    /// Parses a `postgres://` or `sqlite://` URL given by an operator.
    pub fn from_url(url: &str) -> Result<Self, TenancyError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| TenancyError::invalid("databaseUrl", format!("{e}")))?;
            if options.get_database().is_none() {
                return Err(TenancyError::invalid("databaseUrl", "must name a database"));
            }
            Ok(Self::Postgres {
                options: Box::new(options),
            })
        } else if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or("");
            if path.is_empty() || path == ":memory:" {
                return Err(TenancyError::invalid("databaseUrl", "must name a file"));
            }
            Ok(Self::Sqlite {
                path: PathBuf::from(path),
            })
        } else {
            Err(TenancyError::invalid(
                "databaseUrl",
                "must start with postgres://, postgresql:// or sqlite://",
            ))
        }
    }

    /// Opens a pool of at most `max` connections and establishes the first one, so that a
    /// database that cannot be reached fails here. Idle closing and lifetime are the
    /// registry's business, not sqlx's.
    pub async fn connect(
        &self,
        max: u32,
        acquire_timeout: Duration,
    ) -> Result<DatabaseConnection, sea_orm::DbErr> {
        let err = |e: sea_orm::sqlx::Error| {
            sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into()))
        };
        match self {
            Self::Sqlite { path } => {
                let opts = sqlite_options(path.clone()).create_if_missing(false);
                let pool = SqlitePoolOptions::new()
                    .max_connections(max)
                    .min_connections(0)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .test_before_acquire(false)
                    .acquire_timeout(acquire_timeout)
                    .connect_with(opts)
                    .await
                    .map_err(err)?;
                Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
            }
            Self::Postgres { options } => {
                let pool = PgPoolOptions::new()
                    .max_connections(max)
                    .min_connections(0)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .test_before_acquire(false)
                    .acquire_timeout(acquire_timeout)
                    .connect_with((**options).clone())
                    .await
                    .map_err(err)?;
                Ok(SqlxPostgresConnector::from_sqlx_postgres_pool(pool))
            }
        }
    }
}

/// SQLite settings every tenant and owner file uses: WAL, normal sync, foreign keys and a
/// busy timeout.
pub fn sqlite_options(path: PathBuf) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_parsed_or_refused() {
        assert!(matches!(
            TenantLocation::from_url("postgres://u:p@db1:6543/acme"),
            Ok(TenantLocation::Postgres { .. })
        ));
        let loc = TenantLocation::from_url("postgres://u:p@db1:6543/acme").expect("pg");
        assert_eq!(loc.server_key(), "db1:6543");
        assert!(!format!("{loc:?}").contains(":p@"));
        assert!(TenantLocation::from_url("postgres://u:p@db1:6543").is_err());
        assert!(TenantLocation::from_url("mysql://x/y").is_err());
        assert!(TenantLocation::from_url("sqlite://:memory:").is_err());
        assert!(matches!(
            TenantLocation::from_url("sqlite:///tmp/a.db"),
            Ok(TenantLocation::Sqlite { .. })
        ));
    }
}
