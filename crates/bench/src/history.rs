//! The history scenario: one patient with a long record (by default 200 visits, 400 signed
//! SOAP notes with vitals, 100 lab orders with results), written over HTTP through the API,
//! then `GET /api/pets/{id}/history` read one request at a time: p50 and p99 of the whole
//! chronology.

use anyhow::{Context, Result, bail};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, HOST, HeaderValue};
use sea_orm::sqlx::postgres::PgConnectOptions;
use serde_json::{Value, json};
use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::load::Latencies;
use crate::server::{Server, ServerSpec, TempDir};
use crate::{Args, Backend};

/// What the history scenario measured on one backend.
pub struct HistoryReport {
    backend: Backend,
    visits: usize,
    notes: usize,
    labs: usize,
    items: usize,
    bytes: usize,
    seed_time: Duration,
    latency: Latencies,
}

struct Api {
    client: reqwest::Client,
    server: Server,
    host: HeaderValue,
    token: HeaderValue,
}

impl Api {
    async fn call(&self, m: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let url = self.server.url(path);
        crate::server::tenant_call(&self.client, url, &self.host, &self.token, m, path, body).await
    }

    async fn id(&self, path: &str, body: Value) -> Result<String> {
        let v = self.call(Method::POST, path, Some(body)).await?;
        Ok(v["id"].as_str().context("an id")?.to_owned())
    }
}

pub async fn run(
    backend: Backend,
    args: Arc<Args>,
    bin: std::path::PathBuf,
    _pg: PgConnectOptions,
    prefix: Option<String>,
) -> Result<HistoryReport> {
    let tmp = TempDir::new(if prefix.is_some() {
        "history-pg"
    } else {
        "history-sqlite"
    })?;
    let server = Server::start_with_env(
        &ServerSpec {
            bin: &bin,
            data_dir: &tmp.0,
            pg: prefix.as_deref().map(|p| (args.pg_url.as_str(), p)),
            pg_budget: args.pg_budget,
        },
        &[],
    )
    .await?;
    let password = format!("Bench-{}", crate::server::random_hex(12));
    server
        .create_company_with_admin("history-bench", "admin@history.example", &password)
        .await?;
    let token = server
        .tenant_login("history-bench", "admin@history.example", &password)
        .await?;
    let api = Api {
        client: reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(60))
            .build()?,
        host: HeaderValue::from_str(&server.tenant_host("history-bench"))?,
        token: HeaderValue::from_str(&format!("Bearer {token}"))?,
        server,
    };
    let practices = api.call(Method::GET, "/api/practices", None).await?;
    let practice = practices["items"][0]["id"]
        .as_str()
        .context("no practice")?
        .to_owned();
    let client = api
        .id(
            "/api/clients",
            json!({"firstName": "Long", "lastName": "Record"}),
        )
        .await?;
    let pet = api
        .id(
            "/api/pets",
            json!({"name": "Methuselah", "species": "dog", "ownerId": client}),
        )
        .await?;

    let visits = args.history_visits.max(1);
    let labs = args.history_labs.min(visits);
    let seeding = Instant::now();
    let mut notes = 0;
    for v in 0..visits {
        let visit = api
            .id(
                "/api/visits",
                json!({"petId": pet, "practiceId": practice, "reason": format!("Visit {v}")}),
            )
            .await?;
        for n in 0..2 {
            let note = api
                .id(
                    "/api/soap-notes",
                    json!({"visitId": visit,
                           "subjective": format!("History {v}.{n}: owner reports the usual."),
                           "objective": "Bright, alert, responsive; heart and lungs clear.",
                           "assessment": format!("Assessment {v}.{n}"),
                           "plan": "Recheck as needed.",
                           "vitals": {"temperatureC": 38.5, "heartRate": 100,
                                      "respiratoryRate": 24,
                                      "weightKg": if n == 0 { Some(20.0 + (v % 10) as f64 / 10.0) } else { None }}}),
                )
                .await?;
            api.call(Method::POST, &format!("/api/soap-notes/{note}/sign"), None)
                .await?;
            notes += 1;
        }
        // The lab orders fall on evenly spread visits.
        if labs > 0 && v % (visits / labs).max(1) == 0 && v / (visits / labs).max(1) < labs {
            let order = api
                .id(
                    "/api/lab-orders",
                    json!({"petId": pet, "visitId": visit,
                           "tests": [{"code": "BIOCHEM", "name": "Biochemistry"}]}),
                )
                .await?;
            api.call(
                Method::POST,
                &format!("/api/lab-orders/{order}/results"),
                Some(json!({"values": [
                    {"analyte": "ALT", "value": 40.0, "unit": "U/L", "referenceLow": 10.0, "referenceHigh": 125.0},
                    {"analyte": "Urea", "value": 10.5, "unit": "mmol/L", "referenceLow": 2.5, "referenceHigh": 9.6},
                    {"analyte": "Glucose", "value": 3.9, "unit": "mmol/L", "referenceLow": 4.1, "referenceHigh": 7.9}
                ]})),
            )
            .await?;
        }
        api.call(Method::POST, &format!("/api/visits/{visit}/close"), None)
            .await?;
    }
    let seed_time = seeding.elapsed();

    let path = format!("/api/pets/{pet}/history");
    let mut items = 0;
    let mut bytes = 0;
    for _ in 0..args.history_warmup {
        api.call(Method::GET, &path, None).await?;
    }
    let mut lat = Vec::with_capacity(args.history_requests);
    for _ in 0..args.history_requests.max(1) {
        let started = Instant::now();
        let r = api
            .client
            .get(api.server.url(&path))
            .header(HOST, api.host.clone())
            .header(AUTHORIZATION, api.token.clone())
            .send()
            .await?;
        let status = r.status();
        let body = r.bytes().await?;
        lat.push(started.elapsed());
        if !status.is_success() {
            bail!("GET {path}: HTTP {status}");
        }
        bytes = body.len();
        let v: Value = serde_json::from_slice(&body)?;
        items = v["items"].as_array().map_or(0, Vec::len);
    }
    Ok(HistoryReport {
        backend,
        visits,
        notes,
        labs,
        items,
        bytes,
        seed_time,
        latency: Latencies::from_durations(&lat),
    })
}

fn ms(us: Option<u32>) -> String {
    us.map_or("-".into(), |u| format!("{:.1}", u as f64 / 1000.0))
}

/// The Markdown section of one backend.
pub fn section(r: &HistoryReport) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "\n## Patient history on {}\n", r.backend.title());
    let _ = writeln!(
        md,
        "One patient with {} visits, {} signed SOAP notes (vitals, half with a weight) and {} \
         lab orders with results, written through the API in {:.1} s. The history answers {} \
         items ({} KiB). Requests one at a time.\n",
        r.visits,
        r.notes,
        r.labs,
        r.seed_time.as_secs_f64(),
        r.items,
        r.bytes / 1024
    );
    let _ = writeln!(md, "| Route | Requests | p50 ms | p99 ms | max ms |");
    let _ = writeln!(md, "|---|---:|---:|---:|---:|");
    let _ = writeln!(
        md,
        "| `GET /api/pets/{{id}}/history` | {} | {} | {} | {} |",
        r.latency.len(),
        ms(r.latency.pct(50.0)),
        ms(r.latency.pct(99.0)),
        ms(r.latency.max()),
    );
    md
}
