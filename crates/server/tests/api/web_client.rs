//! The client portal (`/client`): a client sees only their own pets and appointments,
//! requests one for their pet (stored as a request) and cancels an upcoming one after a
//! confirmation page; the staff pages are closed to them and the portal to staff.

use jiff::{Timestamp, ToSpan};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD};
use crate::web::{WebSession, booking_form};
use crate::web_staff::{Practice, client_with_pet};

both_backends!(client_sees_only_their_pets_and_requests_and_cancels_appointments);

async fn portal_user(c: &Practice, client: &str, email: &str) {
    let (s, v) = c
        .api(
            Method::POST,
            &format!("/api/clients/{client}/portal-account"),
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn client_sees_only_their_pets_and_requests_and_cancels_appointments(b: Backend) {
    let c = Practice::open(b, "portal").await;
    let (mine, rex) = client_with_pet(&c, "Mine", "Rexie").await;
    let (theirs, tom) = client_with_pet(&c, "Theirs", "Tomcat").await;
    portal_user(&c, &mine, "mine@owners.example").await;
    portal_user(&c, &theirs, "theirs@owners.example").await;
    let tomorrow = (Timestamp::now() + 24.hours())
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let (s, other) = c
        .api(
            Method::POST,
            "/api/appointments",
            Some(
                json!({"petId": tom, "practiceId": c.practice, "typeId": c.consult,
                        "startsAt": format!("{tomorrow}T09:00:00Z")}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let other = other["id"].as_str().unwrap().to_owned();

    let mut br = WebSession::signed_in(&c.app, "portal", "mine@owners.example").await;
    let home = br.get("/client").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.has("Rexie") && !home.has("Tomcat"), "{}", home.body);
    assert_eq!(
        br.get(&format!("/client/pets/{rex}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        br.get(&format!("/client/pets/{tom}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(br.get("/practice").await.status, StatusCode::FORBIDDEN);

    // A request without a pet is refused beside the field; with one it is stored as requested.
    let form = br
        .get(&format!(
            "/client/appointments/new?pet={rex}&date={tomorrow}&typeId={}",
            c.consult
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(!form.has("Tomcat"), "only their own pets are offered");
    let bad = br
        .post(
            "/client/appointments/new",
            &[
                ("practiceId", &c.practice),
                ("date", &tomorrow),
                ("typeId", &c.consult),
                ("time", "14:00"),
            ],
        )
        .await;
    bad.assert_field_error("petId");
    let ok = br
        .post(
            "/client/appointments/new",
            &booking_form(
                &rex,
                &c.practice,
                &tomorrow,
                &c.consult,
                "14:00",
                "Vaccination",
            ),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location, "/client/appointments");
    let (_, list) = c
        .api(Method::GET, &format!("/api/appointments?petId={rex}"), None)
        .await;
    let a = &list["items"][0];
    assert_eq!(a["status"], "requested", "{list}");
    assert_eq!(a["requestedByClient"], true);
    assert_eq!(a["startsAt"], format!("{tomorrow}T14:00:00Z"));
    let id = a["id"].as_str().unwrap().to_owned();

    let page = br.get("/client/appointments").await;
    assert!(page.has(&format!("id=\"visit-{id}\"")) && page.has("Vaccination"));
    assert!(
        !page.has(&other),
        "another client's appointment never shows"
    );
    assert_eq!(
        br.get(&format!("/client/appointments/{other}/cancel"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = br
        .post(&format!("/client/appointments/{other}/cancel"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let confirm = br.get(&format!("/client/appointments/{id}/cancel")).await;
    assert!(confirm.has("id=\"cancel-form\""), "{}", confirm.body);
    let r = br
        .post(
            &format!("/client/appointments/{id}/cancel"),
            &[("reason", "Away")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, v) = c
        .api(Method::GET, &format!("/api/appointments/{id}"), None)
        .await;
    assert_eq!(v["status"], "cancelled");
    let (_, v) = c
        .api(Method::GET, &format!("/api/appointments/{other}"), None)
        .await;
    assert_eq!(v["status"], "booked");

    // Staff are refused the portal.
    let mut staff = WebSession::signed_in(&c.app, "portal", "admin@portal.example").await;
    assert_eq!(staff.get("/client").await.status, StatusCode::FORBIDDEN);
}
