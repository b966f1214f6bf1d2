//! Test support shared by the integration tests of the store, the tenant services and the
//! server: which database engine a test runs on ([`Backend`]), the [`both_backends!`] macro
//! that runs every test on both, and a fresh, migrated company database ([`TestDb`]).
//! A dev-dependency only; nothing here is part of the product.

#![allow(clippy::unwrap_used)]

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use smartdmv_store::TenantConnection;
use smartdmv_store::tenant::TenantMigrator;
use std::time::Duration;
use uuid::Uuid;

/// Which database engine a test runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// A PostgreSQL server URL without a database name.
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL backend when `SMARTDMV_TEST_PG_URL` is set. With
    /// `SMARTDMV_TEST_REQUIRE_PG=1` (CI) a missing URL fails the test instead of skipping.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("SMARTDMV_TEST_PG_URL") {
            Ok(u) if !u.is_empty() => Some(Backend::Postgres(u.trim_end_matches('/').to_owned())),
            _ => {
                assert!(
                    std::env::var("SMARTDMV_TEST_REQUIRE_PG").as_deref() != Ok("1"),
                    "SMARTDMV_TEST_REQUIRE_PG=1 but SMARTDMV_TEST_PG_URL is not set"
                );
                None
            }
        }
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Backend::Postgres(_))
    }
}

/// Declares `mod name { sqlite(), postgres() }` for each async test function `name(Backend)`,
/// so that every test runs as `<name>::sqlite` and `<name>::postgres` (CI counts both halves
/// and fails when they differ). Without `SMARTDMV_TEST_PG_URL` the PostgreSQL half says
/// `postgres half not run` and passes, unless `SMARTDMV_TEST_REQUIRE_PG=1`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::Backend::postgres() {
                        Some(b) => super::$name(b).await,
                        None => eprintln!("postgres half not run: SMARTDMV_TEST_PG_URL is not set"),
                    }
                }
            }
        )*
    };
}

/// A fresh company database migrated to the latest tenant schema: a SQLite file in a
/// temporary folder, or a PostgreSQL database `smt_testdb_<random>` created for the test and
/// dropped when it ends (even on a panic).
pub struct TestDb {
    pub db: TenantConnection,
    /// The database's URL (`sqlite://...` or `postgres://.../<name>`), to reach it as the
    /// application would.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// The server URL and the database's name, to drop it.
    pg: Option<(String, String)>,
}

/// A small pool on `url`.
pub async fn connect(url: &str) -> DatabaseConnection {
    let mut o = ConnectOptions::new(url.to_owned());
    o.max_connections(4)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(o).await.unwrap()
}

impl TestDb {
    pub async fn open(b: Backend) -> TestDb {
        let (url, dir, pg) = match b {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("tenant.db");
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Some(dir),
                    None,
                )
            }
            Backend::Postgres(server) => {
                // The random tail of a v7 id (its head is the clock).
                let name = format!("smt_testdb_{}", &Uuid::now_v7().simple().to_string()[20..]);
                let admin = connect(&format!("{server}/postgres")).await;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap();
                let _ = admin.close().await;
                (format!("{server}/{name}"), None, Some((server, name)))
            }
        };
        let raw = connect(&url).await;
        TenantMigrator::up(&raw, None).await.unwrap();
        TestDb {
            db: TenantConnection::from_raw(raw),
            url,
            _dir: dir,
            pg,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.pg.take() else {
            return;
        };
        let db = self.db.clone();
        // A runtime of its own: drop may run inside the test's runtime, which cannot block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let _ = db.close().await;
                let admin = connect(&format!("{server}/postgres")).await;
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
                let _ = admin.close().await;
            });
        })
        .join();
    }
}
