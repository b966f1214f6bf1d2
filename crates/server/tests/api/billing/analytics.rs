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
//!
//! Usage rows of the current calendar month (the system clock's: usage is not on the
//! billing clock), written with the store's functions as the meter and the recount would:
//!
//! | company | users | practices | clients | patients | appts | storage   | API calls   | counted    |
//! |---------|-------|-----------|---------|----------|-------|-----------|-------------|------------|
//! | A       | 6     | 2         | 40      | 90       | 12    | 3 500 000 | 1000 + 234  | 1st, 09:30 |
//! | B       | 100   | 9         | 900     | 900      | 90    | 9 000 000 | 77 777      | 1st, 08:00 |
//! | C       | 6     | 1         | 30      | 120      | 7     | 2 000 000 | none        | 2nd, 10:00 |
//! | D       | no row this month                                                                 |
//!
//! and rows of the month before for A and D, much larger, that must not count. B is not
//! served (suspended), so it is in no list. Largest: C (6 users, 120 patients), then A (6,
//! 90); most active: A alone (C made no call, D has no row).

use reqwest::StatusCode;
use serde_json::{Value, json};
use smartdmv_domain::CompanyId;
use smartdmv_store::owner::usage::{self as usage_table, Gauges};
use smartdmv_store::tenant::TenantMigrator;

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use crate::plans::{create_company_on, create_plan, plan_body};

both_backends!(
    analytics_match_a_history_computed_by_hand,
    largest_and_most_active_companies_come_from_the_usage_table,
);

/// The current usage month and the month before it, `YYYY-MM`.
pub(crate) fn usage_months() -> (String, String) {
    let m = smartdmv_platform::usage::current_month();
    let (start, _) = smartdmv_platform::usage::bounds(m);
    let before = smartdmv_platform::usage::month_of(start - jiff::SignedDuration::from_hours(24));
    (m.to_string(), before.to_string())
}

/// An instant `day` days and `minutes` minutes into a month (UTC).
fn into_month(month: &str, day: i64, minutes: i64) -> smartdmv_store::Stamp {
    let m = smartdmv_domain::usage::Month::parse(month).unwrap();
    smartdmv_platform::usage::bounds(m).0
        + jiff::SignedDuration::from_hours(24 * (day - 1))
        + jiff::SignedDuration::from_mins(minutes)
}

/// Writes a company's gauges of a month as a recount at `at` would.
async fn gauges(app: &TestApp, company: &str, month: &str, g: [i64; 6], at: smartdmv_store::Stamp) {
    let [
        active_users,
        practices,
        clients,
        patients,
        appointments,
        storage_bytes,
    ] = g;
    let g = Gauges {
        active_users,
        practices,
        clients,
        patients,
        appointments,
        storage_bytes,
    };
    let id = CompanyId(company.parse().unwrap());
    usage_table::set_gauges(app.state.platform.owner.conn(), id, month, g, at)
        .await
        .unwrap();
}

/// Adds API calls to a company's month as the meter's flush would.
async fn calls(app: &TestApp, company: &str, month: &str, n: i64) {
    let id = CompanyId(company.parse().unwrap());
    usage_table::add_api_calls(app.state.platform.owner.conn(), id, month, n)
        .await
        .unwrap();
}

async fn pay_open(app: &TestApp, company: &str) {
    for inv in invoices(app, company).await {
        if inv["status"] == "OPEN" {
            pay_in_full(app, &inv).await;
        }
    }
}

/// Builds the history of the table above on a new app; its clock ends on Mar 25.
pub(crate) async fn hand_computed_history(b: Backend) -> TestApp {
    let app = TestApp::spawn_at(b, "2026-01-10T12:00:00Z").await;
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
    subscribe(&app, &c, &yearly).await;
    pay_open(&app, &c).await;
    at(&app, "2026-02-25T00:00:00Z").await;
    pay_open(&app, &a).await;
    set_clock(&app, "2026-03-05T12:00:00Z");
    let d = id(&create_company_on(&app, "d-vet", euro["id"].as_str().unwrap()).await);
    at(&app, "2026-03-20T00:00:00Z").await;
    pay_open(&app, &d).await;
    at(&app, "2026-03-25T00:00:00Z").await;
    pay_open(&app, &a).await;

    let (now, before) = usage_months();
    gauges(
        &app,
        &a,
        &now,
        [6, 2, 40, 90, 12, 3_500_000],
        into_month(&now, 1, 570),
    )
    .await;
    calls(&app, &a, &now, 1000).await;
    calls(&app, &a, &now, 234).await;
    gauges(
        &app,
        &b,
        &now,
        [100, 9, 900, 900, 90, 9_000_000],
        into_month(&now, 1, 480),
    )
    .await;
    calls(&app, &b, &now, 77_777).await;
    gauges(
        &app,
        &c,
        &now,
        [6, 1, 30, 120, 7, 2_000_000],
        into_month(&now, 2, 600),
    )
    .await;
    for old in [&a, &d] {
        gauges(
            &app,
            old,
            &before,
            [500, 50, 5000, 5000, 500, 50_000_000],
            into_month(&before, 3, 0),
        )
        .await;
        calls(&app, old, &before, 99_999).await;
    }
    app
}

/// `(name, figure)` of each company of a list of the analytics.
fn names_and(v: &Value, list: &str, figure: &str) -> Vec<(String, i64)> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} in {v}"))
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["usage"][figure].as_i64().unwrap(),
            )
        })
        .collect()
}

fn named(list: &[(String, i64)]) -> Vec<(&str, i64)> {
    list.iter().map(|(n, x)| (n.as_str(), *x)).collect()
}

async fn analytics_match_a_history_computed_by_hand(b: Backend) {
    let app = hand_computed_history(b).await;
    let (s, v) = app.owner_get("/api/owner/analytics").await;
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
    // Usage of each served company from this month's row (largest MRR first), none for B.
    let (now, _) = usage_months();
    assert_eq!(v["usageMonth"], now.as_str());
    let usage: Vec<(&str, &Value)> = v["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap(), &u["usage"]))
        .collect();
    let counted = |day: i64, hm: &str| format!("{now}-{day:02}T{hm}:00Z");
    assert_eq!(
        usage,
        [
            (
                "Company a-vet",
                &json!({"users": 6, "practices": 2, "clients": 40, "patients": 90,
                        "appointments": 12, "storageBytes": 3_500_000, "apiCalls": 1234,
                        "countedAt": counted(1, "09:30")})
            ),
            (
                "Company c-vet",
                &json!({"users": 6, "practices": 1, "clients": 30, "patients": 120,
                        "appointments": 7, "storageBytes": 2_000_000, "apiCalls": 0,
                        "countedAt": counted(2, "10:00")})
            ),
            (
                "Company d-vet",
                &json!({"users": 0, "practices": 0, "clients": 0, "patients": 0,
                        "appointments": 0, "storageBytes": 0, "apiCalls": 0,
                        "countedAt": null})
            ),
        ],
        "{v}"
    );
    // Largest: equal users, C has more patients; D (no row) and B (not served) are left out.
    assert_eq!(
        named(&names_and(&v, "largestCompanies", "patients")),
        [("Company c-vet", 120), ("Company a-vet", 90)]
    );
    // Most active: only A made calls this month (C none, D only last month).
    assert_eq!(
        named(&names_and(&v, "mostActiveCompanies", "apiCalls")),
        [("Company a-vet", 1234)]
    );
    assert_eq!(
        v["schemaVersions"],
        json!([{"version": TenantMigrator::latest_version(), "companies": 4}])
    );
}

/// Adds a company to the owner database only: it has no database of its own, so any attempt
/// to count it there fails.
pub(crate) async fn company_without_database(
    app: &TestApp,
    n: u128,
    name: &str,
    status: &str,
) -> String {
    let now = smartdmv_store::now();
    let id = uuid::Uuid::from_u128(n);
    let row = smartdmv_store::owner::company::Model {
        id: smartdmv_domain::CompanyId(id),
        name: name.into(),
        subdomain: format!("rank-{n}"),
        contact_email: format!("office@rank-{n}.example"),
        contact_phone: None,
        status: status.parse().unwrap(),
        plan: None,
        settings: json!({}),
        db_backend: "sqlite".into(),
        db_server: None,
        db_name: format!("absent-{n}.db"),
        db_url_enc: None,
        schema_version: TenantMigrator::latest_version(),
        provision_error: None,
        created_at: now,
        updated_at: now,
        archived_at: None,
    };
    smartdmv_store::owner::company::insert(app.state.platform.owner.conn(), row)
        .await
        .unwrap();
    id.to_string()
}

/// Tenant databases the registry leased or tried to open so far.
fn tenant_acquisitions(app: &TestApp) -> u64 {
    let m = app.state.platform.registry.metrics();
    m.hits + m.opens + m.open_failures + m.waits
}

/// The lists rank served companies by this month's row alone: largest by users, then
/// patients, then storage; most active by API calls; ties by company id; ten at most; a
/// zero figure, another month, an unserved status or a missing row keep a company out. The
/// companies have no database: analytics answer without opening one.
async fn largest_and_most_active_companies_come_from_the_usage_table(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (now, before) = usage_months();
    let at = into_month(&now, 1, 60);
    let mut ids = std::collections::HashMap::new();
    // (n, name, status, [users, practices, clients, patients, appointments, storage], calls)
    type Seed = (u128, &'static str, &'static str, Option<[i64; 6]>, i64);
    let table: [Seed; 8] = [
        (1, "Beta", "ACTIVE", Some([7, 1, 1, 50, 1, 5]), 300),
        (2, "Alpha", "ACTIVE", Some([7, 1, 1, 50, 1, 10]), 300),
        (3, "Gamma", "ACTIVE", Some([7, 1, 1, 40, 1, 999]), 0),
        (4, "Delta", "ACTIVE", Some([9, 1, 1, 1, 1, 1]), 200),
        (5, "Epsilon", "TRIAL", None, 5000),
        (6, "Zeta", "PAST_DUE", None, 0),
        (
            7,
            "Eta",
            "SUSPENDED",
            Some([100, 9, 9, 900, 9, 9999]),
            100_000,
        ),
        (
            8,
            "Theta",
            "ARCHIVED",
            Some([100, 9, 9, 900, 9, 9999]),
            100_000,
        ),
    ];
    for (n, name, status, g, n_calls) in table {
        let id = company_without_database(&app, n, name, status).await;
        if let Some(g) = g {
            gauges(&app, &id, &now, g, at).await;
        }
        if n_calls > 0 {
            calls(&app, &id, &now, n_calls).await;
        }
        ids.insert(name, id);
    }
    // Seven more with one user each; patients and calls grow with n.
    for n in 9..=15u128 {
        let name = format!("Filler {n:02}");
        let id = company_without_database(&app, n, &name, "ACTIVE").await;
        let k = n as i64;
        gauges(&app, &id, &now, [1, 1, 1, k, 1, 1], at).await;
        calls(&app, &id, &now, k).await;
    }
    // Last month would put Zeta first in both lists and Gamma among the active.
    for name in ["Zeta", "Gamma"] {
        gauges(&app, &ids[name], &before, [999, 9, 9, 9999, 9, 9999], at).await;
        calls(&app, &ids[name], &before, 999_999).await;
    }

    let opened = tenant_acquisitions(&app);
    let (s, v) = app.owner_get("/api/owner/analytics").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        tenant_acquisitions(&app),
        opened,
        "analytics opened a tenant database"
    );

    assert_eq!(
        named(&names_and(&v, "largestCompanies", "users")),
        [
            ("Delta", 9),
            ("Alpha", 7),
            ("Beta", 7),
            ("Gamma", 7),
            ("Filler 15", 1),
            ("Filler 14", 1),
            ("Filler 13", 1),
            ("Filler 12", 1),
            ("Filler 11", 1),
            ("Filler 10", 1),
        ],
        "users, then patients (Gamma after Beta), then storage (Alpha before Beta)"
    );
    assert_eq!(
        named(&names_and(&v, "mostActiveCompanies", "apiCalls")),
        [
            ("Epsilon", 5000),
            ("Beta", 300),
            ("Alpha", 300),
            ("Delta", 200),
            ("Filler 15", 15),
            ("Filler 14", 14),
            ("Filler 13", 13),
            ("Filler 12", 12),
            ("Filler 11", 11),
            ("Filler 10", 10),
        ],
        "calls; the tie of Beta and Alpha by company id"
    );

    // Every served company is in the usage list, with zeros and no count when it has no row.
    let usage: std::collections::HashMap<&str, &Value> = v["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["name"].as_str().unwrap(), &u["usage"]))
        .collect();
    assert_eq!(usage.len(), 13, "{v}");
    assert!(!usage.contains_key("Eta") && !usage.contains_key("Theta"));
    assert_eq!(
        usage["Zeta"],
        &json!({"users": 0, "practices": 0, "clients": 0, "patients": 0, "appointments": 0,
                "storageBytes": 0, "apiCalls": 0, "countedAt": null})
    );
    assert_eq!(usage["Epsilon"]["apiCalls"], 5000);
    assert_eq!(
        usage["Epsilon"]["countedAt"],
        Value::Null,
        "calls only, never counted"
    );
    assert_eq!(usage["Gamma"]["storageBytes"], 999);
    assert_eq!(usage["Gamma"]["apiCalls"], 0);
}
