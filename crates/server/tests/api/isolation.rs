//! Each company has its own database, and nothing written through one company's host is
//! visible through another's.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, count_named, json};

both_backends!(
    companies_get_separate_databases_and_writes_stay_in_their_own,
    x_company_id_selects_only_the_named_company,
);

async fn companies_get_separate_databases_and_writes_stay_in_their_own(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.create_company("clinic-a").await;
    let bb = app.create_company("clinic-b").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), bb["id"].as_str().unwrap());
    assert_ne!(a["database"]["name"], bb["database"]["name"]);
    assert!(app.managed_database_exists(a_id).await && app.managed_database_exists(b_id).await);
    assert_eq!(app.tenant_database_count().await, 2);

    let marker = format!("Marker A {}", uuid::Uuid::new_v4());
    let admin_a = app.admin_token("clinic-a").await;
    let admin_b = app.admin_token("clinic-b").await;
    let (s, created) = app
        .tenant_post(
            "clinic-a",
            &admin_a,
            "/api/practices",
            json!({"name": marker, "timeZone": "Europe/London", "currency": "GBP"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");

    let through_a = app.public_practices("clinic-a").await.text().await.unwrap();
    let through_b = app.public_practices("clinic-b").await.text().await.unwrap();
    assert!(through_a.contains(&marker));
    assert!(through_a.contains("Company clinic-a") && !through_a.contains("Company clinic-b"));
    assert!(
        !through_b.contains(&marker),
        "company B sees A's data: {through_b}"
    );
    assert!(through_b.contains("Company clinic-b") && !through_b.contains("Company clinic-a"));

    // Straight from the databases.
    let db_a = app.open_tenant_db(a_id).await;
    let db_b = app.open_tenant_db(b_id).await;
    assert_eq!(count_named(&db_a, "practices", &marker).await, 1);
    assert_eq!(count_named(&db_b, "practices", &marker).await, 0);
    assert_eq!(count_named(&db_b, "practices", "Company clinic-a").await, 0);
    // The write was audited in A's database, in the same transaction.
    let audit_a = smartdmv_store::tenant::audit::all(&db_a).await.unwrap();
    assert!(audit_a.iter().any(|e| {
        e.entity == "practice"
            && e.after
                .as_ref()
                .is_some_and(|v| v.to_string().contains(&marker))
    }));
    let audit_b = smartdmv_store::tenant::audit::all(&db_b).await.unwrap();
    assert!(!audit_b.iter().any(|e| {
        e.after
            .as_ref()
            .is_some_and(|v| v.to_string().contains(&marker))
    }));
    let _ = db_a.close().await;
    let _ = db_b.close().await;

    // Tenant writes need a signed-in user of the company.
    let r = app
        .tenant("clinic-b", Method::POST, "/api/practices")
        .json(&json!({"name": "Intruder"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, e) = app
        .tenant_post(
            "clinic-b",
            &admin_b,
            "/api/practices",
            json!({"name": "", "currency": "pounds", "timeZone": "nowhere"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["name", "currency", "timeZone"] {
        assert!(e["errors"][f].is_array(), "{e}");
    }
}

async fn x_company_id_selects_only_the_named_company(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.create_company("head-a").await;
    let bb = app.create_company("head-b").await;
    let (a_id, b_id) = (a["id"].as_str().unwrap(), bb["id"].as_str().unwrap());
    let marker = format!("Header marker {}", uuid::Uuid::new_v4());
    let admin_b = app.admin_token("head-b").await;
    let (s, _) = json(
        app.platform(Method::POST, "/api/practices")
            .bearer_auth(&admin_b)
            .header("x-company-id", b_id)
            .json(&json!({"name": marker}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let via = |id: &str| {
        app.platform(Method::GET, "/api/public/practices")
            .header("x-company-id", id.to_owned())
            .send()
    };
    let body_b = via(b_id).await.unwrap().text().await.unwrap();
    let body_a = via(a_id).await.unwrap().text().await.unwrap();
    assert!(body_b.contains(&marker) && body_b.contains("Company head-b"));
    assert!(!body_a.contains(&marker) && !body_a.contains("Company head-b"));
    // A host and a header that disagree are refused, not resolved in favour of either.
    let (s, e) = json(
        app.tenant("head-a", Method::GET, "/api/public/practices")
            .header("x-company-id", b_id)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["code"], "conflicting_tenant_context");
    assert!(!e.to_string().contains(&marker));
    // Agreeing host and header are fine.
    let r = app
        .tenant("head-a", Method::GET, "/api/public/practices")
        .header("x-company-id", a_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
