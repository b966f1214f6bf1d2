//! A subscription's life over simulated months: trial -> active -> past due -> suspended ->
//! reactivated by paying -> canceled at the period end; non-payment ending in cancellation
//! and a new subscription; undoing a cancellation; a suspension and its end seen by a second
//! instance of the server.

use reqwest::StatusCode;
use serde_json::json;
use smartdmv_store::owner::audit;

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, TestApp, eventually};
use crate::plans::{create_company_on, create_plan, plan_body};

both_backends!(
    a_subscription_lives_from_trial_to_cancellation,
    non_payment_ends_the_subscription_and_a_new_one_restores_service,
    a_cancellation_can_be_undone_before_the_period_ends,
    a_suspension_and_its_end_reach_every_instance,
);

async fn app_at(b: Backend, start: &str) -> TestApp {
    TestApp::spawn_at(b, start).await
}

async fn a_subscription_lives_from_trial_to_cancellation(b: Backend) {
    let app = app_at(b, "2026-01-01T09:00:00Z").await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let c = create_company_on(&app, "life-vet", plan["id"].as_str().unwrap()).await;
    let cid = c["id"].as_str().unwrap();
    // Created on a plan: a 14-day trial.
    assert_eq!(c["status"], "TRIAL");
    let sub = subscription(&app, cid).await;
    assert_eq!(sub["status"], "TRIALING");
    assert_eq!(sub["trialEnd"], "2026-01-15T09:00:00Z");
    assert_eq!(sub["plan"]["name"], "Basic");
    assert_eq!(app.company(cid).await["subscription"], sub);
    assert_eq!(host_answers(&app, "life-vet").await, StatusCode::OK);
    assert!(invoices(&app, cid).await.is_empty());

    // Nothing happens before the trial ends.
    let r = at(&app, "2026-01-15T08:59:59Z").await;
    assert_eq!(r["steps"], 0);
    // The trial ends: the first paid period is invoiced, due a week later.
    at(&app, "2026-01-15T10:00:00Z").await;
    let sub = subscription(&app, cid).await;
    assert_eq!(sub["status"], "ACTIVE");
    assert_eq!(sub["currentPeriodStart"], "2026-01-15T09:00:00Z");
    assert_eq!(sub["currentPeriodEnd"], "2026-02-15T09:00:00Z");
    assert_eq!(company_status(&app, cid).await, "ACTIVE");
    let inv = invoices(&app, cid).await;
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0]["number"], "INV-2026-000001");
    assert_eq!(inv[0]["totalCents"], 4900);
    assert_eq!(inv[0]["dueAt"], "2026-01-22T09:00:00Z");
    pay_in_full(&app, &inv[0]).await;

    // The next period is invoiced at its start and left unpaid.
    at(&app, "2026-02-15T09:00:00Z").await;
    let inv = invoices(&app, cid).await;
    assert_eq!(inv.len(), 2);
    assert_eq!(inv[1]["number"], "INV-2026-000002");
    assert_eq!(inv[1]["status"], "OPEN");
    assert_eq!(subscription(&app, cid).await["status"], "ACTIVE");
    // Past its due date: PAST_DUE, still served.
    at(&app, "2026-02-22T09:00:01Z").await;
    assert_eq!(subscription(&app, cid).await["status"], "PAST_DUE");
    assert_eq!(company_status(&app, cid).await, "PAST_DUE");
    assert_eq!(host_answers(&app, "life-vet").await, StatusCode::OK);
    // Fourteen days of grace, then suspended: the host answers 403 at once (the resolver
    // cache of this test lives an hour, so only its invalidation can show this).
    at(&app, "2026-03-08T09:00:00Z").await;
    let sub = subscription(&app, cid).await;
    assert_eq!(sub["status"], "PAST_DUE");
    assert_eq!(sub["suspendedAt"], "2026-03-08T09:00:00Z");
    assert_eq!(company_status(&app, cid).await, "SUSPENDED");
    let r = app.public_practices("life-vet").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "company_suspended");

    // Paying the overdue invoice brings the company back.
    set_clock(&app, "2026-03-10T12:00:00Z");
    pay_in_full(&app, &inv[1]).await;
    let sub = subscription(&app, cid).await;
    assert_eq!(sub["status"], "ACTIVE");
    assert_eq!(sub["suspendedAt"], serde_json::Value::Null);
    assert_eq!(company_status(&app, cid).await, "ACTIVE");
    assert_eq!(host_answers(&app, "life-vet").await, StatusCode::OK);

    // Canceled at the period end: served until then, then not.
    let sub = put_subscription(&app, cid, json!({"cancelAtPeriodEnd": true})).await;
    assert_eq!(sub["cancelAtPeriodEnd"], true);
    at(&app, "2026-03-15T08:00:00Z").await;
    assert_eq!(host_answers(&app, "life-vet").await, StatusCode::OK);
    at(&app, "2026-03-15T09:00:00Z").await;
    let sub = subscription(&app, cid).await;
    assert_eq!(sub["status"], "CANCELED");
    assert_eq!(sub["cancelReason"], "requested");
    assert_eq!(sub["canceledAt"], "2026-03-15T09:00:00Z");
    assert_eq!(company_status(&app, cid).await, "SUSPENDED");
    assert_eq!(host_answers(&app, "life-vet").await, StatusCode::FORBIDDEN);
    assert_eq!(
        invoices(&app, cid).await.len(),
        2,
        "no renewal after a cancellation"
    );
    // A canceled subscription stays put.
    assert_eq!(at(&app, "2026-09-01T00:00:00Z").await["steps"], 0);

    // Every transition is in the owner audit log, with who and why.
    let log = audit::for_company(app.state.platform.owner.conn(), cid.parse().unwrap(), 200)
        .await
        .unwrap();
    let moves: Vec<(String, serde_json::Value, serde_json::Value)> = log
        .iter()
        .rev()
        .filter(|e| e.action == "company.status_change")
        .map(|e| {
            (
                e.actor.clone(),
                e.detail["status"].clone(),
                e.detail["reason"].clone(),
            )
        })
        .collect();
    let owner = format!("owner:{}", crate::helpers::OWNER_EMAIL);
    assert_eq!(
        moves,
        [
            (
                owner.clone(),
                json!(["ACTIVE", "TRIAL"]),
                json!("subscribed")
            ),
            (
                "system:billing".into(),
                json!(["TRIAL", "ACTIVE"]),
                json!("trial_ended")
            ),
            (
                "system:billing".into(),
                json!(["ACTIVE", "PAST_DUE"]),
                json!("payment_overdue")
            ),
            (
                "system:billing".into(),
                json!(["PAST_DUE", "SUSPENDED"]),
                json!("grace_period_expired")
            ),
            (owner.clone(), json!(["SUSPENDED", "ACTIVE"]), json!("paid")),
            (
                "system:billing".into(),
                json!(["ACTIVE", "SUSPENDED"]),
                json!("canceled_at_period_end")
            ),
        ]
    );
    let actions: Vec<&str> = log
        .iter()
        .rev()
        .map(|e| e.action.as_str())
        .filter(|a| a.starts_with("subscription."))
        .collect();
    assert_eq!(
        actions,
        [
            "subscription.start",
            "subscription.activate",
            "subscription.renew",
            "subscription.past_due",
            "subscription.suspend",
            "subscription.recover",
            "subscription.cancel_at_period_end",
            "subscription.cancel",
        ]
    );
}

async fn non_payment_ends_the_subscription_and_a_new_one_restores_service(b: Backend) {
    let app = app_at(b, "2026-04-01T00:00:00Z").await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let pid = plan["id"].as_str().unwrap();
    let cid = plain_company(&app, "unpaid-vet").await;
    // Subscribed without a trial: paying from now, the first period invoiced at once.
    let sub = put_subscription(&app, &cid, json!({"planId": pid})).await;
    assert_eq!(sub["status"], "ACTIVE");
    assert_eq!(sub["currentPeriodEnd"], "2026-05-01T00:00:00Z");
    assert_eq!(invoices(&app, &cid).await.len(), 1);
    // A server down for two months catches up in one tick: due Apr 8, suspended Apr 22,
    // canceled for non-payment at the period end (May 1), no renewal.
    at(&app, "2026-06-01T00:00:00Z").await;
    let sub = subscription(&app, &cid).await;
    assert_eq!(sub["status"], "CANCELED");
    assert_eq!(sub["cancelReason"], "non_payment");
    assert_eq!(sub["suspendedAt"], "2026-04-22T00:00:00Z");
    assert_eq!(sub["canceledAt"], "2026-05-01T00:00:00Z");
    assert_eq!(invoices(&app, &cid).await.len(), 1);
    assert_eq!(company_status(&app, &cid).await, "SUSPENDED");
    assert_eq!(
        host_answers(&app, "unpaid-vet").await,
        StatusCode::FORBIDDEN
    );
    // Subscribing again starts a new paid period and serves the company again.
    let sub = put_subscription(&app, &cid, json!({"planId": pid})).await;
    assert_eq!(sub["status"], "ACTIVE");
    assert_eq!(sub["currentPeriodStart"], "2026-06-01T00:00:00Z");
    assert_eq!(sub["cancelReason"], serde_json::Value::Null);
    assert_eq!(company_status(&app, &cid).await, "ACTIVE");
    assert_eq!(host_answers(&app, "unpaid-vet").await, StatusCode::OK);
    let inv = invoices(&app, &cid).await;
    assert_eq!(inv.len(), 2);
    assert_eq!(inv[1]["reason"], "subscription_start");
}

async fn a_cancellation_can_be_undone_before_the_period_ends(b: Backend) {
    let app = app_at(b, "2026-04-01T00:00:00Z").await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let cid = plain_company(&app, "undo-vet").await;
    subscribe(&app, &cid, &plan).await;
    pay_in_full(&app, &invoices(&app, &cid).await[0]).await;
    put_subscription(&app, &cid, json!({"cancelAtPeriodEnd": true})).await;
    set_clock(&app, "2026-04-20T00:00:00Z");
    let sub = put_subscription(&app, &cid, json!({"cancelAtPeriodEnd": false})).await;
    assert_eq!(sub["cancelAtPeriodEnd"], false);
    at(&app, "2026-05-01T00:00:00Z").await;
    let sub = subscription(&app, &cid).await;
    assert_eq!(sub["status"], "ACTIVE");
    assert_eq!(sub["currentPeriodEnd"], "2026-06-01T00:00:00Z");
    assert_eq!(invoices(&app, &cid).await.len(), 2);
    // Starting options make no sense on a running subscription.
    let (s, v) = app
        .put_subscription_of(&cid, json!({"trialDays": 30}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["trialDays"].is_array(), "{v}");
}

/// What a second instance of the platform answers on a company's host.
async fn answers_on(addr: std::net::SocketAddr, subdomain: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("http://{addr}/api/public/practices"))
        .header("host", format!("{subdomain}.localhost:{}", addr.port()))
        .send()
        .await
        .unwrap()
        .status()
}

/// A second server process on the same owner database, with the production default of a
/// one-second resolver cache, sees a suspension made by the first one without being told,
/// and sees the payment that ends it.
async fn a_suspension_and_its_end_reach_every_instance(b: Backend) {
    let app = app_at(b, "2026-04-01T00:00:00Z").await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let cid = plain_company(&app, "fleet-vet").await;
    subscribe(&app, &cid, &plan).await;

    let mut config = app.config.clone();
    config.resolve_ttl_ms = 1000;
    let other = smartdmv_server::Application::build_with_clock(config, app.clock.clone())
        .await
        .unwrap();
    let addr = other.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        other
            .run_until(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    // The second instance serves the company and caches that answer.
    assert_eq!(answers_on(addr, "fleet-vet").await, StatusCode::OK);

    // The first instance's billing run suspends it (due Apr 8, fourteen days of grace).
    at(&app, "2026-04-22T00:00:00Z").await;
    assert_eq!(company_status(&app, &cid).await, "SUSPENDED");
    assert!(
        eventually(|| async { answers_on(addr, "fleet-vet").await == StatusCode::FORBIDDEN }).await,
        "the other instance still serves a suspended company"
    );

    // Paying on the first instance brings it back on the second.
    set_clock(&app, "2026-04-23T00:00:00Z");
    let inv = invoices(&app, &cid).await;
    pay_in_full(&app, &inv[0]).await;
    assert_eq!(company_status(&app, &cid).await, "ACTIVE");
    assert!(
        eventually(|| async { answers_on(addr, "fleet-vet").await == StatusCode::OK }).await,
        "the other instance still refuses a company that paid"
    );
    let _ = stop.send(());
    server.await.unwrap();
}
