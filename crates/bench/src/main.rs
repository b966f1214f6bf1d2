//! `smartdmv-bench`: an end-to-end benchmark of the real `smartdmv serve` process on SQLite
//! and PostgreSQL: company provisioning over HTTP, tenant reads spread over many companies,
//! the tenant registry's hit rate, and the floors (file copy, template clone, `SELECT 1`)
//! measured in the same run; and (`--scenario search`) search over one company with 50,000
//! clients and 80,000 patients; (`--scenario history`) the medical history of one patient
//! with a long record. See `BENCHMARKS.md` at the repository root.
//!
//! Build and run (both binaries must sit in the same folder):
//!
//! ```text
//! cargo build --release -j2 -p smartdmv-server -p smartdmv-bench --bins
//! target/release/smartdmv-bench --backend both
//! ```

mod booking;
mod floors;
mod history;
mod load;
mod report;
mod search;
mod server;
mod sys;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, ValueEnum};
use reqwest::header::HeaderValue;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgSslMode};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::floors::Probe;
use crate::load::{Latencies, Popularity, Sampler, Target};
use crate::report::{BackendReport, FloorRow, ProvisionPoint, ScenarioRow};
use crate::server::{Company, Server, ServerSpec, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// Provisioning, reads over many companies, registry and floors.
    Tenancy,
    /// Search and list routes over one large company.
    Search,
    /// Concurrent bookings with conflict checks on one company.
    Booking,
    /// The history of one patient with a long medical record.
    History,
    /// All of them, one after the other.
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// End-to-end benchmark of `smartdmv serve`.
#[derive(Debug, Parser)]
#[command(name = "smartdmv-bench")]
pub struct Args {
    /// Which tenant backend to benchmark.
    #[arg(long, value_enum, default_value_t = BackendArg::Both)]
    backend: BackendArg,
    /// What to measure.
    #[arg(long, value_enum, default_value_t = Scenario::Tenancy)]
    scenario: Scenario,
    /// Clients of the search scenario's company.
    #[arg(long, default_value_t = 50_000)]
    pub search_clients: usize,
    /// Patients of the search scenario's company.
    #[arg(long, default_value_t = 80_000)]
    pub search_patients: usize,
    /// Requests in flight in the search scenario (1 measures plain latency).
    #[arg(long, default_value_t = 1)]
    pub search_concurrency: usize,
    /// Requests in flight in the booking scenario (race rounds and throughput).
    #[arg(long, default_value_t = 16)]
    pub booking_concurrency: usize,
    /// Race rounds of the booking scenario.
    #[arg(long, default_value_t = 50)]
    pub booking_rounds: usize,
    /// Veterinarians booked in the booking scenario's throughput part.
    #[arg(long, default_value_t = 4)]
    pub booking_vets: usize,
    /// Visits of the history scenario's patient (two signed notes each).
    #[arg(long, default_value_t = 200)]
    pub history_visits: usize,
    /// Lab orders with results of the history scenario's patient.
    #[arg(long, default_value_t = 100)]
    pub history_labs: usize,
    /// Measured history requests (one at a time).
    #[arg(long, default_value_t = 200)]
    pub history_requests: usize,
    /// Unmeasured history requests before them.
    #[arg(long, default_value_t = 20)]
    pub history_warmup: usize,
    /// Working days the throughput part's random slots spread over (32 slots a day).
    #[arg(long, default_value_t = 60)]
    pub booking_days: usize,
    /// Connections the booking company's pool may open (SMARTDMV_CONNECTIONS_PER_TENANT).
    #[arg(long, default_value_t = 4)]
    pub booking_connections: usize,
    /// Companies created before the "N present" provisioning point (N).
    #[arg(long, default_value_t = 1000)]
    pub companies: usize,
    /// Requests in flight during read scenarios (closed loop).
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Measured duration of each read scenario and `SELECT 1` floor, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Unmeasured warm-up before each read scenario, in seconds.
    #[arg(long, default_value_t = 2.0)]
    pub warmup_seconds: f64,
    /// Provisioning samples at each point (empty platform, N companies present).
    #[arg(long, default_value_t = 30)]
    pub samples: usize,
    /// SMARTDMV_PG_CONNECTION_BUDGET given to the server.
    #[arg(long, default_value_t = 40)]
    pub pg_budget: usize,
    /// PostgreSQL server (no database name); must be on 127.0.0.1 or localhost.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pub pg_url: String,
    /// Numbers of active companies for read scenarios [default: 1,30,100,N].
    #[arg(long, value_delimiter = ',')]
    pub active: Vec<usize>,
    /// Tokio worker threads of the load generator (1 leaves the most CPU to the server).
    #[arg(long, default_value_t = 1)]
    pub client_threads: usize,
    /// Seed of the company pickers.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Before each backend, wait up to this long for the machine to fall under 0.3 busy
    /// cores (the clean-up of a previous run keeps the disk and kernel busy for minutes).
    #[arg(long, default_value_t = 300)]
    pub settle_max_seconds: u64,
    /// Text printed as the commit in the header instead of asking git (for a build made
    /// from an export of a commit).
    #[arg(long)]
    pub commit: Option<String>,
    /// Where the Markdown report is also written.
    #[arg(long, default_value = "target/bench-report.md")]
    pub out: PathBuf,
}

impl Args {
    fn measured(&self) -> Duration {
        Duration::from_secs_f64(self.seconds)
    }

    /// The sslmode sqlx uses for this URL (and PGSSLMODE), lowercase.
    pub fn pg_ssl_mode(&self) -> String {
        PgConnectOptions::from_str(&self.pg_url)
            .map(|o| format!("{:?}", o.get_ssl_mode()).to_ascii_lowercase())
            .unwrap_or_else(|_| "unknown".into())
    }

    fn active_sets(&self) -> Vec<usize> {
        let mut sets = if self.active.is_empty() {
            vec![1, 30, 100, self.companies]
        } else {
            self.active.clone()
        };
        sets.retain(|&k| k >= 1 && k <= self.companies);
        sets.sort_unstable();
        sets.dedup();
        sets
    }

    fn validate(&self) -> Result<PgConnectOptions> {
        if self.companies < 1 || self.concurrency < 1 || self.samples < 1 {
            bail!("--companies, --concurrency and --samples must be at least 1");
        }
        if self.search_clients < 1 || self.search_patients < 1 || self.search_concurrency < 1 {
            bail!(
                "--search-clients, --search-patients and --search-concurrency must be at least 1"
            );
        }
        if !(0.1..=600.0).contains(&self.seconds) || !(0.0..=600.0).contains(&self.warmup_seconds) {
            bail!("--seconds must be within 0.1..=600 and --warmup-seconds within 0..=600");
        }
        let opts = PgConnectOptions::from_str(&self.pg_url).context("--pg-url")?;
        if !["127.0.0.1", "localhost"].contains(&opts.get_host()) {
            bail!("--pg-url must point at 127.0.0.1 or localhost");
        }
        Ok(opts)
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let pg = args.validate()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()?;
    rt.block_on(run(Arc::new(args), pg))
}

async fn run(args: Arc<Args>, pg: PgConnectOptions) -> Result<()> {
    let bin = server::locate_binary()?;
    let backends = match args.backend {
        BackendArg::Sqlite => vec![Backend::Sqlite],
        BackendArg::Postgres => vec![Backend::Postgres],
        BackendArg::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let pg_facts = if backends.contains(&Backend::Postgres) {
        Some(floors::pg_facts(&pg).await?)
    } else {
        None
    };
    let mut md = report::header(&args, pg_facts.as_deref());
    let mut failed = None;
    let tenancy = matches!(args.scenario, Scenario::Tenancy | Scenario::All);
    let searching = matches!(args.scenario, Scenario::Search | Scenario::All);
    let booking = matches!(args.scenario, Scenario::Booking | Scenario::All);
    let histories = matches!(args.scenario, Scenario::History | Scenario::All);
    for backend in backends.iter().copied().filter(|_| histories) {
        eprintln!("== history on {} ==", backend.title());
        let (a, b, p) = (args.clone(), bin.clone(), pg.clone());
        let run = scenario_guarded(backend, pg.clone(), "history", move |prefix| {
            history::run(backend, a, b, p, prefix)
        });
        match run.await {
            Ok(r) => md.push_str(&history::section(&r)),
            Err(e) => {
                eprintln!("history on {} failed: {e:#}", backend.title());
                md.push_str(&format!(
                    "\n## Patient history on {}\n\nThe run failed: {e:#}\n",
                    backend.title()
                ));
                failed = Some(e);
            }
        }
    }
    for backend in backends.iter().copied().filter(|_| booking) {
        eprintln!("== booking on {} ==", backend.title());
        match booking_guarded(backend, args.clone(), bin.clone(), pg.clone()).await {
            Ok(r) => {
                md.push_str(&booking::section(&r));
                if let Err(e) = booking::verdict(&r) {
                    eprintln!("booking on {}: {e:#}", backend.title());
                    failed = Some(e);
                }
            }
            Err(e) => {
                eprintln!("booking on {} failed: {e:#}", backend.title());
                md.push_str(&format!(
                    "\n## Booking on {}\n\nThe run failed: {e:#}\n",
                    backend.title()
                ));
                failed = Some(e);
            }
        }
    }
    for backend in backends.iter().copied().filter(|_| searching) {
        eprintln!("== search on {} ==", backend.title());
        match search_guarded(backend, args.clone(), bin.clone(), pg.clone()).await {
            Ok(r) => md.push_str(&search::section(&args, &r)),
            Err(e) => {
                eprintln!("search on {} failed: {e:#}", backend.title());
                md.push_str(&format!(
                    "\n## Search on {}\n\nThe run failed: {e:#}\n",
                    backend.title()
                ));
                failed = Some(e);
            }
        }
    }
    for backend in backends.into_iter().filter(|_| tenancy) {
        eprintln!("== {} ==", backend.title());
        let (result, interrupted) = guarded(backend, args.clone(), bin.clone(), pg.clone()).await;
        match result {
            Ok(r) => md.push_str(&report::backend_section(&args, &r)),
            Err(e) => {
                eprintln!("{} benchmark failed: {e:#}", backend.title());
                md.push_str(&format!(
                    "\n## {}\n\nThe run failed: {e:#}\n",
                    backend.title()
                ));
                failed = Some(e);
            }
        }
        if interrupted {
            break;
        }
    }
    println!("{md}");
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &md).with_context(|| format!("write {}", args.out.display()))?;
    eprintln!("report written to {}", args.out.display());
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Runs one scenario on one backend in a task of its own; this run's PostgreSQL databases
/// (prefix handed to `run`) are dropped afterwards whatever happened.
async fn scenario_guarded<T, F>(
    backend: Backend,
    pg: PgConnectOptions,
    name: &str,
    run: impl FnOnce(Option<String>) -> F,
) -> Result<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T>> + Send + 'static,
{
    let prefix =
        (backend == Backend::Postgres).then(|| format!("smbench_{:08x}_", rand::random::<u32>()));
    let mut task = tokio::spawn(run(prefix.clone()));
    let result = tokio::select! {
        r = &mut task => r.map_err(|e| anyhow!("{name} task: {e}")).and_then(|r| r),
        _ = tokio::signal::ctrl_c() => {
            task.abort();
            let _ = task.await;
            Err(anyhow!("interrupted"))
        }
    };
    if let Some(prefix) = prefix {
        match floors::drop_prefixed(&pg, &prefix).await {
            Ok(n) => eprintln!("dropped {n} databases ({prefix}*)"),
            Err(e) => eprintln!("clean-up failed: {e:#}; drop databases {prefix}* by hand"),
        }
    }
    result
}

async fn booking_guarded(
    backend: Backend,
    args: Arc<Args>,
    bin: PathBuf,
    pg: PgConnectOptions,
) -> Result<booking::BookingReport> {
    let p = pg.clone();
    scenario_guarded(backend, pg, "booking", move |prefix| {
        booking::run(backend, args, bin, p, prefix)
    })
    .await
}

async fn search_guarded(
    backend: Backend,
    args: Arc<Args>,
    bin: PathBuf,
    pg: PgConnectOptions,
) -> Result<search::SearchReport> {
    let p = pg.clone();
    scenario_guarded(backend, pg, "search", move |prefix| {
        search::run(backend, args, bin, p, prefix)
    })
    .await
}

/// Runs one backend in a task of its own so that a panic or Ctrl-C still stops the server
/// and drops every PostgreSQL database of the run. Returns the result and whether the run
/// was interrupted.
async fn guarded(
    backend: Backend,
    args: Arc<Args>,
    bin: PathBuf,
    pg: PgConnectOptions,
) -> (Result<BackendReport>, bool) {
    let prefix =
        (backend == Backend::Postgres).then(|| format!("smbench_{:08x}_", rand::random::<u32>()));
    if let Some(p) = &prefix {
        eprintln!("PostgreSQL databases of this run start with {p} (dropped at the end)");
    }
    let mut task = tokio::spawn(bench_backend(
        backend,
        args,
        bin,
        pg.clone(),
        prefix.clone(),
    ));
    let (mut result, interrupted) = tokio::select! {
        r = &mut task => (r.map_err(|e| anyhow!("benchmark task: {e}")).and_then(|r| r), false),
        _ = tokio::signal::ctrl_c() => {
            eprintln!("interrupted; stopping the server and cleaning up");
            task.abort();
            let _ = task.await;
            (Err(anyhow!("interrupted")), true)
        }
    };
    if let Some(prefix) = prefix {
        eprintln!("dropping the databases of this run ({prefix}*)");
        let started = Instant::now();
        match floors::drop_prefixed(&pg, &prefix).await {
            Ok(n) => {
                eprintln!(
                    "dropped {n} databases in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
                if let Ok(r) = result.as_mut() {
                    r.cleanup = Some((n, started.elapsed()));
                }
            }
            Err(e) => eprintln!("clean-up failed: {e:#}; drop databases {prefix}* by hand"),
        }
    }
    (result, interrupted)
}

/// How provisioning floors are measured on this backend.
enum Floor {
    Copy {
        template: PathBuf,
        dir: PathBuf,
    },
    Clone {
        admin: Box<sea_orm::sqlx::postgres::PgConnection>,
        template: String,
        prefix: String,
    },
}

impl Floor {
    async fn measure(&mut self, i: usize) -> Result<Duration> {
        match self {
            Floor::Copy { template, dir } => {
                let (t, d) = (template.clone(), dir.clone());
                tokio::task::spawn_blocking(move || floors::sqlite_copy_floor(&t, &d, i)).await?
            }
            Floor::Clone {
                admin,
                template,
                prefix,
            } => floors::pg_clone_floor(admin, template, &format!("{prefix}floor_{i}")).await,
        }
    }
}

async fn create(server: &Server, companies: &mut Vec<Company>) -> Result<Duration> {
    let (took, c) = server.create_company(companies.len()).await?;
    companies.push(c);
    Ok(took)
}

/// `samples` creations, each followed by one floor measurement (interleaved, so that noise
/// hits both alike).
async fn provision_point(
    label: &str,
    server: &Server,
    companies: &mut Vec<Company>,
    floor: &mut Floor,
    samples: usize,
) -> Result<ProvisionPoint> {
    let present = companies.len();
    eprintln!("provisioning: {samples} samples with {present} companies present");
    let (mut post, mut fl) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        post.push(create(server, companies).await?);
        fl.push(floor.measure(companies.len()).await?);
    }
    Ok(ProvisionPoint {
        label: label.to_owned(),
        present,
        post: Latencies::from_durations(&post),
        floor: Latencies::from_durations(&fl),
    })
}

async fn bench_backend(
    backend: Backend,
    args: Arc<Args>,
    bin: PathBuf,
    pg: PgConnectOptions,
    prefix: Option<String>,
) -> Result<BackendReport> {
    let settle = settle(args.settle_max_seconds).await;
    let load_at_start = sys::loadavg();
    let tmp = TempDir::new(if prefix.is_some() { "pg" } else { "sqlite" })?;
    let mut server = Server::start(&ServerSpec {
        bin: &bin,
        data_dir: &tmp.0,
        pg: prefix.as_deref().map(|p| (args.pg_url.as_str(), p)),
        pg_budget: args.pg_budget,
    })
    .await?;
    eprintln!(
        "server pid {} listening on 127.0.0.1:{}",
        server.pid, server.port
    );
    let mut companies = Vec::new();
    let first = create(&server, &mut companies).await?;
    eprintln!(
        "first company (builds the template): {:.0} ms",
        first.as_secs_f64() * 1e3
    );

    let (mut floor, template_bytes) = match &prefix {
        None => {
            let template = floors::sqlite_template(&tmp.0)?;
            let size = std::fs::metadata(&template)?.len();
            let dir = tmp.0.join("floor");
            (Floor::Copy { template, dir }, size)
        }
        Some(prefix) => {
            let mut admin = floors::pg_admin(&pg).await?;
            let template = format!(
                "{prefix}template_v{}",
                smartdmv_store::tenant::TenantMigrator::latest_version()
            );
            if !floors::pg_database_exists(&mut admin, &template).await? {
                bail!("template database {template} not found");
            }
            let size: i64 = sea_orm::sqlx::query_scalar("SELECT pg_database_size($1::text)")
                .bind(&template)
                .fetch_one(&mut admin)
                .await?;
            let floor = Floor::Clone {
                admin: Box::new(admin),
                template,
                prefix: prefix.clone(),
            };
            (floor, size as u64)
        }
    };

    let mut points = Vec::new();
    let samples = args.samples;
    points.push(
        provision_point(
            "empty platform",
            &server,
            &mut companies,
            &mut floor,
            samples,
        )
        .await?,
    );
    let fill = fill_to(&server, &mut companies, args.companies).await?;
    points.push(provision_point("N present", &server, &mut companies, &mut floor, samples).await?);
    let rss_after_provisioning = server.rss_kib();
    drop(floor);
    // The clones leave gigabytes of WAL-logged pages behind; flush them now rather than
    // during the read scenarios.
    let checkpoint = match &prefix {
        Some(_) => {
            eprintln!("CHECKPOINT before the reads");
            Some(floors::checkpoint(&pg).await?)
        }
        None => None,
    };

    // Reads.
    let client = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(args.concurrency + 8)
        .timeout(Duration::from_secs(30))
        .build()?;
    let url = server.url("/api/public/practices");
    let hz = sys::clock_ticks();
    let mut scenarios = Vec::new();
    for k in args.active_sets() {
        let hosts = companies[..k]
            .iter()
            .map(|c| HeaderValue::from_str(&server.tenant_host(&c.subdomain)))
            .collect::<Result<Vec<_>, _>>()?;
        let target = Arc::new(Target {
            client: client.clone(),
            url: url.clone(),
            hosts,
        });
        let pops: &[Popularity] = if k == 1 {
            &[Popularity::Uniform]
        } else {
            &[Popularity::Uniform, Popularity::Zipf]
        };
        for &pop in pops {
            let pg_side = prefix.as_deref().map(|p| (&pg, p));
            scenarios.push(scenario(&server, &target, k, pop, &args, pg_side, hz).await?);
        }
    }

    // SELECT 1 floors on the first company's database.
    let probe = match &prefix {
        None => Probe::Sqlite(tmp.0.join("tenants").join(&companies[0].db_name)),
        Some(_) => Probe::Pg(Box::new(pg.clone().database(&companies[0].db_name))),
    };
    let mut floor_rows = Vec::new();
    for conns in [1, args.concurrency] {
        eprintln!("floor: SELECT 1 over {conns} connection(s)");
        let (rate, lat) = floors::select1_loop(&probe, conns, args.measured()).await?;
        let what = format!("`SELECT 1` back to back, {conns} connection(s)");
        floor_rows.push(FloorRow {
            what,
            rate: Some(rate),
            lat,
        });
    }
    let mut probes = vec![probe.clone()];
    if let Probe::Pg(o) = &probe
        && !matches!(o.get_ssl_mode(), PgSslMode::Disable)
    {
        probes.push(Probe::Pg(Box::new(
            o.as_ref().clone().ssl_mode(PgSslMode::Disable),
        )));
    }
    for p in probes {
        eprintln!("floor: opening connections ({})", p.describe());
        let lat = floors::connect_floor(&p, 20).await?;
        let what = format!("open one connection, {}, 20 samples", p.describe());
        floor_rows.push(FloorRow {
            what,
            rate: None,
            lat,
        });
    }

    let warnings = server.log_warnings(6);
    let metrics = server.metrics().await.ok();
    server.stop();
    Ok(BackendReport {
        backend,
        first,
        template_bytes,
        points,
        fill,
        rss_after_provisioning,
        scenarios,
        floors: floor_rows,
        warnings,
        final_metrics: metrics,
        cleanup: None,
        checkpoint,
        settle,
        loadavg: (load_at_start, sys::loadavg()),
    })
}

/// Waits (at most `max_secs`) until the machine keeps fewer than 0.3 cores busy over 5 s.
/// Returns the last busy figure and how long it waited.
async fn settle(max_secs: u64) -> (f64, Duration) {
    let started = Instant::now();
    let hz = sys::clock_ticks();
    loop {
        let busy = tokio::task::spawn_blocking(move || sys::busy_cores(Duration::from_secs(5), hz))
            .await
            .unwrap_or(0.0);
        if busy < 0.3 || started.elapsed() >= Duration::from_secs(max_secs) {
            return (busy, started.elapsed());
        }
        eprintln!("waiting for the machine to settle: {busy:.2} cores busy");
    }
}

/// Creates companies until `n` exist, printing progress.
async fn fill_to(
    server: &Server,
    companies: &mut Vec<Company>,
    n: usize,
) -> Result<Option<(Latencies, Duration)>> {
    if companies.len() >= n {
        return Ok(None);
    }
    let (started, from) = (Instant::now(), companies.len());
    eprintln!("creating companies {from}..{n}");
    let mut took = Vec::new();
    let mut last = Instant::now();
    while companies.len() < n {
        took.push(create(server, companies).await?);
        if last.elapsed() >= Duration::from_secs(15) || companies.len() == n {
            last = Instant::now();
            let done = companies.len() - from;
            let rate = done as f64 / started.elapsed().as_secs_f64();
            eprintln!(
                "  {}/{n} companies, {rate:.1}/s, about {:.0} s left",
                companies.len(),
                (n - companies.len()) as f64 / rate.max(1e-9)
            );
        }
    }
    Ok(Some((Latencies::from_durations(&took), started.elapsed())))
}

async fn scenario(
    server: &Server,
    target: &Arc<Target>,
    k: usize,
    pop: Popularity,
    args: &Args,
    pg: Option<(&PgConnectOptions, &str)>,
    hz: f64,
) -> Result<ScenarioRow> {
    let seed = args.seed ^ (k as u64).wrapping_mul(0x1000_0001);
    let sampler = Arc::new(Sampler::new(k, pop, seed));
    eprintln!(
        "reads: {k} companies, {pop}, {} in flight, {:.0} s warm-up + {:.0} s",
        args.concurrency, args.warmup_seconds, args.seconds
    );
    if args.warmup_seconds > 0.0 {
        let w = Duration::from_secs_f64(args.warmup_seconds);
        load::run(
            target.clone(),
            sampler.clone(),
            args.concurrency,
            w,
            seed ^ 1,
        )
        .await;
    }
    let before = server.metrics().await?;
    let cpu0 = sys::CpuSnap::take(server.pid);
    let peak = match pg {
        Some((opts, prefix)) => {
            let max = args.measured() + Duration::from_secs(60);
            Some(floors::PeakSampler::start(opts, prefix, max).await?)
        }
        None => None,
    };
    let result = load::run(
        target.clone(),
        sampler,
        args.concurrency,
        args.measured(),
        seed,
    )
    .await;
    let peak = match peak {
        Some(p) => Some(p.finish().await?),
        None => None,
    };
    let cpu = sys::CpuSnap::take(server.pid).since(&cpu0, hz);
    let after = server.metrics().await?;
    let row = ScenarioRow {
        active: k,
        popularity: pop,
        result,
        before,
        after,
        peak_pg: peak,
        rss_kib: server.rss_kib(),
        cpu,
    };
    eprintln!("  {}", report::scenario_summary(&row));
    Ok(row)
}
