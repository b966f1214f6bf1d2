//! Practices: settings, closing and reopening, the public profile, and the practice limit.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::fixtures::Company;
use crate::helpers::{Backend, strs};
use crate::plans::company_admin;

both_backends!(
    practice_settings_are_validated_and_kept,
    closing_a_practice_keeps_it_but_hides_it_from_booking,
    a_company_at_its_practice_limit_gets_402,
);

async fn practice_settings_are_validated_and_kept(b: Backend) {
    let c = Company::open(b, "set-vet").await;
    let (s, e) = c
        .post(
            "/api/practices",
            json!({"name": "North", "timeZone": "America/New_Yrok", "taxRateBp": 10001}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["errors"]["timeZone"].is_array(), "{e}");
    assert!(e["errors"]["taxRateBp"].is_array(), "{e}");

    let (s, p) = c.post("/api/practices", json!({"name": "North", "timeZone": "America/New_York", "currency": "USD", "taxRateBp": 825}))
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["taxRateBp"], 825);
    assert_eq!(p["active"], true);
    let id = p["id"].as_str().unwrap();
    let (s, p) = c
        .patch(
            &format!("/api/practices/{id}"),
            json!({"taxRateBp": 2000, "allowClientSignup": true,
                    "openingHours": {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["taxRateBp"], 2000);
    assert_eq!(p["allowClientSignup"], true);
    assert_eq!(p["openingHours"]["mon"][1][0], "13:00");
    let (s, e) = c
        .patch(
            &format!("/api/practices/{id}"),
            json!({"openingHours": {"mon": [["17:00", "09:00"]]}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // The refused change left the practice as it was.
    let (_, p) = c.get(&format!("/api/practices/{id}")).await;
    assert_eq!(p["openingHours"]["mon"][0][0], "09:00");
}

async fn closing_a_practice_keeps_it_but_hides_it_from_booking(b: Backend) {
    let c = Company::open(b, "close-vet").await;
    let app = &c.app;
    let (_, list) = c.get("/api/practices").await;
    let head = list["items"][0]["id"].as_str().unwrap().to_owned();
    // The only open practice cannot be closed.
    let (s, e) = c.delete(&format!("/api/practices/{head}")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "last_open_practice");

    let (_, p) = c.post("/api/practices", json!({"name": "Annex"})).await;
    let annex = p["id"].as_str().unwrap().to_owned();
    let (s, p) = c.delete(&format!("/api/practices/{annex}")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["active"], false);
    // Still readable by staff, gone from the public profile.
    let (s, p) = c.get(&format!("/api/practices/{annex}")).await;
    assert_eq!((s, p["active"].clone()), (StatusCode::OK, json!(false)));
    let public = app
        .public_practices("close-vet")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        public.contains(&head) && !public.contains(&annex),
        "{public}"
    );
    // Closing is audited (who may close is in the permission matrix).
    let (_, audit) = c.get(&format!("/api/audit-logs?entityId={annex}")).await;
    let actions: Vec<&str> = strs(&audit["items"], "action");
    assert!(actions.contains(&"close"), "{audit}");
    // Reopening.
    let (s, p) = c
        .patch(&format!("/api/practices/{annex}"), json!({"active": true}))
        .await;
    assert_eq!((s, p["active"].clone()), (StatusCode::OK, json!(true)));
    let (s, e) = c
        .patch(&format!("/api/practices/{annex}"), json!({"active": false}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

async fn a_company_at_its_practice_limit_gets_402(b: Backend) {
    let c = Company::open(b, "limit-vet").await;
    let app = &c.app;
    let cid = c.cid.clone();
    // The company's own administrator on the platform cannot lift its limits.
    let ca = company_admin(app, &cid, "ca@limit.example").await;
    let r = app
        .platform_send(
            &ca,
            Method::PUT,
            &format!("/api/owner/companies/{cid}"),
            Some(json!({"settings": {"limits": {"maxPractices": 100}}})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let (s, v) = app
        .put_company(&cid, json!({"settings": {"limits": {"maxPractices": 2}}}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, second) = c.post("/api/practices", json!({"name": "Second"})).await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    // The boundary: two open practices is the limit.
    let (s, e) = c.post("/api/practices", json!({"name": "Third"})).await;
    assert_eq!(s, StatusCode::PAYMENT_REQUIRED, "{e}");
    assert_eq!(e["code"], "plan_limit_reached");
    assert_eq!(e["limit"], "maxPractices");
    let (_, list) = c.get("/api/practices").await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "nothing was written"
    );
    // Closing one frees a place; reopening it past the limit is refused the same way.
    let second = second["id"].as_str().unwrap();
    let (s, _) = c.delete(&format!("/api/practices/{second}")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c.post("/api/practices", json!({"name": "Third"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, e) = c
        .patch(&format!("/api/practices/{second}"), json!({"active": true}))
        .await;
    assert_eq!(s, StatusCode::PAYMENT_REQUIRED, "{e}");
}
