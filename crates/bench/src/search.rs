//! The search scenario: one company with tens of thousands of clients and patients, bulk
//! inserted straight into its database and indexed with the store's `search::rebuild`, then
//! `GET /api/search` for names, typo'd names, surnames, prefixes, phones, emails and
//! microchips, and the client and pet list routes, measured over HTTP on the real server.

use anyhow::{Context, Result, bail};
use reqwest::header::{AUTHORIZATION, HOST, HeaderValue};
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait};
use serde_json::json;
use smartdmv_domain::contact::ContactKind;
use smartdmv_domain::text;
// First names are the demo's, so the benchmark searches the kind of names the demo shows.
use smartdmv_server::demo::practice::FIRST;
use smartdmv_store::tenant::{client, client_contact, patient, patient_owner, search};
use smartdmv_tenancy::TenantLocation;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

use crate::load::{Latencies, LoadResult, SplitMix};
use crate::server::{Server, ServerSpec, TempDir};
use crate::{Args, Backend};

/// Surnames are built from a start and an end, giving a few thousand distinct words.
const START: &[&str] = &[
    "Ander", "Bald", "Black", "Brad", "Brook", "Cald", "Carl", "Chad", "Clay", "Cram", "Dal",
    "Dun", "Ed", "Ell", "Fair", "Farn", "Fitz", "Gar", "Glad", "Gold", "Green", "Hal", "Ham",
    "Hart", "Hol", "Ing", "Jack", "Kings", "Lang", "Lind", "Mac", "Mar", "Mer", "Mill", "Mor",
    "New", "Nor", "Old", "Pem", "Quin", "Rad", "Red", "Ros", "Sand", "Sher", "Smith", "Stan",
    "Stock", "Thorn", "Town", "Wal", "Ward", "West", "Whit", "Wil", "Win", "Wood", "Wy", "Yar",
];
const END: &[&str] = &[
    "son", "ton", "ley", "well", "wood", "field", "ford", "by", "er", "man", "worth", "ham",
    "stone", "burn", "dale", "more", "ridge", "brook", "shaw", "wick", "more", "ing", "ett", "ey",
    "ard", "ock", "ins", "es", "ell", "ow", "ville", "gate", "hurst", "combe", "den", "hill",
    "ney", "sted", "thorpe", "ick", "lock", "mond", "rick", "",
];
const PETS: &[&str] = &[
    "Bella", "Max", "Luna", "Charlie", "Lucy", "Cooper", "Daisy", "Milo", "Bailey", "Rocky",
    "Coco", "Buddy", "Sadie", "Bear", "Molly", "Tucker", "Stella", "Duke", "Lola", "Oliver", "Zoe",
    "Leo", "Penny", "Teddy", "Rosie", "Simba", "Nala", "Loki", "Willow", "Jasper", "Pepper",
    "Ginger", "Oreo", "Shadow", "Smokey", "Biscuit", "Hazel", "Maple", "Ziggy", "Pickles",
    "Nugget", "Peanut", "Mango", "Kiwi", "Sunny", "Thumper", "Clover", "Pip", "Rex", "Misty",
    "Tigger", "Felix", "Cleo", "Tilly", "Winston", "Archie", "Poppy", "Hugo", "Marble",
];
const SPECIES: &[&str] = &[
    "dog",
    "dog",
    "dog",
    "cat",
    "cat",
    "rabbit",
    "guinea-pig",
    "bird",
];

/// A generated client, kept for building queries.
struct Gen {
    id: Uuid,
    first: String,
    last: String,
    phone: String,
    email: String,
    active: bool,
}

/// Makes one query text (and the record it should find) from a generated client.
type MakeQuery<'a> = &'a mut dyn FnMut(&mut SplitMix, &Gen) -> (String, Option<Uuid>);

/// A query and the record it should find (if any).
struct Probe {
    path: String,
    expect: Option<Uuid>,
}

/// One measured route or query class.
pub struct Row {
    label: String,
    example: String,
    checked: Option<(usize, usize)>,
    result: Option<LoadResult>,
    note: Option<String>,
}

/// Everything the search scenario measured on one backend.
pub struct SearchReport {
    backend: Backend,
    clients: usize,
    patients: usize,
    contacts: usize,
    chips: usize,
    seed: Duration,
    rebuild: Duration,
    terms: i64,
    fuzzy: i64,
    rows: Vec<Row>,
}

/// Surname starts are skewed: u^2 puts half the picks in the first quarter, so a few
/// surnames are shared by a hundred clients or more. First names and pet names are uniform
/// over short lists: every one is shared by hundreds (about 600 clients per first name and
/// 1,300 patients per pet name at the default sizes).
fn skewed(rng: &mut SplitMix, n: usize) -> usize {
    let u = rng.next_f64();
    ((u * u) * n as f64) as usize % n
}

async fn connect(
    backend: Backend,
    data_dir: &Path,
    pg: &PgConnectOptions,
    db_name: &str,
) -> Result<sea_orm::DatabaseConnection> {
    let loc = match backend {
        Backend::Sqlite => TenantLocation::Sqlite {
            path: data_dir.join("tenants").join(db_name),
        },
        Backend::Postgres => TenantLocation::Postgres {
            options: Box::new(pg.clone().database(db_name)),
        },
    };
    Ok(loc.connect(1, Duration::from_secs(30)).await?)
}

macro_rules! insert_all {
    ($db:expr, $module:ident, $rows:expr) => {
        for chunk in $rows.chunks(200) {
            $module::Entity::insert_many(
                chunk
                    .iter()
                    .cloned()
                    .map(|m| $module::ActiveModel::from(m).reset_all()),
            )
            .exec_without_returning($db)
            .await?;
        }
    };
}

/// Inserts the clients, contacts, patients and owner links in one transaction.
async fn seed(
    db: &sea_orm::DatabaseConnection,
    args: &Args,
    rng: &mut SplitMix,
) -> Result<(Vec<Gen>, Vec<(Uuid, String, Option<String>, Uuid)>, usize)> {
    let now = smartdmv_store::now();
    let mut gens = Vec::with_capacity(args.search_clients);
    let (mut clients, mut contacts) = (Vec::new(), Vec::new());
    for n in 0..args.search_clients {
        let first = FIRST[rng.below(FIRST.len())].to_owned();
        let last = format!(
            "{}{}",
            START[skewed(rng, START.len())],
            END[rng.below(END.len())]
        );
        let phone = format!(
            "+1 ({:03}) {:03}-{:04}",
            200 + rng.below(800),
            rng.below(1000),
            rng.below(10_000)
        );
        let email = format!(
            "{}.{}{}@{}",
            text::fold_name(&first),
            last.to_lowercase(),
            n,
            ["mail.example", "post.example", "inbox.example"][rng.below(3)]
        );
        let id = Uuid::now_v7();
        let active = rng.below(50) != 0;
        clients.push(client::Model {
            id: id.into(),
            first_name: first.clone(),
            last_name: last.clone(),
            name_key: text::person_key(&first, &last),
            email: Some(email.clone()),
            phone: Some(phone.clone()),
            address: None,
            home_practice_id: None,
            balance_cents: 0,
            alerts: json!([]),
            notes: None,
            user_id: None,
            active,
            deactivated_at: None,
            created_at: now,
            updated_at: now,
        });
        for (kind, value, normalized) in [
            (
                ContactKind::Phone,
                phone.clone(),
                text::phone_digits(&phone),
            ),
            (ContactKind::Email, email.clone(), email.clone()),
        ] {
            contacts.push(client_contact::Model {
                id: Uuid::now_v7().into(),
                client_id: id.into(),
                kind,
                value,
                normalized,
                purpose: "home".into(),
                sms_consent: false,
                email_consent: false,
                is_primary: true,
                created_at: now,
            });
        }
        gens.push(Gen {
            id,
            first,
            last,
            phone,
            email,
            active,
        });
    }
    let (mut patients, mut owners, mut pets) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..args.search_patients {
        let owner = if i < gens.len() {
            gens[i].id
        } else {
            gens[rng.below(gens.len())].id
        };
        let name = PETS[rng.below(PETS.len())].to_owned();
        let chip = (rng.below(10) < 6).then(|| {
            format!(
                "{}{:012}",
                ["985", "981", "956", "900"][rng.below(4)],
                rng.next_u64() % 1_000_000_000_000
            )
        });
        let id = Uuid::now_v7();
        patients.push(patient::Model {
            id: id.into(),
            name: name.clone(),
            name_key: text::fold_name(&name),
            species: SPECIES[rng.below(SPECIES.len())].into(),
            breed: None,
            sex: "unknown".into(),
            neutered: false,
            date_of_birth: None,
            dob_estimated: false,
            colour: None,
            microchip: chip.clone(),
            microchip_type: chip.as_ref().map(|_| "iso".into()),
            alerts: json!([]),
            deceased_on: None,
            notes: None,
            active: true,
            created_at: now,
            updated_at: now,
        });
        owners.push(patient_owner::Model {
            id: Uuid::now_v7().into(),
            patient_id: id.into(),
            client_id: owner.into(),
            is_primary: true,
            started_at: now,
            ended_at: None,
            end_reason: None,
            created_by: None,
        });
        pets.push((id, name, chip, owner));
    }
    let contact_count = contacts.len();
    smartdmv_store::TenantConnection::from_raw(db.clone())
        .transaction(None, |txn| async move {
            let txn = &*txn;
            insert_all!(txn, client, clients);
            insert_all!(txn, client_contact, contacts);
            insert_all!(txn, patient, patients);
            insert_all!(txn, patient_owner, owners);
            Ok::<_, anyhow::Error>(())
        })
        .await?;
    Ok((gens, pets, contact_count))
}

async fn count(db: &sea_orm::DatabaseConnection, table: &str) -> Result<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT count(*) FROM {table}"),
        ))
        .await?
        .context("count")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Swaps two adjacent letters inside the word (a typo), keeping the first letter.
fn transpose(rng: &mut SplitMix, w: &str) -> String {
    let mut c: Vec<char> = w.chars().collect();
    if c.len() >= 4 {
        let i = 1 + rng.below(c.len() - 2);
        c.swap(i, i + 1);
    }
    c.into_iter().collect()
}

/// Drops one letter inside the word.
fn drop_letter(rng: &mut SplitMix, w: &str) -> String {
    let mut c: Vec<char> = w.chars().collect();
    if c.len() >= 5 {
        c.remove(1 + rng.below(c.len() - 2));
    }
    c.into_iter().collect()
}

const SAMPLES: usize = 300;

fn probes(
    rng: &mut SplitMix,
    gens: &[Gen],
    pets: &[(Uuid, String, Option<String>, Uuid)],
) -> Vec<(&'static str, Vec<Probe>)> {
    let mut classes: Vec<(&'static str, Vec<Probe>)> = Vec::new();
    let q = |s: String| format!("/api/search?q={}", enc(&s));
    let mut pick = |f: MakeQuery| {
        (0..SAMPLES)
            .map(|_| {
                // Active clients only: inactive ones are (rightly) not found.
                let mut g = &gens[rng.below(gens.len())];
                while !g.active {
                    g = &gens[rng.below(gens.len())];
                }
                let (text, expect) = f(rng, g);
                Probe {
                    path: q(text),
                    expect,
                }
            })
            .collect::<Vec<_>>()
    };
    classes.push((
        "name (first last)",
        pick(&mut |_, g| (format!("{} {}", g.first, g.last), Some(g.id))),
    ));
    classes.push((
        "typo'd name (transposed + missing letter)",
        pick(&mut |r, g| {
            (
                format!("{} {}", drop_letter(r, &g.first), transpose(r, &g.last)),
                Some(g.id),
            )
        }),
    ));
    classes.push(("surname only", pick(&mut |_, g| (g.last.clone(), None))));
    classes.push((
        "3-letter prefix",
        pick(&mut |_, g| (g.last.chars().take(3).collect(), None)),
    ));
    classes.push((
        "phone (last 7 digits, formatted)",
        pick(&mut |_, g| {
            let d = text::phone_digits(&g.phone);
            let tail = &d[d.len() - 7..];
            (format!("{}-{}", &tail[..3], &tail[3..]), None)
        }),
    ));
    classes.push((
        "email (prefix, upper case)",
        pick(&mut |_, g| {
            (
                g.email[..g.email.find('@').unwrap_or(8)].to_uppercase(),
                Some(g.id),
            )
        }),
    ));
    let chipped: Vec<&(Uuid, String, Option<String>, Uuid)> =
        pets.iter().filter(|p| p.2.is_some()).collect();
    let chips = (0..SAMPLES)
        .map(|_| {
            let p = chipped[rng.below(chipped.len())];
            let chip = p.2.clone().unwrap_or_default();
            Probe {
                path: q(format!("{} {} {}", &chip[..3], &chip[3..9], &chip[9..])),
                expect: Some(p.0),
            }
        })
        .collect();
    classes.push(("microchip (ISO, spaced)", chips));
    classes
}

/// A closed loop over `paths` with the tenant's host and token.
async fn load(
    server: &Server,
    host: &HeaderValue,
    token: &HeaderValue,
    paths: Arc<Vec<String>>,
    concurrency: usize,
    duration: Duration,
) -> Result<LoadResult> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = server.url("");
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for w in 0..concurrency {
        let (client, base, host, token, paths) = (
            client.clone(),
            base.clone(),
            host.clone(),
            token.clone(),
            paths.clone(),
        );
        workers.push(tokio::spawn(async move {
            let (mut lat, mut errors) = (Vec::new(), BTreeMap::<String, u64>::new());
            let mut i = w;
            while Instant::now() < deadline && lat.len() < 1_000_000 {
                let url = format!("{base}{}", paths[i % paths.len()]);
                i += concurrency;
                let t = Instant::now();
                let r = client
                    .get(&url)
                    .header(HOST, host.clone())
                    .header(AUTHORIZATION, token.clone())
                    .send()
                    .await;
                match r {
                    Ok(resp) => {
                        let status = resp.status();
                        let ok = resp.bytes().await.is_ok();
                        if status.is_success() && ok {
                            lat.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                        } else {
                            *errors
                                .entry(format!("HTTP {}", status.as_u16()))
                                .or_default() += 1;
                        }
                    }
                    Err(_) => *errors.entry("transport error".into()).or_default() += 1,
                }
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), BTreeMap::<String, u64>::new());
    for w in workers {
        let (lat, errs) = w.await?;
        all.extend(lat);
        for (k, n) in errs {
            *errors.entry(k).or_default() += n;
        }
    }
    Ok(LoadResult {
        ok: all.len() as u64,
        errors,
        elapsed: started.elapsed(),
        latencies: Latencies::from_unsorted(all),
    })
}

/// How many of the first 20 probes that name a record find it.
async fn check(
    server: &Server,
    host: &HeaderValue,
    token: &HeaderValue,
    probes: &[Probe],
) -> Result<Option<(usize, usize)>> {
    let client = reqwest::Client::builder().no_proxy().build()?;
    let (mut found, mut tried) = (0, 0);
    for p in probes.iter().filter(|p| p.expect.is_some()).take(20) {
        tried += 1;
        let v: serde_json::Value = client
            .get(server.url(&p.path))
            .header(HOST, host.clone())
            .header(AUTHORIZATION, token.clone())
            .send()
            .await?
            .json()
            .await?;
        let want = p.expect.map(|u| u.to_string()).unwrap_or_default();
        let hit = ["clients", "patients"].iter().any(|l| {
            v[l].as_array()
                .is_some_and(|a| a.iter().any(|x| x["id"].as_str() == Some(want.as_str())))
        });
        found += usize::from(hit);
    }
    Ok((tried > 0).then_some((found, tried)))
}

/// Runs the scenario on one backend. `prefix` names this run's PostgreSQL databases.
pub async fn run(
    backend: Backend,
    args: Arc<Args>,
    bin: std::path::PathBuf,
    pg: PgConnectOptions,
    prefix: Option<String>,
) -> Result<SearchReport> {
    let tmp = TempDir::new(if prefix.is_some() {
        "search-pg"
    } else {
        "search-sqlite"
    })?;
    let server = Server::start(&ServerSpec {
        bin: &bin,
        data_dir: &tmp.0,
        pg: prefix.as_deref().map(|p| (args.pg_url.as_str(), p)),
        pg_budget: args.pg_budget,
    })
    .await?;
    let password = format!("Bench-{}", crate::server::random_hex(12));
    let company = server
        .create_company_with_admin("search-bench", "admin@search.example", &password)
        .await?;
    let token = server
        .tenant_login("search-bench", "admin@search.example", &password)
        .await?;
    let host = HeaderValue::from_str(&server.tenant_host("search-bench"))?;
    let token = HeaderValue::from_str(&format!("Bearer {token}"))?;

    eprintln!(
        "search: seeding {} clients and {} patients",
        args.search_clients, args.search_patients
    );
    let db = connect(backend, &tmp.0, &pg, &company.db_name).await?;
    let mut rng = SplitMix::new(args.seed);
    let started = Instant::now();
    let (gens, pets, contacts) = seed(&db, &args, &mut rng).await?;
    let seed_took = started.elapsed();
    eprintln!(
        "search: seeded in {:.1} s; rebuilding the index",
        seed_took.as_secs_f64()
    );
    let started = Instant::now();
    smartdmv_store::TenantConnection::from_raw(db.clone())
        .transaction(None, |txn| async move { search::rebuild(&*txn).await })
        .await?;
    let rebuild = started.elapsed();
    if backend == Backend::Postgres {
        db.execute_unprepared("ANALYZE").await?;
    }
    let terms = count(&db, "search_terms").await?;
    let fuzzy = count(&db, "search_fuzzy").await?;
    let _ = db.close().await;
    eprintln!(
        "search: index rebuilt in {:.1} s ({terms} terms, {fuzzy} fuzzy keys)",
        rebuild.as_secs_f64()
    );

    let mut rows = Vec::new();
    let mut classes = probes(&mut rng, &gens, &pets);
    classes.push((
        "GET /api/clients?limit=50",
        vec![Probe {
            path: "/api/clients?limit=50".into(),
            expect: None,
        }],
    ));
    classes.push((
        "GET /api/pets?limit=50",
        vec![Probe {
            path: "/api/pets?limit=50".into(),
            expect: None,
        }],
    ));
    let probe_client = reqwest::Client::builder().no_proxy().build()?;
    for (label, probes) in classes {
        let example = percent_decode(&probes[0].path);
        let r = probe_client
            .get(server.url(&probes[0].path))
            .header(HOST, host.clone())
            .header(AUTHORIZATION, token.clone())
            .send()
            .await?;
        if r.status() == reqwest::StatusCode::NOT_FOUND {
            rows.push(Row {
                label: label.into(),
                example,
                checked: None,
                result: None,
                note: Some("route missing in this build".into()),
            });
            continue;
        }
        if !r.status().is_success() {
            bail!("{label}: HTTP {} for {}", r.status(), probes[0].path);
        }
        let checked = check(&server, &host, &token, &probes).await?;
        let paths = Arc::new(probes.into_iter().map(|p| p.path).collect::<Vec<_>>());
        eprintln!("search: {label}");
        if args.warmup_seconds > 0.0 {
            let w = Duration::from_secs_f64(args.warmup_seconds.min(2.0));
            load(&server, &host, &token, paths.clone(), 1, w).await?;
        }
        let result = load(
            &server,
            &host,
            &token,
            paths,
            args.search_concurrency,
            args.measured(),
        )
        .await?;
        rows.push(Row {
            label: label.into(),
            example,
            checked,
            result: Some(result),
            note: None,
        });
    }
    drop(server);
    Ok(SearchReport {
        backend,
        clients: gens.len(),
        patients: pets.len(),
        contacts,
        chips: pets.iter().filter(|p| p.2.is_some()).count(),
        seed: seed_took,
        rebuild,
        terms,
        fuzzy,
        rows,
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) if b[i] == b'%' => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn ms(us: Option<u32>) -> String {
    us.map_or("-".into(), |v| format!("{:.2}", v as f64 / 1e3))
}

/// The Markdown section of one backend.
pub fn section(args: &Args, r: &SearchReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n## Search on {}\n", r.backend.title());
    let _ = writeln!(
        s,
        "* One company: {} clients ({} contacts, 1 in 50 inactive), {} patients ({} microchipped), \
         bulk-inserted into its database in {:.1} s; `search::rebuild` in {:.1} s: {} index rows, \
         {} deletion keys.",
        r.clients,
        r.contacts,
        r.patients,
        r.chips,
        r.seed.as_secs_f64(),
        r.rebuild.as_secs_f64(),
        r.terms,
        r.fuzzy
    );
    let _ = writeln!(
        s,
        "* {} request(s) in flight, {} s per row after a warm-up, cycling through {SAMPLES} \
         different queries per row. *Found* = of up to 20 queries naming one record, how many \
         answered with it.\n",
        args.search_concurrency, args.seconds
    );
    let _ = writeln!(
        s,
        "| Query | Example | Found | Requests | p50 ms | p99 ms | max ms | req/s | Errors |"
    );
    let _ = writeln!(s, "|---|---|---|---:|---:|---:|---:|---:|---|");
    for row in &r.rows {
        let found = row.checked.map_or("-".into(), |(f, t)| format!("{f}/{t}"));
        match (&row.result, &row.note) {
            (Some(res), _) => {
                let errs = if res.errors.is_empty() {
                    "0".into()
                } else {
                    format!("{:?}", res.errors)
                };
                let _ = writeln!(
                    s,
                    "| {} | `{}` | {found} | {} | {} | {} | {} | {:.0} | {errs} |",
                    row.label,
                    row.example,
                    res.ok,
                    ms(res.latencies.pct(50.0)),
                    ms(res.latencies.pct(99.0)),
                    ms(res.latencies.max()),
                    res.rate()
                );
            }
            (None, note) => {
                let _ = writeln!(
                    s,
                    "| {} | `{}` | - | - | - | - | - | - | {} |",
                    row.label,
                    row.example,
                    note.as_deref().unwrap_or("")
                );
            }
        }
    }
    s
}
