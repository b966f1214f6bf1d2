//! Feature flags of a company's plan on the tenant API: a route of a feature the company's
//! plan lacks answers 403 `feature_not_in_plan` naming it; a per-company override grants it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::fixtures::Company;
use crate::helpers::{Backend, PASSWORD, json};
use crate::plans::{create_plan, plan_body};
use crate::usage::set_settings;

both_backends!(routes_of_a_missing_feature_answer_403_naming_it);

fn assert_feature(s: StatusCode, v: &Value, feature: &str) {
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "feature_not_in_plan", "{v}");
    assert_eq!(v["feature"], feature, "{v}");
}

fn not_gated(s: StatusCode, v: &Value) {
    assert_ne!(v["code"], "feature_not_in_plan", "{s} {v}");
}

async fn routes_of_a_missing_feature_answer_403_naming_it(b: Backend) {
    let c = Company::open(b, "feat-vet").await;
    let app = &c.app;
    let id = c.cid.as_str();
    let admin = &c.admin;
    let (s, role) = c
        .post(
            "/api/roles",
            json!({"name": "Reader", "permissions": ["reports:read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{role}");
    let role = role["id"].as_str().unwrap().to_owned();
    app.create_user("feat-vet", admin, "pet-owner@feat.example", "CLIENT")
        .await;
    let portal = app
        .login("feat-vet", "pet-owner@feat.example", PASSWORD)
        .await;
    let client = c.client("Ada", "Feature").await;

    // A plan with none of the features.
    let lean = create_plan(app, plan_body("Lean", 900, &[], None, None)).await;
    let (s, v) = app.put_company(id, json!({"plan": lean["id"]})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let csv = || {
        app.tenant(
            "feat-vet",
            Method::POST,
            "/api/import/clients-patients?dryRun=true",
        )
        .bearer_auth(admin)
        .header("content-type", "text/csv; charset=utf-8")
        .body("First Name,Last Name,Patient,Species\r\nAda,Import,Rex,Dog\r\n")
    };
    let (s, v) = json(csv().send().await.unwrap()).await;
    assert_feature(s, &v, "data_import");
    let (s, v) = c
        .post(
            "/api/roles",
            json!({"name": "Other", "permissions": ["reports:read"]}),
        )
        .await;
    assert_feature(s, &v, "custom_roles");
    let (s, v) = c
        .patch(&format!("/api/roles/{role}"), json!({"name": "Renamed"}))
        .await;
    assert_feature(s, &v, "custom_roles");
    // Existing roles can still be read.
    let (s, v) = c.get(&format!("/api/roles/{role}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The client portal: self-registration, portal accounts, sign-in and every request of a
    // portal user.
    let (s, v) = json(
        app.tenant("feat-vet", Method::POST, "/api/auth/register")
            .json(&json!({"email": "new@feat.example", "name": "New Owner", "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_feature(s, &v, "client_portal");
    let (s, v) = c
        .post(
            &format!("/api/clients/{client}/portal-account"),
            json!({"email": "ada@feat.example", "password": PASSWORD}),
        )
        .await;
    assert_feature(s, &v, "client_portal");
    let (s, v) = json(
        app.tenant("feat-vet", Method::POST, "/api/auth/login")
            .json(&json!({"email": "pet-owner@feat.example", "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_feature(s, &v, "client_portal");
    let (s, v) = c.get_as(&portal, "/api/auth/me").await;
    assert_feature(s, &v, "client_portal");
    // Staff keep working and see which features they have.
    let (s, me) = c.get("/api/auth/me").await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["features"], json!([]), "{me}");

    // Per-company overrides grant what the plan lacks.
    set_settings(
        app,
        id,
        json!({"features": {"data_import": true, "custom_roles": true, "client_portal": true}}),
    )
    .await;
    let (s, v) = json(csv().send().await.unwrap()).await;
    not_gated(s, &v);
    assert!(s.is_success(), "{v}");
    let (s, v) = c
        .patch(&format!("/api/roles/{role}"), json!({"name": "Renamed"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = c.get_as(&portal, "/api/auth/me").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.login("feat-vet", "pet-owner@feat.example", PASSWORD)
        .await;
    let (s, v) = c
        .post(
            &format!("/api/clients/{client}/portal-account"),
            json!({"email": "ada@feat.example", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, me) = c.get("/api/auth/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        me["features"],
        json!(["client_portal", "data_import", "custom_roles"])
    );
}
