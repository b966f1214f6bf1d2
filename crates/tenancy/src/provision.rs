//! Provisioning a company's database as a resumable saga recorded in the owner database:
//! row (`PROVISIONING`) -> database -> schema -> seed -> `ACTIVE`.
//!
//! SQLite tenants are copies of a migrated template file; PostgreSQL tenants are clones of a
//! migrated template database (`CREATE DATABASE ... TEMPLATE`), with create-and-migrate as
//! the fallback; an explicit `databaseUrl` must be empty or already carry our schema. A
//! failure at any step marks the company `FAILED` with the reason and removes the database
//! the platform created for it; a database the operator supplied is never dropped. Running
//! the saga again on a `FAILED` (or interrupted) company completes it.

use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use sea_orm_migration::MigratorTrait;
use smartdmv_domain::{CompanyId, CompanyStatus, PracticeId, TenantRole, UserId};
use smartdmv_store::TenantConnection;
use smartdmv_store::owner::{audit, company};
use smartdmv_store::tenant::{self as tstore, TenantMigrator};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

use crate::location::{TenantLocation, server_key_of, sqlite_options};
use crate::pgadmin::PgAdmin;
use crate::secret::{SecretBox, redact_url};
use crate::{OwnerDb, TenancyConfig, TenancyError};

/// The steps of the saga, named so tests can inject a failure right after each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Before anything is created.
    Start,
    /// After the database exists.
    Database,
    /// After the schema is migrated.
    Schema,
    /// After the default practice and first administrator are written, before activation.
    Seed,
}

/// Fails the saga once at a chosen step. Only reachable from Rust (tests), never from
/// configuration or HTTP.
#[derive(Debug, Default, Clone)]
pub struct FaultInjector(Arc<Mutex<Option<Step>>>);

impl FaultInjector {
    pub fn fail_once_at(&self, step: Step) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(step);
    }

    fn check(&self, step: Step) -> Result<(), TenancyError> {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if *slot == Some(step) {
            *slot = None;
            return Err(TenancyError::Internal(format!(
                "injected failure after step {step:?}"
            )));
        }
        Ok(())
    }
}

/// A `PROVISIONING` company untouched for this long is taken as abandoned and may be retried.
pub const STALE_PROVISIONING: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// Key in a company's settings under which the saga keeps its seed until it has run.
pub const PENDING_SEED: &str = "pendingSeed";

/// What to write into a new company's database.
#[derive(Debug, Clone)]
pub struct Seed {
    pub practice_name: String,
    pub practice_email: Option<String>,
    pub practice_phone: Option<String>,
    /// The first `ADMINISTRATOR`: email, name and an argon2id hash.
    pub admin: Option<SeedAdmin>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedAdmin {
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

impl Seed {
    /// The seed of a company: its default practice is named after it, and the first
    /// administrator comes from the pending seed recorded at creation.
    pub fn from_row(row: &company::Model) -> Self {
        let admin = row
            .settings
            .get(PENDING_SEED)
            .and_then(|p| p.get("admin"))
            .and_then(|a| serde_json::from_value(a.clone()).ok());
        Seed {
            practice_name: row.name.clone(),
            practice_email: Some(row.contact_email.clone()),
            practice_phone: row.contact_phone.clone(),
            admin,
        }
    }

    /// The settings value recording a pending seed for `admin`.
    pub fn pending(admin: Option<&SeedAdmin>) -> serde_json::Value {
        serde_json::json!({ "admin": admin })
    }
}

/// Where a new company's database goes.
#[derive(Debug, Clone)]
pub enum Placement {
    /// A SQLite file under `DATA_DIR/tenants`.
    ManagedSqlite,
    /// A database on one of the configured PostgreSQL servers (index into `pg_servers`).
    ManagedPostgres(usize),
    /// An operator-supplied URL.
    Explicit(String),
}

/// Runs the saga and knows where every company's database lives.
#[derive(Clone)]
pub struct Provisioner {
    cfg: TenancyConfig,
    secrets: SecretBox,
    pub faults: FaultInjector,
    template_lock: Arc<tokio::sync::Mutex<()>>,
}

impl Provisioner {
    pub fn new(cfg: TenancyConfig, secrets: SecretBox) -> Self {
        Self {
            cfg,
            secrets,
            faults: FaultInjector::default(),
            template_lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    pub fn config(&self) -> &TenancyConfig {
        &self.cfg
    }

    pub fn secrets(&self) -> &SecretBox {
        &self.secrets
    }

    /// Name of the database (or file) the platform creates for a company.
    pub fn managed_db_name(&self, id: CompanyId) -> String {
        format!("{}{}", self.cfg.pg_db_prefix, id.0.simple())
    }

    fn sqlite_file_name(id: CompanyId) -> String {
        format!("{}.db", id.0.simple())
    }

    fn template_version_name(&self) -> String {
        format!(
            "{}template_v{}",
            self.cfg.pg_db_prefix,
            TenantMigrator::latest_version()
        )
    }

    fn pg_server(&self, index: usize) -> Result<PgConnectOptions, TenancyError> {
        let url = self
            .cfg
            .pg_servers
            .get(index)
            .ok_or_else(|| TenancyError::Internal("no such database server".into()))?;
        PgConnectOptions::from_str(url)
            .map_err(|e| TenancyError::Internal(format!("TENANT_DATABASE_SERVER: {e}")))
    }

    /// The configured server whose key (`host:port`) matches.
    fn pg_server_by_key(&self, key: &str) -> Option<PgConnectOptions> {
        self.cfg.pg_servers.iter().find_map(|u| {
            PgConnectOptions::from_str(u)
                .ok()
                .filter(|o| server_key_of(o) == key)
        })
    }

    /// Where a registered company's database lives, with credentials.
    pub fn location_of(&self, c: &company::Model) -> Result<TenantLocation, TenancyError> {
        if let Some(sealed) = &c.db_url_enc {
            let url = self.secrets.decrypt(sealed).ok_or_else(|| {
                TenancyError::NotReady(
                    "database credentials cannot be decrypted with the configured secret key"
                        .into(),
                )
            })?;
            return TenantLocation::from_url(&url);
        }
        match c.db_backend.as_str() {
            "sqlite" => Ok(TenantLocation::Sqlite {
                path: self.cfg.tenants_dir().join(&c.db_name),
            }),
            "postgres" => {
                let key = c.db_server.as_deref().unwrap_or_default();
                let server = self.pg_server_by_key(key).ok_or_else(|| {
                    TenancyError::NotReady(format!("database server {key} is not configured"))
                })?;
                Ok(TenantLocation::Postgres {
                    options: Box::new(server.database(&c.db_name)),
                })
            }
            other => Err(TenancyError::NotReady(format!("unknown backend {other}"))),
        }
    }

    /// Fills the database fields of a new company row for its placement.
    pub fn place(
        &self,
        row: &mut company::Model,
        placement: &Placement,
    ) -> Result<(), TenancyError> {
        let id = row.id;
        match placement {
            Placement::ManagedSqlite => {
                row.db_backend = "sqlite".into();
                row.db_server = None;
                row.db_name = Self::sqlite_file_name(id);
                row.db_url_enc = None;
            }
            Placement::ManagedPostgres(i) => {
                let server = self.pg_server(*i)?;
                row.db_backend = "postgres".into();
                row.db_server = Some(server_key_of(&server));
                row.db_name = self.managed_db_name(id);
                row.db_url_enc = None;
            }
            Placement::Explicit(url) => {
                let loc = TenantLocation::from_url(url)?;
                match &loc {
                    TenantLocation::Sqlite { path } => {
                        row.db_backend = "sqlite".into();
                        row.db_server = None;
                        row.db_name = path.display().to_string();
                    }
                    TenantLocation::Postgres { options } => {
                        row.db_backend = "postgres".into();
                        row.db_server = Some(server_key_of(options));
                        row.db_name = options.get_database().unwrap_or_default().to_owned();
                    }
                }
                row.db_url_enc = Some(self.secrets.encrypt(url));
            }
        }
        Ok(())
    }

    /// Checks an operator-supplied database before any row is written: it must be reachable
    /// and either empty or already carry a schema this binary knows.
    pub async fn preflight_explicit(&self, url: &str) -> Result<(), TenancyError> {
        let loc = TenantLocation::from_url(url)?;
        if let TenantLocation::Sqlite { path } = &loc
            && !path.exists()
        {
            return Err(TenancyError::invalid(
                "databaseUrl",
                "the SQLite file does not exist; create it empty first",
            ));
        }
        let db = tokio::time::timeout(
            Duration::from_secs(10),
            loc.connect(1, Duration::from_secs(10)),
        )
        .await
        .map_err(|_| TenancyError::invalid("databaseUrl", "the database did not answer in time"))?
        .map_err(|e| {
            TenancyError::invalid(
                "databaseUrl",
                format!(
                    "cannot connect to {}: {}",
                    redact_url(url),
                    first_line(&e.to_string())
                ),
            )
        })?;
        let result = check_empty_or_ours(&db).await;
        let _ = db.close().await;
        result
    }

    /// Runs the saga for a company this caller has just registered in `PROVISIONING`.
    pub async fn provision_new(
        &self,
        owner: &OwnerDb,
        id: CompanyId,
    ) -> Result<company::Model, TenancyError> {
        let row = company::get(owner.conn(), id).await?;
        if row.status != CompanyStatus::Provisioning {
            return Err(TenancyError::Conflict {
                code: "not_provisioning",
                message: format!("company is {}, not awaiting provisioning", row.status),
            });
        }
        self.run_saga(owner, row).await
    }

    /// Runs the saga again for a `FAILED` company, or for one left in `PROVISIONING` for
    /// longer than [`STALE_PROVISIONING`] by a process that died. Concurrent retries of the
    /// same company cannot both run: the first claims it, the others get a conflict.
    pub async fn retry(
        &self,
        owner: &OwnerDb,
        id: CompanyId,
    ) -> Result<company::Model, TenancyError> {
        let row = company::get(owner.conn(), id).await?;
        let stale_before = smartdmv_store::now() - STALE_PROVISIONING;
        if !company::claim_for_provisioning(owner.conn(), id, stale_before).await? {
            return Err(TenancyError::Conflict {
                code: "not_provisioning",
                message: format!(
                    "company is {}; only a failed (or long-stalled) provisioning can be retried",
                    row.status
                ),
            });
        }
        let row = company::get(owner.conn(), id).await?;
        self.run_saga(owner, row).await
    }

    async fn run_saga(
        &self,
        owner: &OwnerDb,
        row: company::Model,
    ) -> Result<company::Model, TenancyError> {
        let id = row.id;
        let seed = Seed::from_row(&row);
        match self.run_steps(&row, &seed).await {
            Ok(version) => {
                // The pending seed (it may hold a password hash) is not kept once used.
                let mut done = company::get(owner.conn(), id).await?;
                if let Some(obj) = done.settings.as_object_mut() {
                    obj.remove(PENDING_SEED);
                }
                done.schema_version = version;
                done.status = CompanyStatus::Active;
                done.provision_error = None;
                company::update(owner.conn(), done).await?;
                audit::append(
                    owner.conn(),
                    audit::Entry {
                        actor: "system",
                        action: "company.provisioned",
                        company: Some(id),
                        detail: serde_json::json!({"schemaVersion": version, "backend": row.db_backend}),
                        ip: None,
                    },
                )
                .await?;
                Ok(company::get(owner.conn(), id).await?)
            }
            Err(e) => {
                let reason = first_line(&e.to_string());
                let cleanup = self.remove_managed_database(&row).await;
                let reason = match cleanup {
                    Ok(()) => reason,
                    Err(c) => format!("{reason}; cleanup failed: {}", first_line(&c.to_string())),
                };
                tracing::warn!(company.id = %id, reason = %reason, "provisioning failed");
                company::set_status(
                    owner.conn(),
                    id,
                    CompanyStatus::Failed,
                    Some(reason.clone()),
                )
                .await?;
                audit::append(
                    owner.conn(),
                    audit::Entry {
                        actor: "system",
                        action: "company.provisioning_failed",
                        company: Some(id),
                        detail: serde_json::json!({"reason": reason}),
                        ip: None,
                    },
                )
                .await?;
                Err(TenancyError::ProvisioningFailed {
                    company: id,
                    reason,
                })
            }
        }
    }

    async fn run_steps(&self, row: &company::Model, seed: &Seed) -> Result<i32, TenancyError> {
        self.faults.check(Step::Start)?;
        let loc = self.location_of(row)?;
        let managed = row.db_url_enc.is_none();
        if managed {
            match &loc {
                TenantLocation::Sqlite { path } => self.create_sqlite(path).await?,
                TenantLocation::Postgres { options } => self.create_pg(options).await?,
            }
        } else if let TenantLocation::Sqlite { path } = &loc
            && !path.exists()
        {
            return Err(TenancyError::Internal(
                "the SQLite file does not exist".into(),
            ));
        }
        self.faults.check(Step::Database)?;

        let db = loc.connect(1, Duration::from_secs(10)).await?;
        let result = async {
            if !managed {
                check_empty_or_ours(&db).await?;
            }
            TenantMigrator::up(&db, None).await?;
            let version = TenantMigrator::current_version(&db).await?;
            self.faults.check(Step::Schema)?;
            seed_company(&TenantConnection::from_raw(db.clone()), seed).await?;
            self.faults.check(Step::Seed)?;
            Ok::<_, TenancyError>(version)
        }
        .await;
        let _ = db.close().await;
        result
    }

    /// Removes the database the platform created for this company, if any. Operator-supplied
    /// databases are never touched.
    pub async fn remove_managed_database(&self, row: &company::Model) -> Result<(), TenancyError> {
        if row.db_url_enc.is_some() {
            return Ok(());
        }
        match self.location_of(row)? {
            TenantLocation::Sqlite { path } => {
                for p in [
                    path.clone(),
                    with_suffix(&path, "-wal"),
                    with_suffix(&path, "-shm"),
                ] {
                    match std::fs::remove_file(&p) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(TenancyError::Internal(format!(
                                "remove {}: {e}",
                                p.display()
                            )));
                        }
                    }
                }
                Ok(())
            }
            TenantLocation::Postgres { options } => {
                let name = options.get_database().unwrap_or_default().to_owned();
                let mut admin = PgAdmin::connect(&options).await?;
                let r = admin.drop_database(&name).await;
                admin.close().await;
                r
            }
        }
    }

    async fn create_sqlite(&self, path: &Path) -> Result<(), TenancyError> {
        let template = self.sqlite_template().await?;
        let path = path.to_owned();
        tokio::task::spawn_blocking(move || copy_durably(&template, &path))
            .await
            .map_err(|e| TenancyError::Internal(e.to_string()))?
    }

    /// The migrated template file for the current schema version, built once.
    pub async fn sqlite_template(&self) -> Result<PathBuf, TenancyError> {
        let dir = self.cfg.templates_dir();
        let path = dir.join(format!("tenant-v{}.db", TenantMigrator::latest_version()));
        if path.exists() {
            return Ok(path);
        }
        let _guard = self.template_lock.lock().await;
        if path.exists() {
            return Ok(path);
        }
        std::fs::create_dir_all(&dir).map_err(|e| TenancyError::Internal(format!("{e}")))?;
        std::fs::create_dir_all(self.cfg.tenants_dir())
            .map_err(|e| TenancyError::Internal(format!("{e}")))?;
        let tmp = dir.join(format!(
            "tenant-v{}.db.{}.tmp",
            TenantMigrator::latest_version(),
            Uuid::now_v7().simple()
        ));
        let pool = sea_orm::sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(sqlite_options(tmp.clone()).create_if_missing(true))
            .await
            .map_err(|e| TenancyError::Internal(e.to_string()))?;
        let db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
        let r = async {
            TenantMigrator::up(&db, None).await?;
            db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
                .await?;
            Ok::<_, TenancyError>(())
        }
        .await;
        let _ = db.close().await;
        r?;
        let _ = std::fs::remove_file(with_suffix(&tmp, "-wal"));
        let _ = std::fs::remove_file(with_suffix(&tmp, "-shm"));
        std::fs::rename(&tmp, &path).map_err(|e| TenancyError::Internal(e.to_string()))?;
        Ok(path)
    }

    async fn create_pg(&self, options: &PgConnectOptions) -> Result<(), TenancyError> {
        let name = options.get_database().unwrap_or_default().to_owned();
        let template = match self.pg_template(options).await {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!(error = %e, "template database unavailable; creating and migrating instead");
                None
            }
        };
        let mut admin = PgAdmin::connect(options).await?;
        let r = async {
            if admin.database_state(&name).await?.is_some() {
                // Left by an interrupted attempt for this same company (the name holds its id).
                return Ok(());
            }
            match template {
                Some(t) => match admin.create_database(&name, Some(&t)).await {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        tracing::warn!(error = %e, "template clone failed; creating an empty database");
                        admin.create_database(&name, None).await
                    }
                },
                None => admin.create_database(&name, None).await,
            }
        }
        .await;
        admin.close().await;
        r
    }

    /// The migrated, connection-less template database for the current schema version on
    /// this server, built once under an advisory lock.
    pub async fn pg_template(&self, server: &PgConnectOptions) -> Result<String, TenancyError> {
        let name = self.template_version_name();
        let mut admin = PgAdmin::connect(server).await?;
        if admin.database_state(&name).await? == Some(true) {
            admin.close().await;
            return Ok(name);
        }
        let _guard = self.template_lock.lock().await;
        let lock_key = format!("smartdmv_template:{name}");
        admin.lock(&lock_key).await?;
        let r = async {
            match admin.database_state(&name).await? {
                Some(true) => return Ok(()),
                // A template whose build was interrupted: it is ours and holds no data.
                Some(false) => admin.drop_database(&name).await?,
                None => {}
            }
            admin.create_database(&name, None).await?;
            let loc = TenantLocation::Postgres {
                options: Box::new(server.clone().database(&name)),
            };
            let db = loc.connect(1, Duration::from_secs(10)).await?;
            let m = TenantMigrator::up(&db, None).await;
            let _ = db.close().await;
            m?;
            admin.set_template(&name, true).await
        }
        .await;
        let _ = admin.unlock(&lock_key).await;
        admin.close().await;
        r.map(|()| name)
    }
}

/// Inserts the default practice and the first administrator when they are missing, in one
/// transaction with their audit entries.
async fn seed_company(db: &TenantConnection, seed: &Seed) -> Result<(), TenancyError> {
    db.transaction(None, |txn| async move {
        let txn = &*txn;
        let now = smartdmv_store::now();
        let practice_id = match tstore::practice::list(txn).await?.first() {
            Some(p) => p.id,
            None => {
                let p = tstore::practice::insert(
                    txn,
                    tstore::practice::Model {
                        id: PracticeId::new(),
                        name: seed.practice_name.clone(),
                        address: None,
                        phone: seed.practice_phone.clone(),
                        email: seed.practice_email.clone(),
                        time_zone: "UTC".into(),
                        currency: "USD".into(),
                        opening_hours: default_opening_hours(),
                        allow_client_signup: false,
                        is_head_office: true,
                        tax_rate_bp: 0,
                        active: true,
                        record_lock_hours: smartdmv_domain::clinical::DEFAULT_RECORD_LOCK_HOURS,
                        portal_shows_notes: false,
                        created_at: now,
                        updated_at: now,
                    },
                )
                .await?;
                tstore::audit::append(
                    txn,
                    tstore::audit::Entry {
                        actor_id: None,
                        actor: "system:provisioning",
                        action: "create",
                        entity: "practice",
                        entity_id: Some(p.id.into()),
                        practice_id: Some(p.id),
                        before: None,
                        after: Some(serde_json::json!({"name": p.name})),
                        ip: None,
                    },
                )
                .await?;
                p.id
            }
        };
        if let Some(admin) = &seed.admin
            && tstore::user::find_by_email(txn, &admin.email)
                .await?
                .is_none()
        {
            let u = tstore::user::insert(
                txn,
                tstore::user::Model {
                    id: UserId::new(),
                    email: admin.email.clone(),
                    name: admin.name.clone(),
                    password_hash: admin.password_hash.clone(),
                    role: TenantRole::Administrator,
                    practice_id: Some(practice_id),
                    active: true,
                    created_at: now,
                    updated_at: now,
                    invitation_hash: None,
                    invitation_expires_at: None,
                },
            )
            .await?;
            tstore::audit::append(
                txn,
                tstore::audit::Entry {
                    actor_id: None,
                    actor: "system:provisioning",
                    action: "create",
                    entity: "user",
                    entity_id: Some(u.id.into()),
                    practice_id: Some(practice_id),
                    before: None,
                    after: Some(serde_json::json!({"email": u.email, "role": u.role})),
                    ip: None,
                },
            )
            .await?;
        }
        Ok(())
    })
    .await
}

/// Monday to Friday 08:00-18:00, Saturday 09:00-13:00.
pub fn default_opening_hours() -> serde_json::Value {
    serde_json::json!({
        "mon": [["08:00", "18:00"]], "tue": [["08:00", "18:00"]], "wed": [["08:00", "18:00"]],
        "thu": [["08:00", "18:00"]], "fri": [["08:00", "18:00"]], "sat": [["09:00", "13:00"]],
        "sun": []
    })
}

/// An operator-supplied database must hold no tables, or our tenant schema.
async fn check_empty_or_ours(db: &DatabaseConnection) -> Result<(), TenancyError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String>("", "name").ok())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    if names.iter().any(|n| n == "tenant_migrations") {
        return TenantMigrator::current_version(db)
            .await
            .map(|_| ())
            .map_err(|e| TenancyError::invalid("databaseUrl", e.to_string()));
    }
    Err(TenancyError::invalid(
        "databaseUrl",
        format!(
            "the database is not empty and holds no SmartDMV schema ({} tables)",
            names.len()
        ),
    ))
}

/// Copies `from` to `to` through a temporary name, syncing the file and its folder, so that
/// `to` is either absent or a complete copy.
fn copy_durably(from: &Path, to: &Path) -> Result<(), TenancyError> {
    let io = |e: std::io::Error| TenancyError::Internal(format!("copy template: {e}"));
    if to.exists() {
        return Ok(());
    }
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = with_suffix(to, ".tmp");
    std::fs::copy(from, &tmp).map_err(io)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(&tmp, to).map_err(io)?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io)?;
    Ok(())
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(500).collect()
}
