//! Plans: the owner's CRUD, validation, retiring and deleting, the plan of a new company, a
//! company administrator's read-only view, and the limits and features a plan gives a
//! company (with the company's overrides).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smartdmv_domain::plan::Feature;
use std::collections::BTreeSet;

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestApp, strs};

both_backends!(
    owner_manages_plans,
    plan_bodies_are_validated_field_by_field,
    a_plan_in_use_is_retired_not_deleted,
    company_admins_read_active_plans_only,
    a_company_gets_its_plans_limits_and_features_with_overrides,
);

/// Creates a plan as the owner; answers its JSON (asserting 201).
pub async fn create_plan(app: &TestApp, body: Value) -> Value {
    let (s, v) = app.owner_post("/api/owner/plans", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

/// A monthly USD plan with the given price, features and user/practice limits.
pub fn plan_body(
    name: &str,
    cents: i64,
    features: &[&str],
    practices: Option<i64>,
    users: Option<i64>,
) -> Value {
    json!({"name": name, "interval": "monthly", "priceCents": cents, "currency": "USD",
           "features": features,
           "limits": {"maxPractices": practices, "maxUsers": users,
                      "storageBytes": null, "apiCallsPerMonth": null}})
}

/// Creates a `COMPANY_ADMIN` of a company and answers their session token.
pub async fn company_admin(app: &TestApp, company_id: &str, email: &str) -> String {
    let (s, u) = app
        .owner_post(
            "/api/owner/users",
            json!({"email": email, "name": "Company Admin", "password": PASSWORD,
                          "role": "COMPANY_ADMIN", "companyId": company_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    app.owner_login(email, PASSWORD).await
}

/// Creates a company on a plan as the owner (asserting 201); answers its JSON.
pub async fn create_company_on(app: &TestApp, subdomain: &str, plan_id: &str) -> Value {
    let (s, v) = app
        .owner_post(
            "/api/owner/companies",
            json!({
                "name": format!("Company {subdomain}"), "subdomain": subdomain,
                "contactEmail": format!("office@{subdomain}.example"), "plan": plan_id,
                "admin": {"email": format!("admin@{subdomain}.example"), "name": "First Admin",
                          "password": PASSWORD}
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn owner_manages_plans(b: Backend) {
    let app = TestApp::spawn(b).await;
    let basic = create_plan(
        &app,
        plan_body("Basic", 4900, &["client_portal"], Some(1), Some(5)),
    )
    .await;
    assert_eq!(basic["interval"], "monthly");
    assert_eq!(basic["priceCents"], 4900);
    assert_eq!(basic["features"], json!(["client_portal"]));
    assert_eq!(basic["limits"]["maxPractices"], 1);
    assert_eq!(basic["limits"]["storageBytes"], Value::Null);
    assert_eq!(basic["active"], true);
    let id = basic["id"].as_str().unwrap();
    let yearly = create_plan(
        &app,
        json!({"name": "Yearly", "interval": "yearly", "priceCents": 120000, "currency": "EUR"}),
    )
    .await;
    assert_eq!(yearly["features"], json!([]));
    assert_eq!(yearly["limits"]["maxUsers"], Value::Null);

    let (s, v) = app.get_plan(id).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v, basic);
    // PATCH changes the fields present: one limit becomes unlimited, another is kept.
    let (s, v) = app
        .patch_plan(
            id,
            json!({"priceCents": 5900, "features": ["client_portal", "data_import"],
                    "limits": {"maxUsers": null}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["priceCents"], 5900);
    assert_eq!(v["features"], json!(["client_portal", "data_import"]));
    assert_eq!(v["limits"]["maxUsers"], Value::Null);
    assert_eq!(v["limits"]["maxPractices"], 1);
    let (s, v) = app.owner_get("/api/owner/plans").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    // A duplicate name is a conflict.
    let (s, v) = app
        .owner_post("/api/owner/plans", plan_body("Basic", 100, &[], None, None))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "plan_name_taken");
    // An unused plan can be deleted.
    let yid = yearly["id"].as_str().unwrap();
    let (s, _) = app.delete_plan(yid).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get_plan(yid).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn plan_bodies_are_validated_field_by_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, v) = app
        .owner_post(
            "/api/owner/plans",
            json!({"name": " ", "interval": "weekly", "priceCents": -1, "currency": "usd",
                    "features": ["client_portal", "teleportation"],
                    "limits": {"maxUsers": -5}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let errors = v["errors"].as_object().unwrap();
    for field in [
        "name",
        "interval",
        "priceCents",
        "currency",
        "features.1",
        "limits.maxUsers",
    ] {
        assert!(errors.contains_key(field), "{field} missing in {v}");
    }
    assert!(!errors.contains_key("features.0"), "{v}");
    // An unknown limit name or a wrong type is refused as a body of the wrong shape.
    let (s, v) = app
        .owner_post(
            "/api/owner/plans",
            json!({"name": "X", "interval": "monthly", "priceCents": 1, "currency": "USD",
                    "limits": {"maxSeats": 3}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("maxSeats"), "{v}");
    // Nothing was stored.
    let (_, list) = app.owner_get("/api/owner/plans").await;
    assert_eq!(list["items"], json!([]));
}

async fn a_plan_in_use_is_retired_not_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let id = plan["id"].as_str().unwrap();
    // A company's plan must name an existing plan.
    let (s, v) = app
        .owner_post(
            "/api/owner/companies",
            json!({"name": "X", "subdomain": "nop-vet", "contactEmail": "x@nop.example",
                    "plan": "basic"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["plan"].is_array(), "{v}");
    let c = create_company_on(&app, "plan-vet", id).await;
    assert_eq!(c["plan"], id);

    let (s, v) = app.delete_plan(id).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "plan_in_use");
    let (s, v) = app.patch_plan(id, json!({"active": false})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["active"], false);
    // Its subscribers' billing rests on its interval and currency.
    let (s, v) = app.patch_plan(id, json!({"interval": "yearly"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "plan_in_use");
    // A retired plan stays with its company but cannot be chosen for another.
    assert_eq!(app.company(c["id"].as_str().unwrap()).await["plan"], id);
    let (s, v) = app
        .owner_post(
            "/api/owner/companies",
            json!({"name": "Y", "subdomain": "late-vet", "contactEmail": "y@late.example",
                    "plan": id}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(
        v["errors"]["plan"][0].as_str().unwrap().contains("retired"),
        "{v}"
    );
    let (_, v) = app.owner_get("/api/owner/plans?active=true").await;
    assert_eq!(v["items"], json!([]));
    let (_, v) = app.owner_get("/api/owner/plans?active=false").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (s, _) = app.get_plan(id).await;
    assert_eq!(s, StatusCode::OK);
}

async fn company_admins_read_active_plans_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let live = create_plan(&app, plan_body("Live", 4900, &[], None, None)).await;
    let old = create_plan(&app, plan_body("Old", 2900, &[], None, None)).await;
    let other_old = create_plan(&app, plan_body("Other old", 1900, &[], None, None)).await;
    let c = create_company_on(&app, "ca-plan-vet", old["id"].as_str().unwrap()).await;
    for p in [&old, &other_old] {
        let (s, _) = app
            .patch_plan(p["id"].as_str().unwrap(), json!({"active": false}))
            .await;
        assert_eq!(s, StatusCode::OK);
    }
    let ca = company_admin(&app, c["id"].as_str().unwrap(), "ca@ca-plan.example").await;
    let (s, v) = app
        .platform_call(&ca, Method::GET, "/api/owner/plans", None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let names: Vec<&str> = strs(&v["items"], "name");
    assert_eq!(names, ["Live"]);
    // Their own (retired) plan is readable; another retired plan is not.
    for (plan, want) in [(&old, StatusCode::OK), (&other_old, StatusCode::NOT_FOUND)] {
        let path = format!("/api/owner/plans/{}", plan["id"].as_str().unwrap());
        let (s, v) = app.platform_call(&ca, Method::GET, &path, None).await;
        assert_eq!(s, want, "{path}: {v}");
    }
    let lid = live["id"].as_str().unwrap();
    for (m, p, body) in [
        (
            Method::POST,
            "/api/owner/plans".to_owned(),
            Some(plan_body("Mine", 1, &[], None, None)),
        ),
        (
            Method::PATCH,
            format!("/api/owner/plans/{lid}"),
            Some(json!({"priceCents": 1})),
        ),
        (Method::DELETE, format!("/api/owner/plans/{lid}"), None),
    ] {
        let (s, v) = app.platform_call(&ca, m.clone(), &p, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{m} {p}: {v}");
    }
    let (_, v) = app.get_plan(lid).await;
    assert_eq!(v["priceCents"], 4900, "nothing changed");
}

async fn a_company_gets_its_plans_limits_and_features_with_overrides(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(
        &app,
        plan_body("Solo", 4900, &["client_portal"], Some(1), Some(5)),
    )
    .await;
    let c = create_company_on(&app, "solo-vet", plan["id"].as_str().unwrap()).await;
    let cid = c["id"].as_str().unwrap();
    let resolved = app.resolved(cid).await;
    assert_eq!(resolved.limits.max_practices, Some(1));
    assert_eq!(resolved.limits.max_users, Some(5));
    assert_eq!(resolved.limits.storage_bytes, None);
    assert_eq!(
        resolved.features,
        Some(BTreeSet::from([Feature::ClientPortal]))
    );
    // The tenant API holds the company to the plan's practice limit.
    let admin = app.admin_token("solo-vet").await;
    let (s, e) = app
        .tenant_post(
            "solo-vet",
            &admin,
            "/api/practices",
            json!({"name": "Second"}),
        )
        .await;
    assert_eq!(s, StatusCode::PAYMENT_REQUIRED, "{e}");
    assert_eq!(e["limit"], "maxPractices");

    // Company overrides win key by key, and reach the resolver at once.
    let (s, v) = app
        .put_company(
            cid,
            json!({"settings": {"limits": {"maxPractices": 2, "maxUsers": null},
                                 "features": {"client_portal": false, "data_import": true}}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let resolved = app.resolved(cid).await;
    assert_eq!(resolved.limits.max_practices, Some(2));
    assert_eq!(resolved.limits.max_users, None);
    assert_eq!(
        resolved.features,
        Some(BTreeSet::from([Feature::DataImport]))
    );
    let (s, e) = app
        .tenant_post(
            "solo-vet",
            &admin,
            "/api/practices",
            json!({"name": "Second"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");

    // A plan change reaches the company too (the resolver cache is cleared).
    let (s, _) = app
        .patch_plan(
            plan["id"].as_str().unwrap(),
            json!({"limits": {"storageBytes": 1000}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let resolved = app.resolved(cid).await;
    assert_eq!(resolved.limits.storage_bytes, Some(1000));
    // A company without a plan may use every feature.
    app.create_company("free-vet").await;
    let free = app
        .state
        .platform
        .resolver
        .by_subdomain("free-vet")
        .await
        .unwrap();
    assert_eq!(free.features, None);
}
