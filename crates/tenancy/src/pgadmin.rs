//! Administrative statements on a PostgreSQL server: creating, cloning and dropping
//! databases. These run on a short-lived connection to the server's `postgres` database,
//! because `CREATE DATABASE` cannot run inside a transaction or a tenant's own database.

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, Connection, Row};

use crate::TenancyError;

/// A connection for administrative statements on one server.
pub struct PgAdmin {
    conn: PgConnection,
}

/// Only names the platform generates are ever used in DDL: lowercase letters, digits and
/// underscores, starting with a letter, at most 63 bytes.
pub fn is_safe_ident(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn ident(name: &str) -> Result<String, TenancyError> {
    if is_safe_ident(name) {
        Ok(format!("\"{name}\""))
    } else {
        Err(TenancyError::Internal(format!(
            "refusing unsafe database name {name:?}"
        )))
    }
}

fn db_err(e: sqlx::Error) -> TenancyError {
    TenancyError::Db(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
        e.into(),
    )))
}

impl PgAdmin {
    /// Connects to the maintenance database (`postgres`) of the server in `server`.
    pub async fn connect(server: &PgConnectOptions) -> Result<Self, TenancyError> {
        let opts = server.clone().database("postgres");
        let conn = PgConnection::connect_with(&opts).await.map_err(db_err)?;
        Ok(Self { conn })
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }

    /// `Some(is_template)` when the database exists.
    pub async fn database_state(&mut self, name: &str) -> Result<Option<bool>, TenancyError> {
        let row = sqlx::query("SELECT datistemplate FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_optional(&mut self.conn)
            .await
            .map_err(db_err)?;
        Ok(row.map(|r| r.get::<bool, _>(0)))
    }

    /// Creates an empty database, or a clone of `template` when given.
    pub async fn create_database(
        &mut self,
        name: &str,
        template: Option<&str>,
    ) -> Result<(), TenancyError> {
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {} TEMPLATE {}", ident(name)?, ident(t)?),
            None => format!("CREATE DATABASE {}", ident(name)?),
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut self.conn)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Drops a database the platform created, disconnecting anyone still on it.
    pub async fn drop_database(&mut self, name: &str) -> Result<(), TenancyError> {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(name)?);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut self.conn)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Marks a database as a template nobody may connect to, or undoes that.
    pub async fn set_template(&mut self, name: &str, template: bool) -> Result<(), TenancyError> {
        let sql = format!(
            "ALTER DATABASE {} WITH IS_TEMPLATE {template} ALLOW_CONNECTIONS {}",
            ident(name)?,
            !template
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut self.conn)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// Holds a server-wide advisory lock for the life of this connection (or until
    /// [`PgAdmin::unlock`]), so that instances do not build the same template twice.
    pub async fn lock(&mut self, key: &str) -> Result<(), TenancyError> {
        sqlx::query("SELECT pg_advisory_lock(hashtext($1))")
            .bind(key)
            .execute(&mut self.conn)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    pub async fn unlock(&mut self, key: &str) -> Result<(), TenancyError> {
        sqlx::query("SELECT pg_advisory_unlock(hashtext($1))")
            .bind(key)
            .execute(&mut self.conn)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
