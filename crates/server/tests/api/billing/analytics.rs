//! Analytics against a history built on the billing clock and computed by hand:
//!
//! | company | created | plan (price)                 | history                                   |
//! |---------|---------|------------------------------|-------------------------------------------|
//! | A       | Jan 10  | Pro, 149.00 USD monthly      | trial to Jan 24, then paying              |
//! | B       | Jan 20  | Basic, 49.00 USD monthly     | trial canceled at its end (Feb 3): churn  |
//! | C       | Feb 10  | Yearly, 1200.00 USD a year   | paying at once (no trial)                 |
//! | D       | Mar 5   | Euro, 99.00 EUR monthly      | trial to Mar 19, then paying              |
//!
//! On Mar 25: new per month Jan 2, Feb 1, Mar 1; churned Feb 1; USD MRR 149 + 1200/12 =
//! 249.00 and ARR 149 * 12 + 1200 = 2988.00; EUR MRR 99.00, ARR 1188.00; trials ended 3,
//! converted 2 (A, D).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smartdmv_store::tenant::TenantMigrator;

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp};
use crate::plans::{create_company_on, create_plan, plan_body};

both_backends!(analytics_match_a_history_computed_by_hand);

async fn pay_open(app: &TestApp, company: &str) {
    for inv in invoices(app, company).await {
        if inv["status"] == "OPEN" {
            pay_in_full(app, &inv).await;
        }
    }
}

/// Builds the history of the table above on a new app; its clock ends on Mar 25.
pub(crate) async fn hand_computed_history(b: Backend) -> TestApp {
    let app = TestApp::spawn_with(
        b,
        Options {
            clock_start: Some(ts("2026-01-10T12:00:00Z")),
            ..Options::default()
        },
    )
    .await;
    let pro = create_plan(&app, plan_body("Pro", 14900, &[], None, None)).await;
    let basic = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let yearly = create_plan(
        &app,
        json!({"name": "Yearly", "interval": "yearly", "priceCents": 120000, "currency": "USD"}),
    )
    .await;
    let euro = create_plan(
        &app,
        json!({"name": "Euro", "interval": "monthly", "priceCents": 9900, "currency": "EUR"}),
    )
    .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();

    let a = id(&create_company_on(&app, "a-vet", pro["id"].as_str().unwrap()).await);
    set_clock(&app, "2026-01-20T12:00:00Z");
    let b = id(&create_company_on(&app, "b-vet", basic["id"].as_str().unwrap()).await);
    put_subscription(&app, &b, json!({"cancelAtPeriodEnd": true})).await;
    at(&app, "2026-01-25T00:00:00Z").await;
    pay_open(&app, &a).await;
    at(&app, "2026-02-04T00:00:00Z").await;
    assert_eq!(subscription(&app, &b).await["status"], "CANCELED");
    set_clock(&app, "2026-02-10T12:00:00Z");
    let c = plain_company(&app, "c-vet").await;
    put_subscription(&app, &c, json!({"planId": yearly["id"]})).await;
    pay_open(&app, &c).await;
    at(&app, "2026-02-25T00:00:00Z").await;
    pay_open(&app, &a).await;
    set_clock(&app, "2026-03-05T12:00:00Z");
    let d = id(&create_company_on(&app, "d-vet", euro["id"].as_str().unwrap()).await);
    at(&app, "2026-03-20T00:00:00Z").await;
    pay_open(&app, &d).await;
    at(&app, "2026-03-25T00:00:00Z").await;
    pay_open(&app, &a).await;
    app
}

async fn analytics_match_a_history_computed_by_hand(b: Backend) {
    let app = hand_computed_history(b).await;
    let (s, v) = owner(&app, Method::GET, "/api/owner/analytics", None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["asOf"], "2026-03-25T00:00:00Z");
    assert_eq!(v["companiesByStatus"], json!({"ACTIVE": 3, "SUSPENDED": 1}));
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["month"], "2025-04");
    let tail: Vec<(&str, u64, u64)> = months[9..]
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap(),
                m["new"].as_u64().unwrap(),
                m["churned"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tail,
        [("2026-01", 2, 0), ("2026-02", 1, 1), ("2026-03", 1, 0)]
    );
    assert!(
        months[..9]
            .iter()
            .all(|m| m["new"] == 0 && m["churned"] == 0),
        "{v}"
    );
    assert_eq!(
        v["revenue"],
        json!([
            {"currency": "EUR", "mrrCents": 9900, "arrCents": 118800, "payingCompanies": 1},
            {"currency": "USD", "mrrCents": 24900, "arrCents": 298800, "payingCompanies": 2},
        ])
    );
    assert_eq!(v["trialConversion"]["ended"], 3);
    assert_eq!(v["trialConversion"]["converted"], 2);
    let rate = v["trialConversion"]["rate"].as_f64().unwrap();
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{rate}");
    let top: Vec<(&str, i64)> = v["topCompanies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["mrrCents"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        top,
        [
            ("Company a-vet", 14900),
            ("Company c-vet", 10000),
            ("Company d-vet", 9900)
        ]
    );
    assert_eq!(v["topCompanies"][0]["plan"], "Pro");
    assert_eq!(v["topCompanies"][0]["currency"], "USD");
    // Usage of each served company: its first practice and its administrator.
    let usage = v["usage"].as_array().unwrap();
    assert_eq!(usage.len(), 3);
    assert!(
        usage
            .iter()
            .all(|u| u["usage"] == json!({"practices": 1, "users": 1})),
        "{v}"
    );
    assert_eq!(
        v["schemaVersions"],
        json!([{"version": TenantMigrator::latest_version(), "companies": 4}])
    );
}
