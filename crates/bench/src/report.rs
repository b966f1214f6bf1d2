//! The Markdown report.

use std::fmt::Write;
use std::time::Duration;

use crate::load::{Latencies, LoadResult, Popularity};
use crate::server::Metrics;
use crate::sys::CpuUse;
use crate::{Args, Backend};

/// One provisioning measurement point.
pub struct ProvisionPoint {
    pub label: String,
    pub present: usize,
    pub post: Latencies,
    pub floor: Latencies,
}

/// One read scenario.
pub struct ScenarioRow {
    pub active: usize,
    pub popularity: Popularity,
    pub result: LoadResult,
    pub before: Metrics,
    pub after: Metrics,
    /// (peak, samples) of PostgreSQL backends on this run's tenant databases.
    pub peak_pg: Option<(i64, u64)>,
    pub rss_kib: Option<u64>,
    pub cpu: CpuUse,
}

impl ScenarioRow {
    fn hits(&self) -> u64 {
        self.after.hits.saturating_sub(self.before.hits)
    }

    fn opens(&self) -> u64 {
        self.after.opens.saturating_sub(self.before.opens)
    }

    pub fn hit_rate(&self) -> Option<f64> {
        let (h, o) = (self.hits(), self.opens());
        (h + o > 0).then(|| h as f64 / (h + o) as f64)
    }

    fn opens_per_sec(&self) -> f64 {
        self.opens() as f64 / self.result.elapsed.as_secs_f64().max(1e-9)
    }

    fn avg_open_ms(&self) -> Option<f64> {
        let micros = self
            .after
            .open_micros_total
            .saturating_sub(self.before.open_micros_total);
        let n = self.opens();
        (n > 0).then(|| micros as f64 / n as f64 / 1e3)
    }
}

/// One `SELECT 1` floor.
pub struct FloorRow {
    pub what: String,
    /// Operations per second, for loops.
    pub rate: Option<f64>,
    pub lat: Latencies,
}

/// Everything measured on one backend.
pub struct BackendReport {
    pub backend: Backend,
    pub first: Duration,
    pub template_bytes: u64,
    pub points: Vec<ProvisionPoint>,
    pub fill: Option<(Latencies, Duration)>,
    pub rss_after_provisioning: Option<u64>,
    pub scenarios: Vec<ScenarioRow>,
    pub floors: Vec<FloorRow>,
    pub warnings: (usize, Vec<String>),
    pub final_metrics: Option<Metrics>,
    /// Databases dropped at the end and how long it took (PostgreSQL).
    pub cleanup: Option<(usize, Duration)>,
    /// Busy cores on the machine just before this backend started, and how long the
    /// benchmark waited for it to settle.
    pub settle: (f64, Duration),
    /// `CHECKPOINT` run between provisioning and the reads (PostgreSQL).
    pub checkpoint: Option<Duration>,
    /// Load averages when the backend started and when its measurements ended.
    pub loadavg: (String, String),
}

/// Milliseconds from microseconds, with precision that fits the size.
fn ms(us: Option<u32>) -> String {
    match us {
        None => "–".into(),
        Some(us) => {
            let v = us as f64 / 1e3;
            if v < 1.0 {
                format!("{v:.3}")
            } else if v < 10.0 {
                format!("{v:.2}")
            } else if v < 100.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.0}")
            }
        }
    }
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or("–".into(), |k| format!("{:.0}", k as f64 / 1024.0))
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1} %", v * 100.0))
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    }
}

/// "1 company present", "30 companies active".
fn companies(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 company {what}")
    } else {
        format!("{n} companies {what}")
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

pub fn header(args: &Args, pg_facts: Option<&str>) -> String {
    let date = smartdmv_store::Stamp::now().rfc3339();
    let command: Vec<String> = std::env::args()
        .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
        .collect();
    let mut s = String::new();
    let _ = writeln!(s, "# SmartDMV end-to-end benchmark\n");
    let _ = writeln!(s, "* Date: {date}");
    let _ = writeln!(
        s,
        "* Machine: {}; load average at start {}",
        crate::sys::machine(),
        crate::sys::loadavg()
    );
    let commit = args.commit.clone().unwrap_or_else(crate::sys::git_commit);
    let _ = writeln!(s, "* Commit: {commit}");
    let _ = writeln!(s, "* Command: `{}`", command.join(" "));
    if let Some(f) = pg_facts {
        let _ = writeln!(
            s,
            "* Database server: {f}; URL `{}` (sqlx sslmode {})",
            args.pg_url,
            args.pg_ssl_mode()
        );
    }
    let sets: Vec<String> = args.active_sets().iter().map(|k| k.to_string()).collect();
    let _ = writeln!(
        s,
        "* Settings: N = {} companies; {} provisioning samples per point; reads with {} requests \
         in flight over {} active companies, {} s measured after {} s warm-up; \
         SMARTDMV_PG_CONNECTION_BUDGET {}; other server settings at their defaults; seed {}",
        args.companies,
        args.samples,
        args.concurrency,
        sets.join(", "),
        args.seconds,
        args.warmup_seconds,
        args.pg_budget,
        args.seed
    );
    let _ = writeln!(
        s,
        "* **The load generator shares the CPUs with the server.** This process ({} Tokio \
         worker thread(s)), the `smartdmv` server and PostgreSQL all run on the {} CPUs above; every \
         figure includes that contention. All traffic goes to 127.0.0.1 over HTTP/1.1 \
         keep-alive.",
        args.client_threads,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    s
}

pub fn scenario_summary(r: &ScenarioRow) -> String {
    format!(
        "{:.0} req/s, p50 {} ms, p99 {} ms, {} errors, hit rate {}, {:.1} opens/s, peak PG {}",
        r.result.rate(),
        ms(r.result.latencies.pct(50.0)),
        ms(r.result.latencies.pct(99.0)),
        r.result.error_count(),
        pct(r.hit_rate()),
        r.opens_per_sec(),
        r.peak_pg.map_or("–".into(), |p| p.0.to_string()),
    )
}

fn budget(r: &BackendReport, args: &Args) -> usize {
    r.final_metrics
        .as_ref()
        .and_then(|m| m.budgets.values().max().copied())
        .map_or(
            match r.backend {
                Backend::Sqlite => 256,
                Backend::Postgres => args.pg_budget,
            },
            |b| b as usize,
        )
}

pub fn backend_section(args: &Args, r: &BackendReport) -> String {
    let mut s = String::new();
    let budget = budget(r, args);
    let _ = writeln!(s, "\n## {}\n", r.backend.title());
    let _ = writeln!(
        s,
        "Registry budget: {budget} tenant connections ({}). Template: {}.\n",
        match r.backend {
            Backend::Sqlite => "SQLite default",
            Backend::Postgres => "per PostgreSQL server",
        },
        size(r.template_bytes)
    );

    let _ = writeln!(
        s,
        "### Provisioning: `POST /api/owner/companies` round trip, one at a time (ms)\n"
    );
    let _ = writeln!(
        s,
        "| When | Companies present | Samples | POST p50 | POST p95 | POST max | Floor p50 | Floor p95 |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
    let first = Some(r.first.as_micros().min(u32::MAX as u128) as u32);
    let _ = writeln!(
        s,
        "| first company (also builds the template) | 0 | 1 | {} | | | | |",
        ms(first)
    );
    let mut rows: Vec<String> = Vec::new();
    for p in &r.points {
        rows.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            p.label.replace("N present", "N companies present"),
            p.present,
            p.post.len(),
            ms(p.post.pct(50.0)),
            ms(p.post.pct(95.0)),
            ms(p.post.max()),
            ms(p.floor.pct(50.0)),
            ms(p.floor.pct(95.0)),
        ));
    }
    if let (Some((lat, took)), Some(first_point)) = (&r.fill, r.points.first()) {
        let from = first_point.present + first_point.post.len();
        let fill = format!(
            "| filling up to N ({:.1} companies/s) | {from}–{} | {} | {} | {} | {} | – | – |",
            lat.len() as f64 / took.as_secs_f64(),
            from + lat.len() - 1,
            lat.len(),
            ms(lat.pct(50.0)),
            ms(lat.pct(95.0)),
            ms(lat.max()),
        );
        rows.insert(1.min(rows.len()), fill);
    }
    for row in rows {
        let _ = writeln!(s, "{row}");
    }
    let floor = match r.backend {
        Backend::Sqlite => {
            "copy of the template file to a temporary name, fsync, rename, fsync \
                            of the folder (what provisioning does), timed in this process"
        }
        Backend::Postgres => {
            "`CREATE DATABASE … TEMPLATE <prefix>template_vN` on a direct \
                              sqlx connection (the `DROP DATABASE` that follows is not timed)"
        }
    };
    let _ = writeln!(
        s,
        "\nFloor: {floor}; one floor sample follows each POST. Server RSS after provisioning: {} MiB.\n",
        mib(r.rss_after_provisioning)
    );

    let _ = writeln!(
        s,
        "### Tenant reads: `GET /api/public/practices`, {} in flight, {} s per row after {} s warm-up\n",
        args.concurrency, args.seconds, args.warmup_seconds
    );
    let _ = writeln!(
        s,
        "| Active companies | Popularity | req/s | p50 ms | p99 ms | Errors | Hit rate | Opens/s | Avg open ms¹ | Evictions | Waits (timeouts) | Peak PG tenant conns | Live pools | Server RSS MiB | CPU cores: client / server / postgres / other |"
    );
    let _ = writeln!(
        s,
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for sc in &r.scenarios {
        let res = &sc.result;
        let errors = if res.errors.is_empty() {
            "0".to_owned()
        } else {
            res.errors
                .iter()
                .map(|(k, n)| format!("{n} × {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            s,
            "| {} | {} | {:.0} | {} | {} | {} | {} | {:.1} | {} | {} | {} ({}) | {} | {} | {} | {:.2} / {:.2} / {:.2} / {:.2} |",
            sc.active,
            if sc.active == 1 {
                "single".to_owned()
            } else {
                sc.popularity.to_string()
            },
            res.rate(),
            ms(res.latencies.pct(50.0)),
            ms(res.latencies.pct(99.0)),
            errors,
            pct(sc.hit_rate()),
            sc.opens_per_sec(),
            sc.avg_open_ms().map_or("–".into(), |v| format!("{v:.1}")),
            sc.after.evictions.saturating_sub(sc.before.evictions),
            sc.after.waits.saturating_sub(sc.before.waits),
            sc.after
                .wait_timeouts
                .saturating_sub(sc.before.wait_timeouts),
            sc.peak_pg.map_or("–".into(), |p| p.0.to_string()),
            sc.after.live_pools,
            mib(sc.rss_kib),
            sc.cpu.client,
            sc.cpu.server,
            sc.cpu.postgres,
            sc.cpu.other,
        );
    }
    let _ = writeln!(
        s,
        "\nHit rate = registry hits / (hits + opens) during the measured interval; opens/s = \
         pools opened per second; evictions = idle pools closed to make room in the budget; \
         waits = acquisitions that had to wait for room. Peak PG tenant conns = most server \
         backends connected to this run's tenant databases, sampled every ~5 ms from \
         `pg_stat_get_activity(NULL)`, the function behind `pg_stat_activity`. CPU: cores used on average by this load generator, by the server \
         process, by all `postgres` processes and by everything else (kernel work not charged \
         to a process, other workloads).\n\n\
         ¹ `openMicrosTotal / opens` from the metrics endpoint. The server starts that clock \
         before waiting for an open permit (SMARTDMV_CONNECTION_OPEN_CONCURRENCY, default 2), \
         so under a miss storm it is mostly queueing, not connecting.\n"
    );

    let _ = writeln!(
        s,
        "### Floors: direct sqlx connections to the first company's database, outside the server\n"
    );
    let _ = writeln!(s, "| Floor | ops/s | p50 ms | p99 ms |");
    let _ = writeln!(s, "|---|---:|---:|---:|");
    for f in &r.floors {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            f.what,
            f.rate.map_or("–".into(), |r| format!("{r:.0}")),
            ms(f.lat.pct(50.0)),
            ms(f.lat.pct(99.0))
        );
    }
    let _ = writeln!(
        s,
        "\nThe `SELECT 1` loops run {} s each; the loop with one connection is the ceiling of \
         one tenant holding one connection, the other the ceiling of the database engine at the \
         read scenarios' concurrency.",
        args.seconds
    );

    let _ = writeln!(s, "\n### Against the targets of `perf-baselines.md`\n");
    targets(&mut s, r, budget);

    let _ = writeln!(s, "\n### Notes\n");
    let (n, examples) = &r.warnings;
    let _ = writeln!(
        s,
        "* Load average (1, 5, 15 min): {} when this backend started, {} when its measurements ended.",
        r.loadavg.0, r.loadavg.1
    );
    let waited = r.settle.1.as_secs_f64();
    let _ = writeln!(
        s,
        "* Machine before this backend started: {:.2} cores busy over the last 5 s{}.",
        r.settle.0,
        if waited > 6.0 {
            format!(", after waiting {waited:.0} s for it to settle")
        } else {
            String::new()
        }
    );
    if let Some(c) = r.checkpoint {
        let _ = writeln!(
            s,
            "* A `CHECKPOINT` between provisioning and the reads took {:.1} s.",
            c.as_secs_f64()
        );
    }
    let _ = writeln!(s, "* Server log: {n} WARN/ERROR lines.");
    for e in examples {
        let _ = writeln!(s, "  * `{}`", e.replace('`', "'"));
    }
    if let Some(m) = &r.final_metrics {
        let _ = writeln!(
            s,
            "* Registry totals at the end: {} hits, {} opens, {} open failures, {} evictions, \
             {} waits, {} wait timeouts, {} idle closes, {} discards.",
            m.hits,
            m.opens,
            m.open_failures,
            m.evictions,
            m.waits,
            m.wait_timeouts,
            m.idle_closes,
            m.discards
        );
    }
    if let Some((n, took)) = r.cleanup {
        let _ = writeln!(
            s,
            "* Clean-up dropped {n} databases in {:.1} s ({:.0} ms each, sequential `DROP DATABASE … WITH (FORCE)`).",
            took.as_secs_f64(),
            took.as_secs_f64() * 1e3 / n.max(1) as f64
        );
    }
    s
}

fn targets(s: &mut String, r: &BackendReport, budget: usize) {
    let (limit, what) = match r.backend {
        Backend::Postgres => (150.0, "PostgreSQL provisioning p50 ≤ 150 ms"),
        Backend::Sqlite => (
            5.0,
            "SQLite provisioning p50 ≤ 5 ms (target is for the tenancy layer; measured here over \
             HTTP, owner-database rows included)",
        ),
    };
    for p in &r.points {
        if let Some(v) = p.post.pct(50.0) {
            let v = v as f64 / 1e3;
            let _ = writeln!(
                s,
                "* {what}, {}: {v:.1} ms, {}.",
                companies(p.present, "present"),
                verdict(v <= limit)
            );
        }
    }
    for sc in r.scenarios.iter().filter(|sc| sc.active <= budget) {
        let label = format!("{} ({})", companies(sc.active, "active"), sc.popularity);
        if r.backend == Backend::Postgres {
            let rate = sc.result.rate();
            let _ = writeln!(
                s,
                "* Warm reads ≥ 25k/s when the active set fits the budget, {label}: {rate:.0}/s, {}.",
                verdict(rate >= 25_000.0)
            );
        }
        if let Some(h) = sc.hit_rate() {
            let _ = writeln!(
                s,
                "* Pool hit rate ≥ 95 % for active companies, {label}: {}, {}.",
                pct(Some(h)),
                verdict(h >= 0.95)
            );
        }
    }
}
