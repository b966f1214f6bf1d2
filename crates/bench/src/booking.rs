//! The booking scenario: concurrent `POST /api/appointments` on one company, with the
//! overlap check of every booking serialised per veterinarian and room. Two parts:
//!
//! - a race: rounds of `--booking-concurrency` requests for the same veterinarian and the
//!   same slot at once; exactly one may be created per round, the rest must answer 409
//!   `appointment_conflict`;
//! - throughput: a closed loop of the same number of workers booking random slots of a few
//!   veterinarians for `--seconds` (some collide and answer 409).
//!
//! Afterwards the company's database is read directly and every pair of overlapping
//! appointments of one veterinarian is counted: the report says how many slipped through
//! (it must be zero).

use anyhow::{Context, Result, bail};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HOST, HeaderValue};
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use smartdmv_tenancy::TenantLocation;
use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::load::{Latencies, SplitMix};
use crate::server::{Server, ServerSpec, TempDir};
use crate::{Args, Backend};

/// What the booking scenario measured on one backend.
pub struct BookingReport {
    backend: Backend,
    connections: usize,
    vets: usize,
    race_rounds: usize,
    race_concurrency: usize,
    race_created: Vec<usize>,
    race_conflicts: u64,
    race_other: Vec<String>,
    race_latency: Latencies,
    elapsed: Duration,
    created: u64,
    conflicts: u64,
    other: Vec<String>,
    latency: Latencies,
    overlaps: i64,
    stored: i64,
}

struct Ctx {
    client: reqwest::Client,
    url: String,
    host: HeaderValue,
    token: HeaderValue,
    practice: String,
    pet: String,
}

enum Outcome {
    Created,
    Conflict,
    Other(String),
}

impl Ctx {
    async fn book(&self, vet: &str, starts_at: &str) -> (Outcome, Duration) {
        let started = Instant::now();
        let r = self
            .client
            .post(&self.url)
            .header(HOST, self.host.clone())
            .header(AUTHORIZATION, self.token.clone())
            .json(
                &json!({"petId": self.pet, "practiceId": self.practice, "veterinarianId": vet,
                          "startsAt": starts_at, "durationMinutes": 30}),
            )
            .send()
            .await;
        let outcome = match r {
            Ok(r) => {
                let status = r.status();
                let body: Value = r.json().await.unwrap_or_default();
                match status {
                    StatusCode::CREATED => Outcome::Created,
                    StatusCode::CONFLICT if body["code"] == "appointment_conflict" => {
                        Outcome::Conflict
                    }
                    s => Outcome::Other(format!("{s} {}", body["code"])),
                }
            }
            Err(e) => Outcome::Other(e.to_string()),
        };
        (outcome, started.elapsed())
    }
}

/// A whole-minute UTC time on a weekday of 2031, `slot` 15-minute steps into working hours.
fn slot_time(day: usize, slot: usize) -> String {
    // 2031-01-06 is a Monday; five working days a week, 09:00-17:00 (32 slots).
    let week = day / 5;
    let weekday = day % 5;
    let base = jiff::civil::date(2031, 1, 6)
        .checked_add(jiff::Span::new().days((week * 7 + weekday) as i64))
        .unwrap_or(jiff::civil::date(2031, 1, 6));
    let minutes = 9 * 60 + 15 * (slot % 32);
    format!("{base}T{:02}:{:02}:00Z", minutes / 60, minutes % 60)
}

async fn call(
    c: &Ctx,
    server: &Server,
    m: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value> {
    crate::server::tenant_call(
        &c.client,
        server.url(path),
        &c.host,
        &c.token,
        m,
        path,
        body,
    )
    .await
}

pub async fn run(
    backend: Backend,
    args: Arc<Args>,
    bin: std::path::PathBuf,
    pg: PgConnectOptions,
    prefix: Option<String>,
) -> Result<BookingReport> {
    let tmp = TempDir::new(if prefix.is_some() {
        "booking-pg"
    } else {
        "booking-sqlite"
    })?;
    let connections = args.booking_connections;
    let server = Server::start_with_env(
        &ServerSpec {
            bin: &bin,
            data_dir: &tmp.0,
            pg: prefix.as_deref().map(|p| (args.pg_url.as_str(), p)),
            pg_budget: args.pg_budget,
        },
        &[("SMARTDMV_CONNECTIONS_PER_TENANT", connections.to_string())],
    )
    .await?;
    let password = format!("Bench-{}", crate::server::random_hex(12));
    let company = server
        .create_company_with_admin("booking-bench", "admin@booking.example", &password)
        .await?;
    let token = server
        .tenant_login("booking-bench", "admin@booking.example", &password)
        .await?;
    let mut ctx = Ctx {
        client: reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()?,
        url: server.url("/api/appointments"),
        host: HeaderValue::from_str(&server.tenant_host("booking-bench"))?,
        token: HeaderValue::from_str(&format!("Bearer {token}"))?,
        practice: String::new(),
        pet: String::new(),
    };
    let practices = call(&ctx, &server, reqwest::Method::GET, "/api/practices", None).await?;
    ctx.practice = practices["items"][0]["id"]
        .as_str()
        .context("no practice")?
        .to_owned();
    let mut vets = Vec::new();
    for i in 0..args.booking_vets.max(1) {
        let v = call(
            &ctx,
            &server,
            reqwest::Method::POST,
            "/api/users",
            Some(json!({"email": format!("vet{i}@booking.example"), "name": format!("Vet {i}"),
                        "password": password, "role": "VETERINARIAN", "practiceIds": [ctx.practice]})),
        )
        .await?;
        vets.push(v["id"].as_str().context("user id")?.to_owned());
    }
    let client = call(
        &ctx,
        &server,
        reqwest::Method::POST,
        "/api/clients",
        Some(json!({"firstName": "Busy", "lastName": "Owner"})),
    )
    .await?;
    let pet = call(
        &ctx,
        &server,
        reqwest::Method::POST,
        "/api/pets",
        Some(json!({"name": "Rex", "species": "dog", "ownerId": client["id"]})),
    )
    .await?;
    ctx.pet = pet["id"].as_str().context("pet id")?.to_owned();
    let ctx = Arc::new(ctx);
    let conc = args.booking_concurrency.max(2);

    // The race: every request of a round wants the same veterinarian at the same time.
    eprintln!(
        "booking: {} race rounds of {conc} simultaneous requests",
        args.booking_rounds
    );
    let mut race_created = Vec::new();
    let mut race_conflicts = 0;
    let mut race_other = Vec::new();
    let mut race_lat = Vec::new();
    for round in 0..args.booking_rounds {
        // Rounds 30 minutes apart, so that one round's booking cannot touch the next's.
        let when = slot_time(round / 16, (round % 16) * 2);
        let gate = Arc::new(tokio::sync::Barrier::new(conc));
        let mut tasks = Vec::new();
        for _ in 0..conc {
            let (ctx, gate, vet, when) = (ctx.clone(), gate.clone(), vets[0].clone(), when.clone());
            tasks.push(tokio::spawn(async move {
                gate.wait().await;
                ctx.book(&vet, &when).await
            }));
        }
        let mut created = 0;
        for t in tasks {
            let (o, d) = t.await?;
            race_lat.push(d);
            match o {
                Outcome::Created => created += 1,
                Outcome::Conflict => race_conflicts += 1,
                Outcome::Other(e) => race_other.push(e),
            }
        }
        race_created.push(created);
    }

    // Throughput: random slots of every veterinarian, well past the race's days.
    eprintln!(
        "booking: {conc} workers for {:.0} s over {} veterinarians",
        args.seconds,
        vets.len()
    );
    let created = Arc::new(AtomicU64::new(0));
    let conflicts = Arc::new(AtomicU64::new(0));
    let other = Arc::new(Mutex::new(Vec::new()));
    let lat = Arc::new(Mutex::new(Vec::new()));
    let vets = Arc::new(vets);
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..conc {
        let (ctx, vets, created, conflicts, other, lat) = (
            ctx.clone(),
            vets.clone(),
            created.clone(),
            conflicts.clone(),
            other.clone(),
            lat.clone(),
        );
        let mut rng = SplitMix::new(args.seed ^ (w as u64 + 1).wrapping_mul(0x9e37_79b9));
        let days = args.booking_days.max(1);
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while Instant::now() < deadline {
                let vet = &vets[rng.below(vets.len())];
                let when = slot_time(100 + rng.below(days), rng.below(32));
                let (o, d) = ctx.book(vet, &when).await;
                mine.push(d);
                match o {
                    Outcome::Created => {
                        created.fetch_add(1, Ordering::Relaxed);
                    }
                    Outcome::Conflict => {
                        conflicts.fetch_add(1, Ordering::Relaxed);
                    }
                    Outcome::Other(e) => other.lock().await.push(e),
                }
            }
            lat.lock().await.extend(mine);
        }));
    }
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed();

    // What the database holds: overlapping pairs of one veterinarian that hold their slot.
    let loc = match backend {
        Backend::Sqlite => TenantLocation::Sqlite {
            path: tmp.0.join("tenants").join(&company.db_name),
        },
        Backend::Postgres => TenantLocation::Postgres {
            options: Box::new(pg.clone().database(&company.db_name)),
        },
    };
    let db = loc.connect(1, Duration::from_secs(30)).await?;
    let scalar = |sql: &str| {
        let stmt = Statement::from_string(db.get_database_backend(), sql.to_owned());
        let db = &db;
        async move {
            let row = db.query_one_raw(stmt).await?.context("no row")?;
            row.try_get_by_index::<i64>(0).map_err(anyhow::Error::from)
        }
    };
    let holding = "NOT IN ('cancelled', 'no_show', 'requested')";
    let overlaps = scalar(&format!(
        "SELECT COUNT(*) FROM appointments a JOIN appointments b \
         ON a.veterinarian_id = b.veterinarian_id AND a.id < b.id \
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at \
         WHERE a.status {holding} AND b.status {holding}"
    ))
    .await?;
    let stored = scalar("SELECT COUNT(*) FROM appointments").await?;
    let _ = db.close().await;
    drop(server);

    let other = std::mem::take(&mut *other.lock().await);
    let latency = Latencies::from_durations(&lat.lock().await);
    Ok(BookingReport {
        backend,
        connections,
        vets: vets.len(),
        race_rounds: args.booking_rounds,
        race_concurrency: conc,
        race_created,
        race_conflicts,
        race_other,
        race_latency: Latencies::from_durations(&race_lat),
        elapsed,
        created: created.load(Ordering::Relaxed),
        conflicts: conflicts.load(Ordering::Relaxed),
        other,
        latency,
        overlaps,
        stored,
    })
}

fn ms(us: Option<u32>) -> String {
    us.map_or("-".into(), |u| format!("{:.1}", u as f64 / 1000.0))
}

/// The Markdown section of one backend.
pub fn section(r: &BookingReport) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "\n## Booking on {}\n", r.backend.title());
    let _ = writeln!(
        md,
        "One company, {} connections to its database (`SMARTDMV_CONNECTIONS_PER_TENANT`), {} \
         veterinarians, 30-minute appointments booked over HTTP.\n",
        r.connections, r.vets
    );
    let exactly_one = r.race_created.iter().filter(|&&n| n == 1).count();
    let _ = writeln!(
        md,
        "| Part | Requests | Created | 409 conflict | Other | Rate | p50 ms | p99 ms | max ms |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let race_total = r.race_latency.len();
    let _ = writeln!(
        md,
        "| race: {} rounds of {} at once, same vet and slot | {} | {} | {} | {} | - | {} | {} | {} |",
        r.race_rounds,
        r.race_concurrency,
        race_total,
        r.race_created.iter().sum::<usize>(),
        r.race_conflicts,
        r.race_other.len(),
        ms(r.race_latency.pct(50.0)),
        ms(r.race_latency.pct(99.0)),
        ms(r.race_latency.max()),
    );
    let total = r.latency.len();
    let _ = writeln!(
        md,
        "| throughput: {} workers, random slots, {:.1} s | {} | {} | {} | {} | {:.0} req/s, {:.0} bookings/s | {} | {} | {} |",
        r.race_concurrency,
        r.elapsed.as_secs_f64(),
        total,
        r.created,
        r.conflicts,
        r.other.len(),
        total as f64 / r.elapsed.as_secs_f64().max(1e-9),
        r.created as f64 / r.elapsed.as_secs_f64().max(1e-9),
        ms(r.latency.pct(50.0)),
        ms(r.latency.pct(99.0)),
        ms(r.latency.max()),
    );
    let _ = writeln!(
        md,
        "\nRounds with exactly one booking created: {exactly_one} of {}. Appointments stored: {}. \
         **Overlapping pairs of one veterinarian in the database afterwards: {}.**",
        r.race_rounds, r.stored, r.overlaps
    );
    let mut others: Vec<&String> = r.race_other.iter().chain(&r.other).collect();
    others.sort();
    others.dedup();
    if !others.is_empty() {
        let _ = writeln!(
            md,
            "\nOther answers: {}",
            others
                .iter()
                .take(5)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    md
}

/// Whether the run kept its promise: one booking per race round, no overlap stored.
pub fn verdict(r: &BookingReport) -> Result<()> {
    if r.overlaps != 0 {
        bail!("{} overlapping bookings slipped through", r.overlaps);
    }
    if r.race_created.iter().any(|&n| n != 1) {
        bail!(
            "a race round did not create exactly one booking: {:?}",
            r.race_created
        );
    }
    Ok(())
}
