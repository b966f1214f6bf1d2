//! The owner database handle. Owner code takes an [`OwnerDb`]; tenant code takes a
//! [`crate::TenantDb`]; the two never mix.

use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sea_orm::sqlx::sqlite::SqlitePoolOptions;
use sea_orm::{ConnectionTrait, SqlxPostgresConnector, SqlxSqliteConnector};
use sea_orm_migration::MigratorTrait;
use smartdmv_store::OwnerConnection;
use smartdmv_store::owner::OwnerMigrator;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::TenancyError;
use crate::location::sqlite_options;
use crate::pgadmin::{PgAdmin, is_safe_ident};

/// The platform's own database (`OWNER_DATABASE_URL`).
#[derive(Clone, Debug)]
pub struct OwnerDb {
    conn: OwnerConnection,
    url: String,
}

enum OwnerUrl {
    Sqlite(PathBuf),
    Postgres(Box<PgConnectOptions>),
}

fn parse(url: &str) -> Result<OwnerUrl, TenancyError> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let path = rest.split('?').next().unwrap_or("");
        if path.is_empty() {
            return Err(TenancyError::invalid(
                "OWNER_DATABASE_URL",
                "must name a file",
            ));
        }
        Ok(OwnerUrl::Sqlite(PathBuf::from(path)))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        PgConnectOptions::from_str(url)
            .map(|o| OwnerUrl::Postgres(Box::new(o)))
            .map_err(|e| TenancyError::invalid("OWNER_DATABASE_URL", e.to_string()))
    } else {
        Err(TenancyError::invalid(
            "OWNER_DATABASE_URL",
            "must start with sqlite:// or postgres://",
        ))
    }
}

fn conn_err(e: sea_orm::sqlx::Error) -> TenancyError {
    TenancyError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        e.into(),
    )))
}

impl OwnerDb {
    /// Connects, creating the SQLite file (and its folder) or the PostgreSQL database when
    /// it does not exist yet.
    pub async fn connect(url: &str) -> Result<Self, TenancyError> {
        let conn = match parse(url)? {
            OwnerUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        TenancyError::Internal(format!("create {}: {e}", dir.display()))
                    })?;
                }
                let pool = SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(sqlite_options(path).create_if_missing(true))
                    .await
                    .map_err(conn_err)?;
                SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
            }
            OwnerUrl::Postgres(opts) => {
                if let Some(name) = opts.get_database().map(str::to_owned)
                    && is_safe_ident(&name)
                {
                    let mut admin = PgAdmin::connect(&opts).await?;
                    if admin.database_state(&name).await?.is_none() {
                        // Another process may create it at the same moment: ignore that.
                        let _ = admin.create_database(&name, None).await;
                    }
                    admin.close().await;
                }
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(*opts)
                    .await
                    .map_err(conn_err)?;
                SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
            }
        };
        Ok(Self {
            conn: OwnerConnection::from_raw(conn),
            url: url.to_owned(),
        })
    }

    pub fn conn(&self) -> &OwnerConnection {
        &self.conn
    }

    /// Applies pending owner migrations. On PostgreSQL this runs on one dedicated connection
    /// holding an advisory lock, so that instances starting together migrate once.
    pub async fn migrate(&self) -> Result<(), TenancyError> {
        match parse(&self.url)? {
            OwnerUrl::Sqlite(_) => OwnerMigrator::up(self.conn.raw(), None).await?,
            OwnerUrl::Postgres(opts) => {
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(*opts)
                    .await
                    .map_err(conn_err)?;
                let db = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
                db.execute_unprepared(
                    "SELECT pg_advisory_lock(hashtext('smartdmv_owner_migrate'))",
                )
                .await?;
                let result = OwnerMigrator::up(&db, None).await;
                let _ = db
                    .execute_unprepared(
                        "SELECT pg_advisory_unlock(hashtext('smartdmv_owner_migrate'))",
                    )
                    .await;
                let _ = db.close().await;
                result?;
            }
        }
        Ok(())
    }

    /// Names of the owner migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, TenancyError> {
        Ok(OwnerMigrator::get_pending_migrations(&self.conn)
            .await?
            .iter()
            .map(|m| m.name().to_owned())
            .collect())
    }

    pub async fn ping(&self) -> bool {
        self.conn.raw().ping().await.is_ok()
    }

    pub async fn close(&self) {
        let _ = self.conn.raw().close_by_ref().await;
    }
}
