//! Floors measured beside the server, and the PostgreSQL side jobs: the template clone and
//! file copy floors of provisioning, `SELECT 1` loops, the `pg_stat_activity` sampler and
//! the final clean-up.

use anyhow::{Context, Result, bail};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode};
use sea_orm::sqlx::{self, Connection};
use smartdmv_tenancy::pgadmin::is_safe_ident;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::load::Latencies;

/// A connection to the server's `postgres` database.
pub async fn pg_admin(server: &PgConnectOptions) -> Result<PgConnection> {
    PgConnection::connect_with(&server.clone().database("postgres"))
        .await
        .context("connect to the postgres database")
}

fn quoted(name: &str) -> Result<String> {
    if !is_safe_ident(name) {
        bail!("refusing database name {name:?}");
    }
    Ok(format!("\"{name}\""))
}

async fn exec(conn: &mut PgConnection, sql: String) -> Result<()> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(conn)
        .await?;
    Ok(())
}

/// `CREATE DATABASE <name> TEMPLATE <template>`, timed; the clone is dropped afterwards
/// (not timed).
pub async fn pg_clone_floor(
    admin: &mut PgConnection,
    template: &str,
    name: &str,
) -> Result<Duration> {
    let started = Instant::now();
    exec(
        admin,
        format!(
            "CREATE DATABASE {} TEMPLATE {}",
            quoted(name)?,
            quoted(template)?
        ),
    )
    .await
    .with_context(|| format!("clone {template}"))?;
    let took = started.elapsed();
    exec(
        admin,
        format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quoted(name)?),
    )
    .await?;
    Ok(took)
}

/// The SQLite template file (`DATA_DIR/templates/tenant-v*.db`, newest version).
pub fn sqlite_template(data_dir: &Path) -> Result<PathBuf> {
    let dir = data_dir.join("templates");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().map(|n| n.to_string_lossy().to_string());
            n.is_some_and(|n| n.starts_with("tenant-v") && n.ends_with(".db"))
        })
        .collect();
    found.sort();
    found.pop().context("no tenant-v*.db template")
}

/// Copies the template the way provisioning does (temporary name, fsync, rename, fsync of
/// the folder), timed; the copy is removed afterwards (not timed).
pub fn sqlite_copy_floor(template: &Path, dir: &Path, i: usize) -> Result<Duration> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("floor-{i}.db.tmp"));
    let dest = dir.join(format!("floor-{i}.db"));
    let started = Instant::now();
    std::fs::copy(template, &tmp)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, &dest)?;
    std::fs::File::open(dir)?.sync_all()?;
    let took = started.elapsed();
    std::fs::remove_file(&dest)?;
    Ok(took)
}

/// Where a `SELECT 1` floor connects.
#[derive(Clone)]
pub enum Probe {
    Pg(Box<PgConnectOptions>),
    Sqlite(PathBuf),
}

enum Conn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

impl Probe {
    pub fn describe(&self) -> String {
        match self {
            Probe::Pg(o) => format!(
                "sqlx `PgConnection`, sslmode={}",
                format!("{:?}", o.get_ssl_mode()).to_ascii_lowercase()
            ),
            Probe::Sqlite(_) => "sqlx `SqliteConnection`, WAL".into(),
        }
    }

    async fn connect(&self) -> Result<Conn> {
        Ok(match self {
            Probe::Pg(o) => Conn::Pg(PgConnection::connect_with(o.as_ref()).await?),
            Probe::Sqlite(path) => Conn::Sqlite(
                SqliteConnection::connect_with(
                    &SqliteConnectOptions::new()
                        .filename(path)
                        .journal_mode(SqliteJournalMode::Wal)
                        .busy_timeout(Duration::from_secs(5)),
                )
                .await?,
            ),
        })
    }
}

impl Conn {
    async fn select1(&mut self) -> Result<()> {
        let v: i32 = match self {
            Conn::Pg(c) => sqlx::query_scalar("SELECT 1").fetch_one(c).await?,
            Conn::Sqlite(c) => sqlx::query_scalar("SELECT 1").fetch_one(c).await?,
        };
        if v != 1 {
            bail!("SELECT 1 returned {v}");
        }
        Ok(())
    }

    async fn close(self) {
        let _ = match self {
            Conn::Pg(c) => c.close().await,
            Conn::Sqlite(c) => c.close().await,
        };
    }
}

/// `connections` connections, each running `SELECT 1` back to back for `duration` (at most
/// 5 million queries in all). Returns (queries per second, latencies).
pub async fn select1_loop(
    probe: &Probe,
    connections: usize,
    duration: Duration,
) -> Result<(f64, Latencies)> {
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(probe.connect().await?);
    }
    let cap = 5_000_000 / connections.max(1);
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move {
                let mut lat = Vec::with_capacity(1 << 14);
                while lat.len() < cap && Instant::now() < deadline {
                    let t = Instant::now();
                    c.select1().await?;
                    lat.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                }
                c.close().await;
                Ok::<_, anyhow::Error>(lat)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    Ok((rate, Latencies::from_unsorted(all)))
}

/// Opens and closes `n` connections one after the other; the opening is timed.
pub async fn connect_floor(probe: &Probe, n: usize) -> Result<Latencies> {
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let c = probe.connect().await?;
        took.push(started.elapsed());
        c.close().await;
    }
    Ok(Latencies::from_durations(&took))
}

/// Samples the number of server backends connected to this run's tenant databases (those
/// whose name matches `^<prefix>[0-9a-f]{32}$`) every ~5 ms until stopped (or `max` has
/// passed), and keeps the peak. The matching database OIDs are looked up once; each sample
/// then reads `pg_stat_get_activity(NULL)` (the function behind `pg_stat_activity`) and
/// counts in this process, because filtering `pg_stat_activity` by a regular expression
/// on `datname` costs ~11 ms per call with 1,000 databases, a whole core at this rate.
pub struct PeakSampler {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Result<(i64, u64)>>,
}

impl PeakSampler {
    pub async fn start(server: &PgConnectOptions, prefix: &str, max: Duration) -> Result<Self> {
        let mut conn = pg_admin(server).await?;
        let pattern = format!("^{prefix}[0-9a-f]{{32}}$");
        let tenants: HashSet<i64> =
            sqlx::query_scalar("SELECT oid::int8 FROM pg_database WHERE datname ~ $1")
                .bind(&pattern)
                .fetch_all(&mut conn)
                .await?
                .into_iter()
                .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let task = tokio::spawn(async move {
            let deadline = Instant::now() + max;
            let mut tick = tokio::time::interval(Duration::from_millis(5));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let (mut peak, mut samples) = (0i64, 0u64);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                tick.tick().await;
                let datids: Vec<i64> = sqlx::query_scalar(
                    "SELECT datid::int8 FROM pg_stat_get_activity(NULL) WHERE datid IS NOT NULL",
                )
                .fetch_all(&mut conn)
                .await?;
                let n = datids.iter().filter(|d| tenants.contains(d)).count() as i64;
                peak = peak.max(n);
                samples += 1;
            }
            let _ = conn.close().await;
            Ok((peak, samples))
        });
        Ok(Self { stop, task })
    }

    /// (peak, number of samples).
    pub async fn finish(self) -> Result<(i64, u64)> {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await?
    }
}

/// The PostgreSQL server version and `max_connections`.
pub async fn pg_facts(server: &PgConnectOptions) -> Result<String> {
    let mut c = pg_admin(server).await?;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut c)
        .await?;
    let max: String = sqlx::query_scalar("SHOW max_connections")
        .fetch_one(&mut c)
        .await?;
    let _ = c.close().await;
    Ok(format!("PostgreSQL {version}, max_connections {max}"))
}

/// Runs `CHECKPOINT` on the server; returns how long it took.
pub async fn checkpoint(server: &PgConnectOptions) -> Result<Duration> {
    let mut c = pg_admin(server).await?;
    let started = Instant::now();
    exec(&mut c, "CHECKPOINT".to_owned()).await?;
    let took = started.elapsed();
    let _ = c.close().await;
    Ok(took)
}

/// Whether a database exists.
pub async fn pg_database_exists(admin: &mut PgConnection, name: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(admin)
        .await?;
    Ok(n == 1)
}

/// Drops every database whose name starts with `prefix` (templates included), first making
/// each droppable. Best effort; returns how many were dropped.
pub async fn drop_prefixed(server: &PgConnectOptions, prefix: &str) -> Result<usize> {
    if prefix.len() < 8 || !is_safe_ident(prefix) {
        bail!("refusing to clean up with prefix {prefix:?}");
    }
    let mut admin = pg_admin(server).await?;
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE starts_with(datname::text, $1) ORDER BY 1",
    )
    .bind(prefix)
    .fetch_all(&mut admin)
    .await?;
    let total = names.len();
    let mut dropped = 0;
    let started = Instant::now();
    for (i, name) in names.iter().enumerate() {
        let q = quoted(name)?;
        let _ = exec(
            &mut admin,
            format!("ALTER DATABASE {q} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true"),
        )
        .await;
        match exec(
            &mut admin,
            format!("DROP DATABASE IF EXISTS {q} WITH (FORCE)"),
        )
        .await
        {
            Ok(()) => dropped += 1,
            Err(e) => eprintln!("  could not drop {name}: {e:#}"),
        }
        if (i + 1) % 100 == 0 {
            eprintln!(
                "  dropped {}/{total} databases ({:.0} s)",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let _ = admin.close().await;
    Ok(dropped)
}
