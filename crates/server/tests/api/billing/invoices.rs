//! Invoices: sequential numbers, immutable once issued (no route edits them), voided only by
//! a credit note, payments checked against what is due, written off.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, TestApp, strs};
use crate::plans::{create_plan, plan_body};

both_backends!(
    issued_invoices_are_immutable_and_voided_only_by_a_credit_note,
    payments_are_checked_against_what_is_due,
);

async fn spawn(b: Backend) -> TestApp {
    TestApp::spawn_at(b, "2026-04-01T00:00:00Z").await
}

async fn issued_invoices_are_immutable_and_voided_only_by_a_credit_note(b: Backend) {
    let app = spawn(b).await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let a = plain_company(&app, "inv-a-vet").await;
    let bb = plain_company(&app, "inv-b-vet").await;
    subscribe(&app, &a, &plan).await;
    subscribe(&app, &bb, &plan).await;
    for c in [&a, &bb] {
        pay_in_full(&app, &invoices(&app, c).await[0]).await;
    }
    at(&app, "2026-05-01T00:00:00Z").await;
    // Numbers are unique and sequential across companies, in issue order.
    let (s, all) = app.owner_get("/api/owner/invoices?limit=10").await;
    assert_eq!(s, StatusCode::OK);
    let mut numbers: Vec<&str> = strs(&all["items"], "number");
    numbers.sort();
    assert_eq!(
        numbers,
        [
            "INV-2026-000001",
            "INV-2026-000002",
            "INV-2026-000003",
            "INV-2026-000004"
        ]
    );
    let (_, open) = app.owner_get("/api/owner/invoices?status=OPEN").await;
    assert_eq!(open["items"].as_array().unwrap().len(), 2);

    let target = invoices(&app, &a).await[1].clone();
    let id = target["id"].as_str().unwrap();
    let before = invoice(&app, id).await;
    assert_eq!(before["lines"].as_array().unwrap().len(), 1);
    assert_eq!(before["lines"][0]["kind"], "plan");
    assert_eq!(before["lines"][0]["amountCents"], 4900);
    // No route edits or deletes an issued invoice or its lines.
    for m in [Method::PUT, Method::PATCH, Method::DELETE] {
        let (s, _) = app
            .owner_call(
                m.clone(),
                &format!("/api/owner/invoices/{id}"),
                Some(json!({"totalCents": 1})),
            )
            .await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{m}");
    }
    assert_eq!(invoice(&app, id).await, before);

    // Voiding issues a credit note for the whole amount; the invoice's lines stay.
    set_clock(&app, "2026-05-03T00:00:00Z");
    let (s, v) = app.void_invoice(id, "billed in error").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "VOID");
    assert_eq!(v["voidedAt"], "2026-05-03T00:00:00Z");
    assert_eq!(v["amountDueCents"], 0);
    assert_eq!(v["lines"], before["lines"]);
    assert_eq!(v["totalCents"], before["totalCents"]);
    assert_eq!(v["creditNote"]["number"], "CN-2026-000001");
    assert_eq!(v["creditNote"]["totalCents"], -4900);
    assert_eq!(v["creditNote"]["reason"], "billed in error");
    // A void invoice is final: no second void, no payment.
    let (s, e) = app.void_invoice(id, "again").await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "invoice_not_voidable");
    let (s, e) = app
        .owner_post(
            &format!("/api/owner/invoices/{id}/payments"),
            json!({"amountCents": 4900, "reference": "TR-late"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "invoice_not_payable");
    // A paid invoice cannot be voided either.
    let paid = invoices(&app, &a).await[0].clone();
    assert_eq!(paid["status"], "PAID");
    let (s, e) = app
        .owner_post(
            &format!("/api/owner/invoices/{}/void", paid["id"].as_str().unwrap()),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    // A reason is required.
    let other = invoices(&app, &bb).await[1].clone();
    let (s, e) = app
        .owner_post(
            &format!("/api/owner/invoices/{}/void", other["id"].as_str().unwrap()),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

    // Writing off: UNCOLLECTIBLE no longer keeps the company past due.
    at(&app, "2026-05-09T00:00:00Z").await;
    assert_eq!(subscription(&app, &bb).await["status"], "PAST_DUE");
    for inv in invoices(&app, &bb)
        .await
        .iter()
        .filter(|i| i["status"] == "OPEN")
    {
        let (s, v) = app
            .owner_action(&format!(
                "/api/owner/invoices/{}/write-off",
                inv["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "UNCOLLECTIBLE");
    }
    assert_eq!(subscription(&app, &bb).await["status"], "ACTIVE");
    // Company a voided its May invoice and paid April's: nothing overdue, still ACTIVE.
    assert_eq!(subscription(&app, &a).await["status"], "ACTIVE");
}

async fn payments_are_checked_against_what_is_due(b: Backend) {
    let app = spawn(b).await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let cid = plain_company(&app, "pay-vet").await;
    subscribe(&app, &cid, &plan).await;
    let inv = invoices(&app, &cid).await[0].clone();
    let id = inv["id"].as_str().unwrap();
    let pay = |amount: i64, reference: &str| {
        let app = &app;
        let body = json!({"amountCents": amount, "reference": reference});
        async move {
            app.owner_post(&format!("/api/owner/invoices/{id}/payments"), body)
                .await
        }
    };
    let (s, e) = pay(5000, "TR-1").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["errors"]["amountCents"].is_array());
    let (s, e) = pay(0, "TR-1").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = pay(100, "").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // A part payment leaves the rest due.
    let (s, v) = pay(900, "TR-1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "OPEN");
    assert_eq!(v["amountDueCents"], 4000);
    // The same transfer recorded twice is refused.
    let (s, e) = pay(900, "TR-1").await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "duplicate_payment");
    let (s, v) = pay(4000, "TR-2").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "PAID");
    assert_eq!(v["paidAt"], "2026-04-01T00:00:00Z");
    let refs: Vec<&str> = strs(&v["payments"], "reference");
    assert_eq!(refs.len(), 2);
    assert!(refs.contains(&"TR-1") && refs.contains(&"TR-2"));
    // Card payments are not entered by hand.
    let (s, e) = app
        .owner_post(
            &format!("/api/owner/invoices/{id}/payments"),
            json!({"amountCents": 1, "reference": "x", "provider": "card"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}
