//! The tenant registry under load: a hard connection budget per server, and fault isolation.

use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp, eventually, json, server_side_connections};

both_backends!(
    connections_stay_within_the_budget_and_every_request_succeeds,
    an_unreachable_tenant_answers_503_while_others_serve,
    concurrent_first_requests_open_the_pool_once,
    idle_and_expired_pools_are_closed,
);

const BUDGET: usize = 3;
const COMPANIES: usize = 12;

async fn connections_stay_within_the_budget_and_every_request_succeeds(b: Backend) {
    let app = Arc::new(
        TestApp::spawn_with(
            b.clone(),
            Options {
                pg_budget: Some(BUDGET),
                sqlite_budget: Some(BUDGET),
                ..Options::default()
            },
        )
        .await,
    );
    let mut subs = Vec::new();
    for i in 0..COMPANIES {
        let sub = format!("load-{i:02}");
        app.create_company(&sub).await;
        subs.push(sub);
    }

    // Watch the server side while the load runs.
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicI64::new(0));
    let samples = Arc::new(AtomicI64::new(0));
    let watcher = {
        let (app, stop, peak, samples) = (app.clone(), stop.clone(), peak.clone(), samples.clone());
        tokio::spawn(async move {
            let admin = if app.backend.is_pg() {
                Some(app.pg_admin().await)
            } else {
                None
            };
            let sql = format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname ~ '^{}[0-9a-f]{{32}}$'",
                app.prefix
            );
            while !stop.load(Ordering::Relaxed) {
                let n = match &admin {
                    Some(db) => {
                        use sea_orm::ConnectionTrait;
                        let row = db
                            .query_one_raw(sea_orm::Statement::from_string(
                                sea_orm::DbBackend::Postgres,
                                sql.clone(),
                            ))
                            .await
                            .unwrap()
                            .unwrap();
                        row.try_get_by_index::<i64>(0).unwrap()
                    }
                    None => app.sqlite_connections(),
                };
                peak.fetch_max(n, Ordering::Relaxed);
                samples.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };

    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..24 {
        let app = app.clone();
        let subs = subs.clone();
        tasks.spawn(async move {
            let mut ok = 0;
            for i in 0..15 {
                let sub = &subs[(w * 7 + i * 5) % subs.len()];
                let (s, body) = json(app.public_practices(sub).await).await;
                assert_eq!(s, StatusCode::OK, "{sub}: {body}");
                assert!(body.to_string().contains(&format!("Company {sub}")));
                ok += 1;
            }
            ok
        });
    }
    let mut total = 0;
    while let Some(r) = tasks.join_next().await {
        total += r.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    watcher.await.unwrap();
    assert_eq!(total, 24 * 15);
    let m = app.state.platform.registry.metrics();
    assert!(
        samples.load(Ordering::Relaxed) > 10,
        "the watcher barely sampled"
    );
    let peak = peak.load(Ordering::Relaxed);
    assert!(
        peak <= BUDGET as i64,
        "peak {peak} connections over a budget of {BUDGET}"
    );
    assert!(peak >= 1, "no connection was ever seen");
    assert!(m.connections.values().all(|&n| n <= BUDGET), "{m:?}");
    assert!(
        m.evictions > 0,
        "12 companies over a budget of 3 must evict: {m:?}"
    );
    assert!(m.live_pools <= BUDGET);
}

async fn an_unreachable_tenant_answers_503_while_others_serve(b: Backend) {
    let app = TestApp::spawn(b.clone()).await;
    let down = app.create_company("down-vet").await;
    app.create_company("up-vet").await;
    let down_id = down["id"].as_str().unwrap().to_owned();
    for s in ["down-vet", "up-vet"] {
        let r = app.public_practices(s).await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    // Take down-vet's database away underneath the running server.
    match &b {
        Backend::Sqlite => {
            let smartdmv_tenancy::TenantLocation::Sqlite { path } = app.location(&down_id).await
            else {
                panic!("expected SQLite")
            };
            std::fs::rename(&path, path.with_extension("moved")).unwrap();
            // SQLite keeps serving an open file after a rename; a real outage closes it.
            app.state.platform.registry.evict(down_id.parse().unwrap());
        }
        Backend::Postgres(_) => {
            let name = app.managed_db_name(&down_id);
            app.pg_exec(&format!(
                "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
            ))
            .await;
            app.pg_exec(&format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .await;
        }
    }

    for _ in 0..3 {
        let r = app.public_practices("down-vet").await;
        let retry = r.headers().get("retry-after").is_some();
        let (s, body) = json(r).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["code"], "tenant_unavailable");
        assert!(retry);
        let (s, body) = json(app.public_practices("up-vet").await).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.to_string().contains("Company up-vet"));
    }
    assert!(app.state.platform.registry.metrics().open_failures >= 1);
}

async fn concurrent_first_requests_open_the_pool_once(b: Backend) {
    let app = Arc::new(TestApp::spawn(b).await);
    let c = app.create_company("single-flight").await;
    let id = c["id"].as_str().unwrap().to_owned();
    let before = app.state.platform.registry.metrics();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let app = app.clone();
        tasks.spawn(async move { app.public_practices("single-flight").await.status() });
    }
    while let Some(s) = tasks.join_next().await {
        assert_eq!(s.unwrap(), StatusCode::OK);
    }
    let after = app.state.platform.registry.metrics();
    assert_eq!(after.opens - before.opens, 1, "{after:?}");
    assert_eq!(after.hits - before.hits, 31, "{after:?}");
    assert_eq!(after.live_pools, 1);
    assert_eq!(
        server_side_connections(&app, &id).await,
        1,
        "one connection per company"
    );
}

async fn idle_and_expired_pools_are_closed(b: Backend) {
    // Idle timeout 0: the reaper closes a pool as soon as no request holds it.
    let app = TestApp::spawn_with(
        b.clone(),
        Options {
            idle_timeout_secs: Some(0),
            ..Options::default()
        },
    )
    .await;
    let c = app.create_company("idle-vet").await;
    let id = c["id"].as_str().unwrap().to_owned();
    let r = app.public_practices("idle-vet").await;
    assert_eq!(r.status(), StatusCode::OK);
    let registry = &app.state.platform.registry;
    assert!(registry.is_live(id.parse().unwrap()));
    assert_eq!(server_side_connections(&app, &id).await, 1);
    registry.reap();
    assert!(!registry.is_live(id.parse().unwrap()));
    assert_eq!(registry.metrics().idle_closes, 1);
    assert!(eventually(|| async { server_side_connections(&app, &id).await == 0 }).await);
    // The next request opens it again.
    let r = app.public_practices("idle-vet").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(registry.metrics().opens, 2);
    drop(app);

    // Maximum lifetime 0: a pool is replaced once it has served.
    let app = TestApp::spawn_with(
        b,
        Options {
            max_lifetime_secs: Some(0),
            ..Options::default()
        },
    )
    .await;
    app.create_company("old-vet").await;
    let r = app.public_practices("old-vet").await;
    assert_eq!(r.status(), StatusCode::OK);
    let registry = &app.state.platform.registry;
    registry.reap();
    let m = registry.metrics();
    assert_eq!(
        (m.lifetime_closes, m.idle_closes, m.live_pools),
        (1, 0, 0),
        "{m:?}"
    );
}
