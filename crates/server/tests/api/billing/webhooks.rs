//! Card provider webhooks, checked with recorded payloads (`tests/fixtures/webhooks/`, each
//! with the signature the provider computed): a signed payment is applied once however often
//! it is delivered; tampered, foreign-signed, unsigned and stale deliveries are refused.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp};
use crate::plans::{create_plan, plan_body};

both_backends!(signed_webhooks_pay_once_and_forgeries_are_refused);

/// The secret the recorded payloads were signed with.
const FIXTURE_SECRET: &str = "whsec_fixture_5f1c2a";

struct Fixture {
    signature: String,
    body: String,
}

fn fixture(name: &str) -> Fixture {
    let path = format!(
        "{}/tests/fixtures/webhooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Fixture {
        signature: v["signature"].as_str().unwrap().to_owned(),
        body: v["body"].as_str().unwrap().to_owned(),
    }
}

async fn deliver(app: &TestApp, provider: &str, f: &Fixture, signed: bool) -> (StatusCode, Value) {
    let mut r = app
        .platform(Method::POST, &format!("/api/billing/webhooks/{provider}"))
        .header("content-type", "application/json")
        .body(f.body.clone());
    if signed {
        r = r.header("Smartdmv-Signature", &f.signature);
    }
    crate::helpers::json(r.send().await.unwrap()).await
}

async fn signed_webhooks_pay_once_and_forgeries_are_refused(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            clock_start: Some(ts("2026-04-01T00:00:00Z")),
            billing_webhook_secret: Some(FIXTURE_SECRET.into()),
            ..Options::default()
        },
    )
    .await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let cid = plain_company(&app, "hook-vet").await;
    put_subscription(&app, &cid, json!({"planId": plan["id"]})).await;
    let inv = invoices(&app, &cid).await[0].clone();
    assert_eq!(inv["number"], "INV-2026-000001");
    let id = inv["id"].as_str().unwrap();
    let payment = fixture("payment_succeeded.json");

    // Thirty seconds after the provider signed it.
    set_clock(&app, "2026-04-01T00:05:30Z");
    // Forgeries first: nothing of them may stick.
    let (s, e) = deliver(&app, "card", &fixture("payment_tampered.json"), true).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
    assert_eq!(e["code"], "invalid_signature");
    let (s, e) = deliver(&app, "card", &fixture("payment_wrong_secret.json"), true).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
    let (s, e) = deliver(&app, "card", &payment, false).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "invalid_signature_header");
    for provider in ["manual", "paypal"] {
        let (s, e) = deliver(&app, provider, &payment, true).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{provider}: {e}");
    }
    // Stale: ten minutes after signing, or from the future.
    set_clock(&app, "2026-04-01T00:15:00Z");
    let (s, e) = deliver(&app, "card", &payment, true).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "stale_webhook");
    set_clock(&app, "2026-03-31T23:55:00Z");
    let (s, _) = deliver(&app, "card", &payment, true).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Only the platform host takes webhooks.
    let r = app
        .tenant("hook-vet", Method::POST, "/api/billing/webhooks/card")
        .header("Smartdmv-Signature", &payment.signature)
        .body(payment.body.clone())
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::OK);
    let v = invoice(&app, id).await;
    assert_eq!(v["status"], "OPEN");
    assert_eq!(v["payments"], json!([]));

    // The genuine delivery pays the invoice.
    set_clock(&app, "2026-04-01T00:05:30Z");
    let (s, v) = deliver(&app, "card", &payment, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({"eventId": "evt_0001", "outcome": "applied"}));
    let paid = invoice(&app, id).await;
    assert_eq!(paid["status"], "PAID");
    assert_eq!(paid["payments"].as_array().unwrap().len(), 1);
    assert_eq!(paid["payments"][0]["provider"], "card");
    assert_eq!(paid["payments"][0]["reference"], "ch_3Pq81");
    assert_eq!(paid["payments"][0]["recordedBy"], "provider:card");
    // Redelivered: 200, and nothing applied twice.
    let (s, v) = deliver(&app, "card", &payment, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "duplicate");
    assert_eq!(invoice(&app, id).await, paid);
    // An event the platform does not act on is acknowledged (once).
    let other = fixture("customer_updated.json");
    let (s, v) = deliver(&app, "card", &other, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "ignored");
    let (_, v) = deliver(&app, "card", &other, true).await;
    assert_eq!(v["outcome"], "duplicate");
}
