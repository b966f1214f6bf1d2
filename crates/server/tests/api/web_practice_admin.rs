//! The practice administrator's pages: scoped to their practices by the API, and every
//! page of both administrator areas rendering for the roles each admits.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::web::WebSession;
use crate::web_admin::{head_practice, user};

async fn practice_administrator_works_within_their_practice(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_company("acme").await;
    let admin = app.admin_token("acme").await;
    let head = head_practice(&app, "acme", &admin).await;
    let (s, second) = app
        .tenant_post("acme", &admin, "/api/practices", json!({"name": "Second"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    let second = second["id"].as_str().unwrap().to_owned();
    let make = |email: &'static str, role: &'static str, practice: String| {
        let app = &app;
        let admin = &admin;
        async move {
            let (s, v) = app
                .tenant_post(
                    "acme",
                    admin,
                    "/api/users",
                    json!({
                    "email": email, "name": email, "password": PASSWORD, "role": role,
                    "practiceIds": [practice]}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            v["id"].as_str().unwrap().to_owned()
        }
    };
    make("pa@acme.example", "PRACTICE_ADMINISTRATOR", second.clone()).await;
    let here = make("here@acme.example", "VETERINARIAN", second.clone()).await;
    let there = make("there@acme.example", "VETERINARIAN", head.clone()).await;

    let mut b = WebSession::signed_in(&app, "acme", "pa@acme.example").await;
    assert_eq!(
        b.get("/").await.location.as_str(),
        "/practice-administrator"
    );
    assert_eq!(b.get("/administrator").await.status, StatusCode::FORBIDDEN);
    let overview = b.get("/practice-administrator").await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    let users = b.get("/practice-administrator/users").await;
    assert!(users.body.contains("here@acme.example"));
    assert!(!users.body.contains("there@acme.example"));
    assert_eq!(
        b.get(&format!("/practice-administrator/users/{here}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        b.get(&format!("/practice-administrator/users/{there}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Settings: their practice, not the head office.
    let settings = b.get("/practice-administrator/settings").await;
    assert_eq!(settings.status, StatusCode::OK);
    assert!(settings.body.contains("value=\"Second\""));
    let refused = b
        .post(
            &format!("/practice-administrator/practices/{head}"),
            &[("name", "Taken over")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let saved = b
        .post(
            &format!("/practice-administrator/practices/{second}"),
            &[("name", "Second Street"), ("currency", "EUR")],
        )
        .await;
    assert_eq!(
        saved.location,
        format!("/practice-administrator/settings?practice={second}")
    );
    let (_, p) = app
        .tenant_get("acme", &admin, &format!("/api/practices/{second}"))
        .await;
    assert_eq!(
        (p["name"].as_str(), p["currency"].as_str()),
        (Some("Second Street"), Some("EUR"))
    );

    // Inviting: the form offers their practice; an administrator role is refused.
    let form = b.get("/practice-administrator/users/new").await;
    assert!(form.body.contains(&format!("value=\"{second}\" checked")));
    assert!(!form.body.contains(&format!("value=\"{head}\"")));
    assert!(!form.body.contains("value=\"ADMINISTRATOR\""));
    let escalate = b
        .post(
            "/practice-administrator/users",
            &[
                ("name", "Boss"),
                ("email", "boss@acme.example"),
                ("role", "ADMINISTRATOR"),
                ("practiceIds", &second),
            ],
        )
        .await;
    assert_eq!(escalate.status, StatusCode::FORBIDDEN, "{}", escalate.body);
    let elsewhere = b
        .post(
            "/practice-administrator/users",
            &[
                ("name", "Nurse"),
                ("email", "n@acme.example"),
                ("role", "TECHNICIAN"),
                ("practiceIds", &head),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let invited = b
        .post(
            "/practice-administrator/users",
            &[
                ("name", "Nurse"),
                ("email", "n@acme.example"),
                ("role", "TECHNICIAN"),
                ("practiceIds", &second),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    assert!(invited.body.contains("id=\"invitation-link\""));
    let (_, list) = app.tenant_get("acme", &admin, "/api/users?q=nurse").await;
    assert_eq!(list["items"][0]["practiceId"], second.as_str());

    // Their audit log shows their practice's entries only.
    let log = b.get("/practice-administrator/audit?entity=user").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains(&here) && !log.body.contains(&there));

    // Deactivating a user of their practice.
    let gone = b
        .post(
            &format!("/practice-administrator/users/{here}/deactivate"),
            &[],
        )
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    assert_eq!(user(&app, "acme", &admin, &here).await["active"], false);
}

both_backends!(practice_administrator_works_within_their_practice,);
