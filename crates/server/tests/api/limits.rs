//! Plan limits on the tenant API, each at its boundary: staff seats, API calls a month and
//! storage (the practice limit is in `practices.rs`).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::fixtures::Company;
use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::usage::{recount, set_settings, usage};

both_backends!(
    staff_seats_end_at_max_users,
    api_calls_end_at_the_monthly_limit,
    full_storage_refuses_new_records_but_not_reading,
);

fn assert_limit(s: StatusCode, v: &Value, limit: &str) {
    assert_eq!(s, StatusCode::PAYMENT_REQUIRED, "{v}");
    assert_eq!(v["code"], "plan_limit_reached", "{v}");
    assert_eq!(v["limit"], limit, "{v}");
}

async fn new_user(app: &TestApp, admin: &str, email: &str, role: &str) -> (StatusCode, Value) {
    app.tenant_post(
        "seat-vet",
        admin,
        "/api/users",
        json!({"email": email, "name": email, "password": PASSWORD, "role": role}),
    )
    .await
}

async fn staff_seats_end_at_max_users(b: Backend) {
    let c = Company::open(b, "seat-vet").await;
    let app = &c.app;
    let id = c.cid.as_str();
    let admin = &c.admin;
    set_settings(app, id, json!({"limits": {"maxUsers": 3}})).await;

    // The administrator holds the first seat; the second and the third are free.
    let (s, vet) = new_user(app, admin, "vet@seat.example", "VETERINARIAN").await;
    assert_eq!(s, StatusCode::CREATED, "{vet}");
    // An invitation holds a seat too.
    let (s, v) = c
        .post(
            "/api/users",
            json!({"email": "tech@seat.example", "name": "Tech", "role": "TECHNICIAN"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = new_user(app, admin, "rec@seat.example", "RECEPTIONIST").await;
    assert_limit(s, &v, "maxUsers");
    assert_eq!(v["max"], 3);
    // Pet owners' portal logins are not seats.
    let (s, v) = new_user(app, admin, "pet-owner@seat.example", "CLIENT").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let client_user = v["id"].as_str().unwrap().to_owned();
    // ... but making one staff takes a seat.
    let (s, v) = c
        .patch(
            &format!("/api/users/{client_user}"),
            json!({"role": "RECEPTIONIST"}),
        )
        .await;
    assert_limit(s, &v, "maxUsers");

    // Deactivating frees a seat; reactivating past the limit is refused.
    let vet = vet["id"].as_str().unwrap();
    let (s, _) = c.delete(&format!("/api/users/{vet}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = new_user(app, admin, "rec@seat.example", "RECEPTIONIST").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = c
        .patch(&format!("/api/users/{vet}"), json!({"active": true}))
        .await;
    assert_limit(s, &v, "maxUsers");
    let (s, list) = c.get("/api/users").await;
    assert_eq!(s, StatusCode::OK);
    let active_staff = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["active"] == true && u["role"] != "CLIENT")
        .count();
    assert_eq!(
        active_staff, 3,
        "nothing past the limit was written: {list}"
    );
    // Other edits of a seated user are fine at the limit.
    let rec_id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "rec@seat.example")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, v) = c
        .patch(
            &format!("/api/users/{rec_id}"),
            json!({"name": "Renamed", "role": "TECHNICIAN"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A per-company override lifts the limit at once.
    set_settings(app, id, json!({"limits": {"maxUsers": 4}})).await;
    let (s, v) = c
        .patch(&format!("/api/users/{vet}"), json!({"active": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn api_calls_end_at_the_monthly_limit(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.create_company("calls-vet").await;
    let id = c["id"].as_str().unwrap();
    let admin = app.admin_token("calls-vet").await;
    let used = usage(&app, id).await["apiCalls"].as_i64().unwrap();
    assert_eq!(used, 0, "signing in is not counted");
    set_settings(&app, id, json!({"limits": {"apiCallsPerMonth": used + 3}})).await;

    for n in 1..=3 {
        let (s, v) = app.tenant_get("calls-vet", &admin, "/api/practices").await;
        assert_eq!(s, StatusCode::OK, "call {n} of 3: {v}");
    }
    let (s, v) = app.tenant_get("calls-vet", &admin, "/api/practices").await;
    assert_limit(s, &v, "apiCallsPerMonth");
    assert_eq!(v["max"], used + 3);
    // Every tenant route is refused, signing in included; refused calls are not counted.
    let r = app
        .tenant("calls-vet", Method::POST, "/api/auth/login")
        .json(&json!({"email": "admin@calls-vet.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    assert_eq!(usage(&app, id).await["apiCalls"], used + 3);
    // Another company is not affected.
    app.create_company("other-vet").await;
    app.admin_token("other-vet").await;
    // Raising the limit serves the company again.
    set_settings(&app, id, json!({"limits": {"apiCallsPerMonth": used + 4}})).await;
    let (s, _) = app.tenant_get("calls-vet", &admin, "/api/practices").await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app.tenant_get("calls-vet", &admin, "/api/practices").await;
    assert_limit(s, &v, "apiCallsPerMonth");
}

async fn full_storage_refuses_new_records_but_not_reading(b: Backend) {
    let c = Company::open(b, "disk-vet").await;
    let app = &c.app;
    let id = c.cid.as_str();
    let client = c.client("Ada", "Disk").await;
    let size = recount(app, id).await["storageBytes"].as_i64().unwrap();
    assert!(size > 0);

    // One byte below the recorded size's limit: still room.
    set_settings(app, id, json!({"limits": {"storageBytes": size + 1}})).await;
    c.client("Bea", "Disk").await;
    // At the limit, and over it, nothing new is created.
    for max in [size, size - 1] {
        set_settings(app, id, json!({"limits": {"storageBytes": max}})).await;
        let (s, v) = c
            .post(
                "/api/clients",
                json!({"firstName": "Cy", "lastName": "Disk"}),
            )
            .await;
        assert_limit(s, &v, "storageBytes");
    }
    // Reading, editing, signing in and out still work.
    let (s, list) = c.get("/api/clients").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    let (s, v) = c
        .patch(
            &format!("/api/clients/{client}"),
            json!({"notes": "still editable"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let second = app.admin_token("disk-vet").await;
    let (s, _) = c
        .call(&second, Method::POST, "/api/auth/logout", None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Every route that creates records is refused: none can be forgotten.
    let allowed = smartdmv_server::limits::POSTS_THAT_CREATE_NOTHING;
    let mut failures = Vec::new();
    for (m, path) in smartdmv_server::api::tenant_routes().list() {
        if m != Method::POST || allowed.contains(&path) {
            continue;
        }
        let url = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{code}", "dog");
        let (s, v) = c.call(&c.admin, m.clone(), &url, Some(json!({}))).await;
        if s != StatusCode::PAYMENT_REQUIRED || v["limit"] != "storageBytes" {
            failures.push(format!("{m} {path}: {s} {v}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // A recount that finds room (here: a raised limit) lets writes through again.
    set_settings(app, id, json!({"limits": {"storageBytes": size * 10}})).await;
    c.client("Cy", "Disk").await;
}
