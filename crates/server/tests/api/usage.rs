//! Monthly usage: API calls counted as they happen, gauges recounted from the tenant
//! database (API and CLI), and who may read a company's usage.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, TestApp, json};
use crate::plans::company_admin;

both_backends!(
    usage_is_counted_and_recounted,
    a_company_admin_sees_only_their_own_usage,
);

/// Merges `settings` into a company's settings as the platform owner.
pub async fn set_settings(app: &TestApp, company: &str, settings: Value) {
    let (s, v) = app
        .put_company(company, json!({ "settings": settings }))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// The company's usage of the current month, as the platform owner reads it.
pub async fn usage(app: &TestApp, company: &str) -> Value {
    let (s, v) = app
        .owner_get(&format!("/api/owner/companies/{company}/usage"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// Recounts the company's gauges as the platform owner.
pub async fn recount(app: &TestApp, company: &str) -> Value {
    let (s, v) = app
        .owner_action(&format!("/api/owner/companies/{company}/usage/recompute"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn usage_is_counted_and_recounted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.create_company("usage-vet").await;
    let id = c["id"].as_str().unwrap();
    let before = usage(&app, id).await;
    assert_eq!(before["apiCalls"], 0, "{before}");
    assert_eq!(before["countedAt"], Value::Null);

    // The calls of signed-in users count: two clients, a pet and a read (the sign-in, made
    // without credentials, does not).
    let admin = app.admin_token("usage-vet").await;
    let mut clients = Vec::new();
    for n in ["Ada", "Bea"] {
        let (s, v) = app
            .tenant_post(
                "usage-vet",
                &admin,
                "/api/clients",
                json!({"firstName": n, "lastName": "Usage"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        clients.push(v["id"].as_str().unwrap().to_owned());
    }
    let (s, v) = app
        .tenant_post(
            "usage-vet",
            &admin,
            "/api/pets",
            json!({"name": "Rex", "species": "dog", "ownerId": clients[0]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = app.tenant_get("usage-vet", &admin, "/api/clients").await;
    assert_eq!(s, StatusCode::OK);
    // Unknown hosts, calls without credentials and refused credentials are not the
    // company's calls: nobody outside it can use up its allowance.
    app.tenant("nobody-vet", Method::GET, "/api/clients")
        .send()
        .await
        .unwrap();
    let (s, _) = app
        .tenant_get("usage-vet", "not-a-token", "/api/clients")
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let r = app.public_practices("usage-vet").await;
    assert_eq!(r.status(), StatusCode::OK);

    let u = usage(&app, id).await;
    assert_eq!(u["apiCalls"], 4, "{u}");
    assert_eq!(u["clients"], 0, "gauges wait for a recount: {u}");

    let u = recount(&app, id).await;
    assert_eq!(u["activeUsers"], 1, "{u}");
    assert_eq!(u["practices"], 1);
    assert_eq!(u["clients"], 2);
    assert_eq!(u["patients"], 1);
    assert_eq!(u["appointments"], 0);
    assert_eq!(u["apiCalls"], 4, "a recount leaves the calls alone");
    assert!(u["storageBytes"].as_i64().unwrap() > 0, "{u}");
    assert!(u["countedAt"].is_string());
    assert_eq!(u["limits"]["maxUsers"], Value::Null);

    // A staff user and a portal login: only staff hold seats.
    app.create_user("usage-vet", &admin, "vet@usage.example", "VETERINARIAN")
        .await;
    app.create_user("usage-vet", &admin, "owner@usage.example", "CLIENT")
        .await;
    // The CLI counts the same way.
    let out = app.cli(&["usage", "recompute", "--company", "usage-vet"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("users=2 practices=1 clients=2 patients=1"),
        "{stdout}"
    );
    let u = usage(&app, id).await;
    assert_eq!(u["activeUsers"], 2, "{u}");
    assert_eq!(u["apiCalls"], 6, "{u}");

    // Other months are read by name; a month nobody worked in is all zeros.
    let month = u["month"].as_str().unwrap().to_owned();
    let (s, v) = app
        .owner_get(&format!("/api/owner/companies/{id}/usage?month={month}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["clients"], 2);
    let (s, v) = app
        .owner_get(&format!("/api/owner/companies/{id}/usage?month=2020-01"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["month"].as_str(), v["apiCalls"].as_i64()),
        (Some("2020-01"), Some(0))
    );
    for bad in ["2020-13", "2020-1", "last"] {
        let (s, v) = app
            .owner_get(&format!("/api/owner/companies/{id}/usage?month={bad}"))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert!(v["detail"].as_str().unwrap().contains("YYYY-MM"), "{v}");
    }
}

async fn a_company_admin_sees_only_their_own_usage(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mine = app.create_company("mine-vet").await;
    let theirs = app.create_company("theirs-vet").await;
    let (mine, theirs) = (mine["id"].as_str().unwrap(), theirs["id"].as_str().unwrap());
    let ca = company_admin(&app, mine, "ca@mine.example").await;
    let get = |path: String| app.platform(Method::GET, &path).bearer_auth(&ca).send();
    let (s, v) = json(
        get(format!("/api/owner/companies/{mine}/usage"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["companyId"], mine);
    let (s, v) = json(
        get(format!("/api/owner/companies/{theirs}/usage"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
    assert!(!v.to_string().contains(theirs));
    let unknown = uuid::Uuid::now_v7();
    let (s, _) = json(
        get(format!("/api/owner/companies/{unknown}/usage"))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Recounting is the platform owner's.
    let r = app
        .platform_send(
            &ca,
            Method::POST,
            &format!("/api/owner/companies/{mine}/usage/recompute"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .platform_send(
            &ca,
            Method::POST,
            &format!("/api/owner/companies/{theirs}/usage/recompute"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Without a platform session, or on a company host, nothing.
    let r = app
        .platform(Method::GET, &format!("/api/owner/companies/{mine}/usage"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
