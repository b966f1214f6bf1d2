//! Plan changes: an upgrade takes effect at once with proration lines (and tax), a downgrade
//! waits for the period end, and a plan the company's usage does not fit is refused.

use reqwest::StatusCode;
use serde_json::json;

use super::support::*;
use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp};
use crate::plans::{create_plan, plan_body};

both_backends!(
    an_upgrade_is_prorated_now_and_a_downgrade_waits_for_the_period_end,
    a_plan_the_company_has_outgrown_is_refused,
);

async fn an_upgrade_is_prorated_now_and_a_downgrade_waits_for_the_period_end(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            billing_tax_rate_bp: Some(2000),
            ..Options::at("2026-04-01T00:00:00Z")
        },
    )
    .await;
    let basic = create_plan(
        &app,
        plan_body("Basic", 3000, &["client_portal"], None, None),
    )
    .await;
    let pro = create_plan(
        &app,
        plan_body("Pro", 9000, &["client_portal", "data_import"], None, None),
    )
    .await;
    let cid = plain_company(&app, "up-vet").await;
    subscribe(&app, &cid, &basic).await;
    let first = &invoices(&app, &cid).await[0];
    // 20 % tax on the plan's price.
    assert_eq!(first["subtotalCents"], 3000);
    assert_eq!(first["taxCents"], 600);
    assert_eq!(first["totalCents"], 3600);
    pay_in_full(&app, first).await;

    // Ten of thirty days left: 1000 of Basic credited, 3000 of Pro charged.
    set_clock(&app, "2026-04-21T00:00:00Z");
    let sub = subscribe(&app, &cid, &pro).await;
    assert_eq!(sub["plan"]["name"], "Pro");
    assert_eq!(sub["pendingPlan"], serde_json::Value::Null);
    assert_eq!(
        sub["currentPeriodEnd"], "2026-05-01T00:00:00Z",
        "the period is unchanged"
    );
    let all = invoices(&app, &cid).await;
    assert_eq!(all.len(), 2);
    let up = invoice(&app, all[1]["id"].as_str().unwrap()).await;
    assert_eq!(up["reason"], "plan_change");
    let lines: Vec<(&str, i64)> = up["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap(),
                l["amountCents"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [("proration_credit", -1000), ("proration_charge", 3000)]
    );
    assert_eq!(up["subtotalCents"], 2000);
    assert_eq!(up["taxCents"], 400);
    assert_eq!(up["totalCents"], 2400);
    // The new plan's features reach the company at once.
    let resolved = app.resolved(&cid).await;
    assert!(resolved.has_feature(smartdmv_domain::plan::Feature::DataImport));
    pay_in_full(&app, &up).await;

    // A downgrade is scheduled for the period end; the company keeps Pro until then.
    let sub = subscribe(&app, &cid, &basic).await;
    assert_eq!(sub["plan"]["name"], "Pro");
    assert_eq!(sub["pendingPlan"]["name"], "Basic");
    assert_eq!(
        invoices(&app, &cid).await.len(),
        2,
        "a downgrade charges nothing now"
    );
    // The retired-plan rule holds for scheduled changes too: a plan in use cannot be deleted.
    let (s, _) = app.delete_plan(basic["id"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    at(&app, "2026-05-01T00:00:00Z").await;
    let sub = subscription(&app, &cid).await;
    assert_eq!(sub["plan"]["name"], "Basic");
    assert_eq!(sub["pendingPlan"], serde_json::Value::Null);
    let all = invoices(&app, &cid).await;
    assert_eq!(all.len(), 3);
    assert_eq!(all[2]["subtotalCents"], 3000);
    let resolved = app.resolved(&cid).await;
    assert!(!resolved.has_feature(smartdmv_domain::plan::Feature::DataImport));
    assert_eq!(app.company(&cid).await["plan"], basic["id"]);

    // Scheduling a downgrade and choosing the current plan again drops it.
    subscribe(&app, &cid, &pro).await;
    let cheap = create_plan(&app, plan_body("Cheap", 1000, &[], None, None)).await;
    let sub = subscribe(&app, &cid, &cheap).await;
    assert_eq!(sub["pendingPlan"]["name"], "Cheap");
    let sub = subscribe(&app, &cid, &pro).await;
    assert_eq!(sub["pendingPlan"], serde_json::Value::Null);
}

async fn a_plan_the_company_has_outgrown_is_refused(b: Backend) {
    let app = TestApp::spawn_at(b, "2026-04-01T00:00:00Z").await;
    let big = create_plan(&app, plan_body("Big", 9000, &[], Some(5), Some(10))).await;
    let small = create_plan(&app, plan_body("Small", 1000, &[], Some(5), Some(2))).await;
    let larger = create_plan(&app, plan_body("Larger", 12000, &[], Some(5), Some(2))).await;
    let cid = plain_company(&app, "grown-vet").await;
    subscribe(&app, &cid, &big).await;
    // Three active staff users (the administrator and two more); a pet owner takes no seat.
    let admin = app.admin_token("grown-vet").await;
    app.create_user("grown-vet", &admin, "vet1@grown.example", "VETERINARIAN")
        .await;
    app.create_user("grown-vet", &admin, "vet2@grown.example", "VETERINARIAN")
        .await;
    app.create_user("grown-vet", &admin, "owner@grown.example", "CLIENT")
        .await;
    for target in [&small, &larger] {
        let (s, v) = app
            .put_subscription_of(&cid, json!({"planId": target["id"]}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert_eq!(v["code"], "plan_limits_exceeded");
        let detail = v["detail"].as_str().unwrap();
        assert!(
            detail.contains("maxUsers") && detail.contains("3 active staff users"),
            "{detail}"
        );
    }
    let sub = subscription(&app, &cid).await;
    assert_eq!(sub["plan"]["name"], "Big");
    assert_eq!(sub["pendingPlan"], serde_json::Value::Null);
    assert_eq!(invoices(&app, &cid).await.len(), 1, "nothing was invoiced");
    // A company override of the limit lets the company fit.
    let (s, _) = app
        .put_company(&cid, json!({"settings": {"limits": {"maxUsers": 3}}}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let sub = subscribe(&app, &cid, &small).await;
    assert_eq!(sub["pendingPlan"]["name"], "Small");
    // A retired plan cannot be chosen.
    let (s, _) = app
        .patch_plan(larger["id"].as_str().unwrap(), json!({"active": false}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .put_subscription_of(&cid, json!({"planId": larger["id"]}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["planId"].is_array(), "{v}");
    // The company's own plan, even retired, can be chosen again to drop the scheduled change.
    let (s, _) = app
        .patch_plan(big["id"].as_str().unwrap(), json!({"active": false}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let sub = subscribe(&app, &cid, &big).await;
    assert_eq!(sub["plan"]["name"], "Big");
    assert_eq!(sub["pendingPlan"], serde_json::Value::Null);
}
