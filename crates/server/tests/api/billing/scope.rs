//! A `COMPANY_ADMIN` sees their own company's subscription and invoices, changes its plan
//! and billing contact, and gets 404 for anything of another company; paying, voiding,
//! running billing and analytics are the owner's.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, TestApp, json, strs};
use crate::plans::{company_admin, create_plan, plan_body};

both_backends!(company_admins_see_and_change_only_their_own_billing);

async fn company_admins_see_and_change_only_their_own_billing(b: Backend) {
    let app = TestApp::spawn_at(b, "2026-04-01T00:00:00Z").await;
    let basic = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let pro = create_plan(&app, plan_body("Pro", 14900, &[], None, None)).await;
    let mine = plain_company(&app, "mine-vet").await;
    let other = plain_company(&app, "other-vet").await;
    subscribe(&app, &mine, &basic).await;
    subscribe(&app, &other, &basic).await;
    let my_invoice = first_invoice_id(&app, &mine).await;
    let other_invoice = first_invoice_id(&app, &other).await;
    let ca = company_admin(&app, &mine, "ca@mine.example").await;
    let call = |m: Method, path: String, body: Option<Value>| {
        let mut r = app.platform(m, &path).bearer_auth(&ca);
        if let Some(b) = body {
            r = r.json(&b);
        }
        async move { json(r.send().await.unwrap()).await }
    };

    // Their own: readable.
    let (s, v) = call(
        Method::GET,
        format!("/api/owner/companies/{mine}/subscription"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["plan"]["name"], "Basic");
    let (s, v) = call(Method::GET, "/api/owner/invoices".into(), None).await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = strs(&v["items"], "id");
    assert_eq!(ids, [my_invoice.as_str()]);
    // Asking for another company's invoices by filter still shows only their own.
    let (_, v) = call(
        Method::GET,
        format!("/api/owner/invoices?companyId={other}"),
        None,
    )
    .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["id"], my_invoice.as_str());
    let (s, _) = call(
        Method::GET,
        format!("/api/owner/invoices/{my_invoice}"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = call(
        Method::GET,
        format!("/api/owner/companies/{mine}/invoices"),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // Another company's: 404, whatever the route.
    for path in [
        format!("/api/owner/companies/{other}/subscription"),
        format!("/api/owner/companies/{other}/invoices"),
        format!("/api/owner/invoices/{other_invoice}"),
    ] {
        let (s, v) = call(Method::GET, path.clone(), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    for (path, body) in [
        (
            format!("/api/owner/companies/{other}/subscription"),
            json!({"planId": pro["id"]}),
        ),
        (
            format!("/api/owner/invoices/{other_invoice}/payments"),
            json!({"amountCents": 4900, "reference": "x"}),
        ),
        (
            format!("/api/owner/invoices/{other_invoice}/void"),
            json!({"reason": "x"}),
        ),
    ] {
        let m = if path.ends_with("subscription") {
            Method::PUT
        } else {
            Method::POST
        };
        let (s, v) = call(m, path.clone(), Some(body)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {v}");
    }
    assert_eq!(subscription(&app, &other).await["plan"]["name"], "Basic");

    // The owner's actions on their own invoices: 403.
    for (path, body) in [
        (
            format!("/api/owner/invoices/{my_invoice}/payments"),
            Some(json!({"amountCents": 4900, "reference": "x"})),
        ),
        (
            format!("/api/owner/invoices/{my_invoice}/void"),
            Some(json!({"reason": "x"})),
        ),
        (format!("/api/owner/invoices/{my_invoice}/write-off"), None),
        ("/api/owner/billing/run".to_owned(), None),
    ] {
        let (s, v) = call(Method::POST, path.clone(), body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {v}");
    }
    let (s, _) = call(Method::GET, "/api/owner/analytics".into(), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(invoice(&app, &my_invoice).await["status"], "OPEN");
    // No trial on their own say.
    let (s, _) = call(
        Method::PUT,
        format!("/api/owner/companies/{mine}/subscription"),
        Some(json!({"trialDays": 30})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Their own plan and billing contact: they may change them.
    let (s, v) = call(
        Method::PUT,
        format!("/api/owner/companies/{mine}/subscription"),
        Some(json!({"planId": pro["id"], "billing": {"email": "ap@mine.example", "name": "Mine Vet LLC",
                    "address": "1 Main St", "taxId": "US-123"}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["plan"]["name"], "Pro");
    assert_eq!(
        v["billing"],
        json!({"email": "ap@mine.example", "name": "Mine Vet LLC", "address": "1 Main St", "taxId": "US-123"})
    );
    let (s, v) = call(
        Method::PUT,
        format!("/api/owner/companies/{mine}/subscription"),
        Some(json!({"billing": {"email": "not-an-email", "taxId": null}})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["billing.email"].is_array(), "{v}");
    assert_eq!(
        subscription(&app, &mine).await["billing"]["taxId"],
        "US-123"
    );
    // The upgrade was invoiced to them, and they see it.
    let (_, v) = call(Method::GET, "/api/owner/invoices".into(), None).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
}
