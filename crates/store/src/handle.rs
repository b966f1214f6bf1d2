//! The two kinds of database handle. A company's database is reached only through a
//! [`TenantConnection`] (or a [`TenantTransaction`] begun on one) and the platform's own
//! database only through an [`OwnerConnection`] (or [`OwnerTransaction`]). Tenant
//! repositories take `&impl TenantConn` and owner repositories `&impl OwnerConn`, so handing
//! one database's handle to the other side's repository does not compile. A transaction
//! is only had through `transaction(options, |tx| ...)` on a connection, which commits on
//! `Ok` and rolls back on `Err`: nothing else begins or commits one.

use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, Statement, TransactionTrait,
};

/// Told of every failed statement on a handle (the tenant registry retires a pool whose
/// connection broke, so the next request opens a fresh one).
pub type FailureObserver = Arc<dyn Fn(&DbErr) + Send + Sync>;

fn observed<T>(observer: &Option<FailureObserver>, r: Result<T, DbErr>) -> Result<T, DbErr> {
    if let (Err(e), Some(o)) = (&r, observer) {
        o(e);
    }
    r
}

mod sealed {
    pub trait Tenant {}
    pub trait Owner {}
}

/// A handle on one company's database: a pool or a transaction.
pub trait TenantConn: ConnectionTrait + sealed::Tenant {}

/// A handle on the owner database: a pool or a transaction.
pub trait OwnerConn: ConnectionTrait + sealed::Owner {}

macro_rules! delegate_connection {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl ConnectionTrait for $ty {
            fn get_database_backend(&self) -> DbBackend {
                self.0.get_database_backend()
            }

            async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
                observed(&self.1, self.0.execute_raw(stmt).await)
            }

            async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
                observed(&self.1, self.0.execute_unprepared(sql).await)
            }

            async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
                observed(&self.1, self.0.query_one_raw(stmt).await)
            }

            async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
                observed(&self.1, self.0.query_all_raw(stmt).await)
            }

            fn support_returning(&self) -> bool {
                self.0.support_returning()
            }
        }
    };
}

macro_rules! handle_pair {
    ($(#[$cm:meta])* $conn:ident, $(#[$tm:meta])* $tx:ident, $marker:ident, $trait:ident) => {
        $(#[$cm])*
        #[derive(Clone)]
        pub struct $conn(DatabaseConnection, Option<FailureObserver>);

        $(#[$tm])*
        pub struct $tx(DatabaseTransaction, Option<FailureObserver>);

        impl std::fmt::Debug for $conn {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($conn))
            }
        }

        impl $conn {
            /// Wraps a connection already known to reach this side's database. Only the code
            /// that opens the database (the registry, the owner handle, tests) calls this.
            pub fn from_raw(conn: DatabaseConnection) -> Self {
                Self(conn, None)
            }

            /// The same, telling `observer` of every failed statement (on this handle and
            /// on the transactions begun on it).
            pub fn observed(conn: DatabaseConnection, observer: FailureObserver) -> Self {
                Self(conn, Some(observer))
            }

            /// The untyped connection, for migrations and pool management.
            pub fn raw(&self) -> &DatabaseConnection {
                &self.0
            }

            /// Closes the pool.
            pub async fn close(self) -> Result<(), DbErr> {
                self.0.close().await
            }

            /// Runs `f` in one transaction on this database: begins it (with `options` when
            /// given: SQLite `BEGIN IMMEDIATE`, an isolation level), hands `f` the
            /// transaction, commits when `f` returns `Ok` and rolls back when it returns
            /// `Err`. This is the only place a transaction begins or commits.
            ///
            /// `f` may clone the transaction into the futures it runs, but none may keep it
            /// beyond `f`'s own future: if one does, nothing is committed and the call fails.
            pub async fn transaction<T, E, F, Fut>(
                &self,
                options: Option<sea_orm::TransactionOptions>,
                f: F,
            ) -> Result<T, E>
            where
                E: From<DbErr>,
                F: FnOnce(Arc<$tx>) -> Fut,
                Fut: std::future::Future<Output = Result<T, E>>,
            {
                let begun = match options {
                    Some(o) => self.0.begin_with_options(o).await,
                    None => self.0.begin().await,
                };
                let tx = Arc::new($tx(observed(&self.1, begun)?, self.1.clone()));
                let out = f(tx.clone()).await;
                let tx = Arc::try_unwrap(tx)
                    .map_err(|_| DbErr::Custom("a transaction outlived its closure".into()))?;
                match out {
                    Ok(v) => {
                        observed(&tx.1, tx.0.commit().await)?;
                        Ok(v)
                    }
                    Err(e) => {
                        // Dropping rolls back as well; rolling back now returns the
                        // connection sooner.
                        let _ = tx.0.rollback().await;
                        Err(e)
                    }
                }
            }
        }

        impl std::fmt::Debug for $tx {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($tx))
            }
        }

        delegate_connection!($conn);
        delegate_connection!($tx);
        impl sealed::$marker for $conn {}
        impl sealed::$marker for $tx {}
        impl $trait for $conn {}
        impl $trait for $tx {}
    };
}

handle_pair!(
    /// A pool of one company's database.
    TenantConnection,
    /// A transaction on one company's database, handed out by [`TenantConnection::transaction`].
    TenantTransaction,
    Tenant,
    TenantConn
);

handle_pair!(
    /// A pool of the owner database.
    OwnerConnection,
    /// A transaction on the owner database, handed out by [`OwnerConnection::transaction`].
    OwnerTransaction,
    Owner,
    OwnerConn
);
