//! Shared steps of the billing tests.

use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::TestApp;

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Moves the billing clock.
pub fn set_clock(app: &TestApp, at: &str) {
    app.clock.set(ts(at));
}

/// Runs the billing tick (asserting 200); answers its report.
pub async fn run_billing(app: &TestApp) -> Value {
    let (s, v) = app.owner_action("/api/owner/billing/run").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["errors"], json!([]), "{v}");
    v
}

/// Moves the clock and runs the billing tick.
pub async fn at(app: &TestApp, when: &str) -> Value {
    set_clock(app, when);
    run_billing(app).await
}

pub async fn subscription(app: &TestApp, company: &str) -> Value {
    let (s, v) = app
        .owner_get(&format!("/api/owner/companies/{company}/subscription"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// `PUT` the subscription as the owner (asserting 200).
pub async fn put_subscription(app: &TestApp, company: &str, body: Value) -> Value {
    let (s, v) = app.put_subscription_of(company, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// Puts the company on `plan` (asserting 200); answers the subscription.
pub async fn subscribe(app: &TestApp, company: &str, plan: &Value) -> Value {
    put_subscription(app, company, json!({"planId": plan["id"]})).await
}

/// The company's invoices, oldest first.
pub async fn invoices(app: &TestApp, company: &str) -> Vec<Value> {
    let (s, v) = app
        .owner_get(&format!("/api/owner/companies/{company}/invoices"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut items = v["items"].as_array().unwrap().clone();
    items.reverse();
    items
}

/// The id of the company's first invoice.
pub async fn first_invoice_id(app: &TestApp, company: &str) -> String {
    invoices(app, company).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn invoice(app: &TestApp, id: &str) -> Value {
    let (s, v) = app.owner_get(&format!("/api/owner/invoices/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// Records a bank transfer for the whole amount due (asserting 200).
pub async fn pay_in_full(app: &TestApp, inv: &Value) -> Value {
    let id = inv["id"].as_str().unwrap();
    let (s, v) = app.owner_post(&format!("/api/owner/invoices/{id}/payments"), json!({"amountCents": inv["amountDueCents"], "reference": format!("TR-{}", inv["number"].as_str().unwrap())}))
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "PAID", "{v}");
    v
}

/// The company's status as the owner API shows it.
pub async fn company_status(app: &TestApp, company: &str) -> String {
    app.company(company).await["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The status code the company's host answers a public request with.
pub async fn host_answers(app: &TestApp, subdomain: &str) -> StatusCode {
    app.public_practices(subdomain).await.status()
}

/// Creates a company without a plan (asserting 201); answers its id.
pub async fn plain_company(app: &TestApp, subdomain: &str) -> String {
    app.create_company(subdomain).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}
