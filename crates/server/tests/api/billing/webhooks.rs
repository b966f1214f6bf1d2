//! Card provider webhooks, checked with recorded payloads (`tests/fixtures/webhooks/`, each
//! with the signature the provider computed): a signed payment is applied once however often
//! it is delivered; tampered, foreign-signed, unsigned and stale deliveries are refused. A
//! payment its invoice cannot take is kept as an unapplied payment for the owner to refund
//! or resolve; an overpayment pays the invoice and keeps the rest.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp};
use crate::plans::{company_admin, create_plan, plan_body};

both_backends!(signed_webhooks_pay_once_and_forgeries_are_refused);
both_backends!(a_card_payment_for_a_paid_invoice_is_kept_unapplied_once_and_resolved_once);
both_backends!(an_overpayment_pays_the_invoice_and_keeps_the_rest);
both_backends!(a_charge_delivered_again_under_a_new_event_id_is_a_duplicate);

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
            billing_webhook_secret: Some(FIXTURE_SECRET.into()),
            ..Options::at("2026-04-01T00:00:00Z")
        },
    )
    .await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let cid = plain_company(&app, "hook-vet").await;
    subscribe(&app, &cid, &plan).await;
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

/// A payment event signed now with the fixture secret, as the provider would send it.
fn signed_payment(
    app: &TestApp,
    event: &str,
    invoice: &str,
    cents: i64,
    currency: &str,
) -> Fixture {
    signed_charge(app, event, &format!("ch_{event}"), invoice, cents, currency)
}

/// [`signed_payment`] with the provider's charge reference given.
fn signed_charge(
    app: &TestApp,
    event: &str,
    reference: &str,
    invoice: &str,
    cents: i64,
    currency: &str,
) -> Fixture {
    let body = json!({"id": event, "type": "payment.succeeded", "data": {
        "invoiceNumber": invoice, "amountCents": cents, "currency": currency,
        "reference": reference}})
    .to_string();
    let t = smartdmv_platform::billing::Clock::now(app.clock.as_ref()).as_second();
    Fixture {
        signature: format!(
            "t={t},v1={}",
            smartdmv_platform::billing::provider::sign(FIXTURE_SECRET, t, body.as_bytes())
        ),
        body,
    }
}

async fn webhook_app(b: Backend) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            billing_webhook_secret: Some(FIXTURE_SECRET.into()),
            ..Options::at("2026-04-01T00:00:00Z")
        },
    )
    .await
}

async fn unapplied(app: &TestApp, query: &str) -> Vec<Value> {
    let (s, v) = app
        .owner_get(&format!("/api/owner/unapplied-payments{query}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

async fn audit_actions(app: &TestApp, company: &str) -> Vec<Value> {
    app.owner_audit(company, 200)
        .await
        .into_iter()
        .filter(|e| e.action.starts_with("payment.unapplied"))
        .map(|e| json!({"action": e.action, "actor": e.actor, "detail": e.detail}))
        .collect()
}

async fn a_card_payment_for_a_paid_invoice_is_kept_unapplied_once_and_resolved_once(b: Backend) {
    let app = webhook_app(b).await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let cid = plain_company(&app, "kept-vet").await;
    subscribe(&app, &cid, &plan).await;
    let inv = invoices(&app, &cid).await[0].clone();
    assert_eq!(inv["number"], "INV-2026-000001");
    let id = inv["id"].as_str().unwrap();
    // The customer paid by bank transfer, then the card charge arrives too.
    pay_in_full(&app, &inv).await;
    let paid = invoice(&app, id).await;
    set_clock(&app, "2026-04-01T00:05:30Z");
    let payment = fixture("payment_succeeded.json");
    let (s, v) = deliver(&app, "card", &payment, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"eventId": "evt_0001", "outcome": "unapplied", "reason": "invoice_not_payable"})
    );
    assert_eq!(invoice(&app, id).await, paid, "the invoice is unchanged");
    let open = unapplied(&app, "?state=open").await;
    assert_eq!(open.len(), 1, "{open:?}");
    let kept = &open[0];
    for (k, want) in [
        ("provider", json!("card")),
        ("eventId", json!("evt_0001")),
        ("reference", json!("ch_3Pq81")),
        ("amountCents", json!(4900)),
        ("currency", json!("USD")),
        ("invoiceId", json!(id)),
        ("invoiceNumber", json!("INV-2026-000001")),
        ("companyId", json!(cid)),
        ("reason", json!("invoice_not_payable")),
        (
            "detail",
            json!("invoice INV-2026-000001 is PAID and takes no payment"),
        ),
        ("receivedAt", json!("2026-04-01T00:05:30Z")),
        ("state", json!("open")),
        ("note", Value::Null),
    ] {
        assert_eq!(kept[k], want, "{k}: {kept}");
    }
    let log = audit_actions(&app, &cid).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["action"], "payment.unapplied");
    assert_eq!(log[0]["actor"], "provider:card");
    assert_eq!(log[0]["detail"]["amountCents"], 4900);

    // Redelivered: a duplicate, nothing new kept.
    let (s, v) = deliver(&app, "card", &payment, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({"eventId": "evt_0001", "outcome": "duplicate"}));
    assert_eq!(unapplied(&app, "").await.len(), 1);
    assert_eq!(audit_actions(&app, &cid).await.len(), 1);

    // A COMPANY_ADMIN, even of that company, neither lists nor resolves.
    let ca = company_admin(&app, &cid, "ca@kept.example").await;
    let kid = kept["id"].as_str().unwrap();
    let r = app
        .platform_send(&ca, Method::GET, "/api/owner/unapplied-payments", None)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .platform_send(
            &ca,
            Method::POST,
            &format!("/api/owner/unapplied-payments/{kid}/resolve"),
            Some(json!({"state": "refunded", "note": "mine"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Resolution: checked, then done once.
    let resolve = |body: Value, kid: String| {
        let app = &app;
        async move {
            app.owner_post(
                &format!("/api/owner/unapplied-payments/{kid}/resolve"),
                body,
            )
            .await
        }
    };
    let (s, e) = resolve(json!({"state": "open", "note": "x"}), kid.into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = resolve(json!({"state": "refunded", "note": "  "}), kid.into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = resolve(
        json!({"state": "refunded", "note": "x"}),
        uuid::Uuid::now_v7().to_string(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    assert_eq!(unapplied(&app, "?state=open").await.len(), 1);
    set_clock(&app, "2026-04-02T09:00:00Z");
    let (s, v) = resolve(
        json!({"state": "refunded", "note": "Refunded to the card on 2 April"}),
        kid.into(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "refunded");
    assert_eq!(v["note"], "Refunded to the card on 2 April");
    assert_eq!(v["resolvedAt"], "2026-04-02T09:00:00Z");
    assert!(
        v["resolvedBy"].as_str().is_some_and(|b| !b.is_empty()),
        "{v}"
    );
    let (s, e) = resolve(json!({"state": "resolved", "note": "again"}), kid.into()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "unapplied_payment_closed");
    assert!(unapplied(&app, "?state=open").await.is_empty());
    let done = unapplied(&app, "?state=refunded").await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0]["note"], "Refunded to the card on 2 April");
    let (s, _) = app
        .owner_get("/api/owner/unapplied-payments?state=closed")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let log = audit_actions(&app, &cid).await;
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0]["action"], "payment.unapplied_resolve");
    assert_eq!(log[0]["detail"]["state"], "refunded");
    assert_eq!(
        invoice(&app, id).await,
        paid,
        "the invoice is still unchanged"
    );
}

async fn an_overpayment_pays_the_invoice_and_keeps_the_rest(b: Backend) {
    let app = webhook_app(b).await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let over = plain_company(&app, "over-vet").await;
    let euro = plain_company(&app, "euro-vet").await;
    subscribe(&app, &over, &plan).await;
    subscribe(&app, &euro, &plan).await;
    let over_inv = invoices(&app, &over).await[0].clone();
    let euro_inv = invoices(&app, &euro).await[0].clone();
    let number = over_inv["number"].as_str().unwrap();

    // 60.00 for an invoice of 49.00: the invoice is paid, 11.00 kept.
    let f = signed_payment(&app, "evt_over", number, 6000, "USD");
    let (s, v) = deliver(&app, "card", &f, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"eventId": "evt_over", "outcome": "partly_applied", "reason": "overpayment"})
    );
    let paid = invoice(&app, over_inv["id"].as_str().unwrap()).await;
    assert_eq!(paid["status"], "PAID", "{paid}");
    assert_eq!(paid["amountPaidCents"], 4900);
    assert_eq!(paid["payments"].as_array().unwrap().len(), 1);
    assert_eq!(paid["payments"][0]["amountCents"], 4900);
    assert_eq!(paid["payments"][0]["reference"], "ch_evt_over");
    let kept = unapplied(
        &app,
        &format!("?invoiceId={}", over_inv["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0]["amountCents"], 1100);
    assert_eq!(kept[0]["reason"], "overpayment");
    assert_eq!(kept[0]["reference"], "ch_evt_over");
    assert_eq!(audit_actions(&app, &over).await.len(), 1);

    // Another currency: nothing applied, all of it kept.
    let f = signed_payment(
        &app,
        "evt_eur",
        euro_inv["number"].as_str().unwrap(),
        4900,
        "EUR",
    );
    let (s, v) = deliver(&app, "card", &f, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "unapplied");
    assert_eq!(v["reason"], "currency_mismatch");
    let still = invoice(&app, euro_inv["id"].as_str().unwrap()).await;
    assert_eq!(still["status"], "OPEN");
    assert_eq!(still["payments"], json!([]));
    let all = unapplied(&app, "?state=open").await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["companyId"], json!(euro), "newest first");
    assert_eq!(all[0]["amountCents"], 4900);
    assert_eq!(all[0]["currency"], "EUR");

    // An invoice that does not exist is not ours to place: refused, and not recorded.
    let f = signed_payment(&app, "evt_none", "INV-2026-999999", 4900, "USD");
    for _ in 0..2 {
        let (s, e) = deliver(&app, "card", &f, true).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    }
    assert_eq!(unapplied(&app, "").await.len(), 2);
}

/// A provider that retries a charge under a new event id gets `duplicate`: the charge is
/// placed once, whether it was applied or kept.
async fn a_charge_delivered_again_under_a_new_event_id_is_a_duplicate(b: Backend) {
    let app = webhook_app(b).await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let cid = plain_company(&app, "retry-vet").await;
    subscribe(&app, &cid, &plan).await;
    let inv = invoices(&app, &cid).await[0].clone();
    let number = inv["number"].as_str().unwrap();
    let id = inv["id"].as_str().unwrap();

    let first = signed_charge(&app, "evt_first", "ch_same", number, 4900, "USD");
    let (s, v) = deliver(&app, "card", &first, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "applied");
    let again = signed_charge(&app, "evt_retry", "ch_same", number, 4900, "USD");
    let (s, v) = deliver(&app, "card", &again, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "duplicate", "{v}");
    assert_eq!(v["eventId"], "evt_retry");
    let paid = invoice(&app, id).await;
    assert_eq!(paid["status"], "PAID");
    assert_eq!(paid["amountPaidCents"], 4900, "{paid}");
    assert_eq!(paid["payments"].as_array().unwrap().len(), 1, "{paid}");
    assert!(unapplied(&app, "").await.is_empty());

    // A charge kept unapplied is not kept twice either.
    let extra = signed_charge(&app, "evt_extra", "ch_extra", number, 700, "USD");
    let (_, v) = deliver(&app, "card", &extra, true).await;
    assert_eq!(v["outcome"], "unapplied", "{v}");
    let extra_again = signed_charge(&app, "evt_extra_2", "ch_extra", number, 700, "USD");
    let (s, v) = deliver(&app, "card", &extra_again, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "duplicate", "{v}");
    let kept = unapplied(&app, "").await;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0]["reference"], "ch_extra");
}
