//! Practice records: clients (contacts, consent, retention), portal accounts, patients
//! (species and breeds, microchips, weights, death), ownership history, what a `CLIENT`
//! sees, and the audit trail of all of it.

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use smartdmv_store::TenantConnection;
use smartdmv_store::tenant::appointment;
use uuid::Uuid;

use crate::both_backends;
use crate::fixtures::ownership;
use crate::helpers::{Backend, PASSWORD, json, strs};

both_backends!(
    client_lifecycle_keeps_contacts_consent_and_address,
    client_validation_names_every_bad_field,
    deleting_a_client_deactivates_when_records_exist_and_erases_otherwise,
    portal_account_creates_and_links_one_client_user,
    patient_lifecycle_checks_species_breed_and_dates,
    custom_species_and_breeds_extend_the_lists,
    microchips_accept_iso_and_legacy_and_warn_on_duplicates,
    weight_history_is_newest_first_and_checked,
    deceased_patient_cancels_only_future_appointments_holding_a_slot,
    ownership_transfer_keeps_history_and_the_last_owner_stays,
    client_user_sees_only_their_own_pets,
    every_change_writes_an_audit_entry,
);

/// A test company with its administrator.
type Ctx = crate::fixtures::Company;

/// The field names of a 422's `errors`.
fn fields(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v["errors"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Runs a one-value query on the tenant database (`$1` / `?` placeholders per backend).
async fn scalar_i64(db: &TenantConnection, sql: &str, arg: &str) -> i64 {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => sql.replace('?', "$1"),
        _ => sql.to_owned(),
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [arg.parse::<Uuid>().map_or_else(|_| arg.into(), Into::into)],
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn date(days_from_today: i64) -> String {
    (smartdmv_store::Stamp::now() + jiff::SignedDuration::from_hours(24 * days_from_today))
        .date()
        .to_string()
}

fn rfc3339(t: smartdmv_store::Stamp) -> String {
    t.rfc3339()
}

async fn client_lifecycle_keeps_contacts_consent_and_address(b: Backend) {
    let c = Ctx::open(b, "rec-client").await;
    let (s, v) = c
        .post(
            "/api/clients",
            json!({
                "firstName": " Ann ", "lastName": "Müller",
                "contacts": [
                    {"kind": "phone", "value": "+44 20 7946 0018", "purpose": "mobile", "smsConsent": true},
                    {"kind": "email", "value": "Ann@Example.com", "emailConsent": true},
                    {"kind": "phone", "value": "020 7946 0019", "purpose": "work", "primary": true}
                ],
                "address": {"line1": "1 High St", "city": "London", "postalCode": "N1 1AA", "region": " "},
                "alerts": ["Prefers email", "Prefers email"],
                "notes": "Pays on time"
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["firstName"], "Ann");
    assert_eq!(v["lastName"], "Müller");
    assert_eq!(v["phone"], "020 7946 0019", "the phone marked primary");
    assert_eq!(v["email"], "Ann@Example.com", "the only email");
    assert_eq!(v["balanceCents"], 0);
    assert_eq!(v["active"], true);
    assert_eq!(v["userId"], Value::Null);
    assert_eq!(v["alerts"], json!(["Prefers email"]));
    assert_eq!(v["address"]["postalCode"], "N1 1AA");
    assert_eq!(
        v["address"]["region"],
        Value::Null,
        "blank parts are dropped"
    );
    // The registering administrator's home practice, by default.
    assert!(v["homePracticeId"].is_string(), "{v}");
    let contacts = v["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 3);
    assert_eq!(contacts[0]["smsConsent"], true);
    assert_eq!(contacts[0]["emailConsent"], false);
    assert_eq!(contacts[0]["primary"], false);
    assert_eq!(contacts[1]["emailConsent"], true);
    assert_eq!(
        contacts[1]["purpose"], "home",
        "default purpose of an email"
    );
    assert_eq!(contacts[1]["primary"], true);
    assert_eq!(contacts[2]["primary"], true);
    let email_contact = contacts[1]["id"].as_str().unwrap().to_owned();

    // Stored as the conventions say.
    let db = c.db().await;
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT count(*) FROM clients WHERE name_key = 'muller ann' AND id = ?",
            &id
        )
        .await,
        1
    );
    assert_eq!(
        scalar_i64(&db, "SELECT count(*) FROM client_contacts WHERE client_id = ? AND normalized IN ('442079460018', '02079460019', 'ann@example.com')", &id).await,
        3
    );

    let (s, shown) = c.get(&format!("/api/clients/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(shown["contacts"], v["contacts"]);
    assert_eq!(shown["notes"], "Pays on time");
    let (_, list) = c.get("/api/clients").await;
    assert_eq!(ids(&list), vec![id.clone()]);
    let (_, list) = c
        .get(&format!("/api/clients?homePracticeId={}", c.practice))
        .await;
    assert_eq!(ids(&list), vec![id.clone()]);

    // The email shorthand changes the primary email and keeps its id and consent.
    let (s, v) = c
        .patch(
            &format!("/api/clients/{id}"),
            json!({"email": "ann.new@example.com", "lastName": "Mueller"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["email"], "ann.new@example.com");
    assert_eq!(v["lastName"], "Mueller");
    let e = v["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "email")
        .unwrap()
        .clone();
    assert_eq!(e["id"], email_contact.as_str());
    assert_eq!(e["emailConsent"], true);

    // `contacts` replaces every contact; the mirrors follow.
    let (s, v) = c
        .patch(
            &format!("/api/clients/{id}"),
            json!({"contacts": [{"kind": "email", "value": "only@example.com", "purpose": "billing"}],
                   "address": null, "homePracticeId": null, "notes": null}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(v["contacts"][0]["purpose"], "billing");
    assert_eq!(v["email"], "only@example.com");
    assert_eq!(v["phone"], Value::Null);
    assert_eq!(v["address"], Value::Null);
    assert_eq!(v["homePracticeId"], Value::Null);
    assert_eq!(v["notes"], Value::Null);
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT count(*) FROM client_contacts WHERE client_id = ?",
            &id
        )
        .await,
        1
    );
    let (_, list) = c
        .get(&format!("/api/clients?homePracticeId={}", c.practice))
        .await;
    assert!(ids(&list).is_empty());

    // Paging.
    c.client("Bob", "Baker").await;
    c.client("Cy", "Cole").await;
    let (_, p1) = c.get("/api/clients?limit=2").await;
    assert_eq!(ids(&p1).len(), 2);
    let cursor = p1["nextCursor"].as_str().unwrap();
    let (_, p2) = c
        .get(&format!("/api/clients?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(ids(&p2).len(), 1);
    assert_eq!(p2["nextCursor"], Value::Null);

    // An unknown id, a malformed id.
    let (s, _) = c.get(&format!("/api/clients/{}", Uuid::now_v7())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = c.get("/api/clients/not-an-id").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let _ = db.close().await;
}

async fn client_validation_names_every_bad_field(b: Backend) {
    let c = Ctx::open(b, "rec-valid").await;
    let (s, v) = c.post("/api/clients", json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["code"], "validation_failed");
    assert_eq!(fields(&v), ["firstName", "lastName"]);

    let (s, v) = c
        .post(
            "/api/clients",
            json!({"firstName": " ", "lastName": "B", "email": "nope", "phone": "12",
                   "alerts": [""], "address": {"city": "x".repeat(201)}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v),
        ["address.city", "alerts.0", "email", "firstName", "phone"]
    );

    let (s, v) = c
        .post(
            "/api/clients",
            json!({"firstName": "A", "lastName": "B", "contacts": [
                {"kind": "fax", "value": "1"},
                {"kind": "email", "value": "x@y.example", "smsConsent": true},
                {"kind": "phone", "value": "555 0100 01", "purpose": "holiday"},
                {"kind": "email", "value": "z@y.example", "primary": true},
                {"kind": "email", "value": "w@y.example", "primary": true},
                {"kind": "email", "value": "X@Y.example"},
                {"kind": "phone", "value": "call me"}
            ]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v),
        [
            "contacts.0.kind",
            "contacts.1.smsConsent",
            "contacts.2.purpose",
            "contacts.4.primary",
            "contacts.5.value",
            "contacts.6.value"
        ]
    );

    let (s, v) = c
        .post(
            "/api/clients",
            json!({"firstName": "A", "lastName": "B", "email": "a@b.example",
                   "contacts": [{"kind": "phone", "value": "555 0100 01"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["contacts"]);

    for bad in [json!("not-an-id"), json!(Uuid::now_v7().to_string())] {
        let (s, v) = c
            .post(
                "/api/clients",
                json!({"firstName": "A", "lastName": "B", "homePracticeId": bad}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(fields(&v), ["homePracticeId"]);
    }
    let (s, v) = c
        .post(
            "/api/clients",
            json!({"firstName": "A", "lastName": "B", "age": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["code"], "invalid_body");

    // A practice-bound receptionist can only name their own practice.
    let (s, other) = c.post("/api/practices", json!({"name": "Second"})).await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let other = other["id"].as_str().unwrap().to_owned();
    let desk = c
        .staff("desk@rec-valid.example", "RECEPTIONIST", &[&c.practice])
        .await
        .0;
    let (s, v) = c
        .post_as(
            &desk,
            "/api/clients",
            json!({"firstName": "A", "lastName": "B", "homePracticeId": other}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = c
        .post_as(
            &desk,
            "/api/clients",
            json!({"firstName": "A", "lastName": "B", "homePracticeId": c.practice}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();

    // PATCH checks the same way and changes nothing on failure.
    let (s, v) = c
        .patch(
            &format!("/api/clients/{id}"),
            json!({"lastName": "", "phone": "abc", "active": false}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["active", "lastName", "phone"]);
    let (_, shown) = c.get(&format!("/api/clients/{id}")).await;
    assert_eq!(shown["lastName"], "B");

    // Only the one valid client was written.
    let db = c.db().await;
    assert_eq!(
        scalar_i64(&db, "SELECT count(*) FROM clients WHERE id <> ?", &id).await,
        0
    );
    let _ = db.close().await;
}

/// Inserts an appointment row directly (the scheduling API is another module's).
async fn insert_appointment(
    db: &TenantConnection,
    practice: &str,
    patient: &str,
    client: &str,
    starts_in: jiff::SignedDuration,
    status: &str,
) -> Uuid {
    let now = smartdmv_store::now();
    let starts = now + starts_in;
    appointment::insert(
        db,
        appointment::Model {
            id: Uuid::now_v7().into(),
            practice_id: practice.parse().unwrap(),
            patient_id: patient.parse().unwrap(),
            client_id: client.parse().unwrap(),
            type_id: None,
            veterinarian_id: None,
            room_id: None,
            starts_at: starts,
            ends_at: starts + jiff::SignedDuration::from_mins(15),
            reason: Some("check-up".into()),
            status: status.parse().unwrap(),
            double_booked: false,
            requested_by_client: false,
            cancel_reason: None,
            created_by: None,
            visit_id: None,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap()
    .id
    .into()
}

async fn deleting_a_client_deactivates_when_records_exist_and_erases_otherwise(b: Backend) {
    let c = Ctx::open(b, "rec-delete").await;
    let db = c.db().await;

    // Nobody's records: erased, contacts too.
    let (_, v) = c
        .post(
            "/api/clients",
            json!({"firstName": "Eve", "lastName": "Empty", "email": "eve@example.com"}),
        )
        .await;
    let empty = v["id"].as_str().unwrap().to_owned();
    let (s, v) = c.delete(&format!("/api/clients/{empty}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "erased");
    assert_eq!(v["client"], Value::Null);
    let (s, _) = c.get(&format!("/api/clients/{empty}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        scalar_i64(&db, "SELECT count(*) FROM clients WHERE id = ?", &empty).await,
        0
    );
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT count(*) FROM client_contacts WHERE client_id = ?",
            &empty
        )
        .await,
        0
    );
    let erased = c.audit("client", &empty).await;
    assert_eq!(erased[0]["action"], "erase");
    assert_eq!(erased[0]["before"]["email"], "eve@example.com");
    assert_eq!(erased[0]["after"], Value::Null);

    // An owner: deactivated, retained, out of the default list.
    let owner = c.client("Olive", "Owner").await;
    c.pet("Rex", &owner).await;
    let (s, v) = c.delete(&format!("/api/clients/{owner}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["outcome"], "deactivated");
    assert_eq!(v["client"]["active"], false);
    assert!(v["client"]["deactivatedAt"].is_string());
    let (s, v) = c.get(&format!("/api/clients/{owner}")).await;
    assert_eq!((s, &v["active"]), (StatusCode::OK, &json!(false)));
    let (_, active) = c.get("/api/clients").await;
    assert!(!ids(&active).contains(&owner));
    let (_, inactive) = c.get("/api/clients?active=false").await;
    assert_eq!(ids(&inactive), vec![owner.clone()]);
    assert_eq!(c.audit("client", &owner).await[0]["action"], "deactivate");
    // Deleting again keeps it deactivated; reactivation is a PATCH.
    let (s, v) = c.delete(&format!("/api/clients/{owner}")).await;
    assert_eq!((s, &v["outcome"]), (StatusCode::OK, &json!("deactivated")));
    let (s, v) = c
        .patch(&format!("/api/clients/{owner}"), json!({"active": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["active"], true);
    assert_eq!(v["deactivatedAt"], Value::Null);

    // A past owner (ownership ended by a transfer) is retained too.
    let past = c.client("Pat", "Past").await;
    let rex2 = c.pet("Rex II", &past).await;
    let (s, v) = c
        .post(
            &format!("/api/pets/{rex2}/owners"),
            json!({"clientId": owner, "transfer": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = c.delete(&format!("/api/clients/{past}")).await;
    assert_eq!(v["outcome"], "deactivated");

    // A client with only an appointment (for someone else's pet) is retained too.
    let booker = c.client("Bea", "Booker").await;
    insert_appointment(
        &db,
        &c.practice,
        &rex2,
        &booker,
        jiff::SignedDuration::from_hours(24 * (-30)),
        "completed",
    )
    .await;
    let (_, v) = c.delete(&format!("/api/clients/{booker}")).await;
    assert_eq!(v["outcome"], "deactivated");
    assert_eq!(
        scalar_i64(&db, "SELECT count(*) FROM clients WHERE id = ?", &booker).await,
        1
    );

    // A deactivated client cannot take on a new pet.
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Nope", "species": "cat", "ownerId": booker}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(fields(&v), ["ownerId"]);

    // Receptionists may not delete clients.
    let desk = c
        .staff("desk@rec-delete.example", "RECEPTIONIST", &[&c.practice])
        .await
        .0;
    let (s, _) = c.delete_as(&desk, &format!("/api/clients/{owner}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let _ = db.close().await;
}

async fn portal_account_creates_and_links_one_client_user(b: Backend) {
    let c = Ctx::open(b, "rec-portal").await;
    let ann = c.client("Ann", "Able").await;
    let bob = c.client("Bob", "Baker").await;
    let path = format!("/api/clients/{ann}/portal-account");

    for bad in [
        json!({"email": "ann@example.com"}),
        json!({"email": "ann@example.com", "password": PASSWORD, "invite": true}),
        json!({"email": "nope", "password": PASSWORD}),
        json!({"email": "ann@example.com", "password": "short"}),
    ] {
        let (s, v) = c.post(&path, bad.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }

    let (s, v) = c
        .post(
            &path,
            json!({"email": " Ann@Example.com ", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let user_id = v["user"]["id"].as_str().unwrap().to_owned();
    assert_eq!(v["user"]["role"], "CLIENT");
    assert_eq!(v["user"]["email"], "ann@example.com");
    assert_eq!(v["user"]["name"], "Ann Able");
    assert_eq!(v["client"]["userId"], user_id.as_str());
    assert_eq!(v["invitation"], Value::Null);
    assert!(v["user"].get("passwordHash").is_none());
    let (_, shown) = c.get(&format!("/api/clients/{ann}")).await;
    assert_eq!(shown["userId"], user_id.as_str());

    // Once only; and the email is unique among the company's users.
    let (s, v) = c
        .post(
            &path,
            json!({"email": "ann2@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("portal_account_exists"))
    );
    let (s, v) = c
        .post(
            &format!("/api/clients/{bob}/portal-account"),
            json!({"email": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("email_taken"))
    );
    let (s, v) = c
        .post(
            &format!("/api/clients/{bob}/portal-account"),
            json!({"email": "admin@rec-portal.example", "invite": true}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("email_taken"))
    );
    let (_, bob_now) = c.get(&format!("/api/clients/{bob}")).await;
    assert_eq!(
        bob_now["userId"],
        Value::Null,
        "a refused link leaves nothing behind"
    );

    // An invitation: the token is shown once and accepted like any invitation.
    let (s, v) = c
        .post(
            &format!("/api/clients/{bob}/portal-account"),
            json!({"email": "bob@example.com", "invite": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["user"]["invited"], true);
    let token = v["invitation"]["token"].as_str().unwrap().to_owned();
    let (s, v) = json(
        c.app
            .tenant(&c.sub, Method::POST, "/api/auth/accept-invitation")
            .json(&json!({"token": token, "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    c.app.login(&c.sub, "bob@example.com", PASSWORD).await;

    // Audited: the user and the link.
    let u = c.audit("user", &user_id).await;
    assert_eq!(u.last().unwrap()["action"], "create");
    assert_eq!(u.last().unwrap()["after"]["role"], "CLIENT");
    let link = c.audit("client", &ann).await;
    assert_eq!(link[0]["action"], "link_portal_account");
    assert_eq!(link[0]["after"]["userId"], user_id.as_str());
    let (_, invited) = c.get("/api/audit-logs?action=invite&entity=user").await;
    assert_eq!(invited["items"].as_array().unwrap().len(), 1);

    // The client signs in and reads their own record, without staff notes and alerts.
    let (s, _) = c
        .patch(
            &format!("/api/clients/{ann}"),
            json!({"notes": "staff only", "alerts": ["Bad payer"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let tok = c.app.login(&c.sub, "ann@example.com", PASSWORD).await;
    let (s, own) = c.get_as(&tok, &format!("/api/clients/{ann}")).await;
    assert_eq!(s, StatusCode::OK, "{own}");
    assert!(
        own.get("notes").is_none() && own.get("alerts").is_none(),
        "{own}"
    );
    let (s, _) = c.get_as(&tok, &format!("/api/clients/{bob}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = c.get_as(&tok, "/api/clients").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );

    // Removing the client closes the portal account.
    let (_, v) = c.delete(&format!("/api/clients/{ann}")).await;
    assert_eq!(v["outcome"], "erased");
    let (s, _) = c.get_as(&tok, "/api/pets").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, u) = c.get(&format!("/api/users/{user_id}")).await;
    assert_eq!(u["active"], false);
}

async fn patient_lifecycle_checks_species_breed_and_dates(b: Backend) {
    let c = Ctx::open(b, "rec-pets").await;
    let owner = c.client("Olive", "Owner").await;

    let (s, v) = c.post("/api/pets", json!({})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["name", "ownerId", "species"]);
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Rex", "species": "unicorn", "ownerId": owner}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["species"]);
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Rex", "species": "dog", "breed": "Siamese", "ownerId": owner}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["breed"]);
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Rex", "species": "dog", "ownerId": Uuid::now_v7().to_string(),
                   "sex": "m", "dateOfBirth": date(3), "dobEstimated": true,
                   "colour": "tan", "color": "black", "weight": {"value": 0, "unit": "kg"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields(&v),
        [
            "colour",
            "dateOfBirth",
            "dobEstimated",
            "ownerId",
            "sex",
            "weight.value"
        ]
    );
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Rex", "species": "dog", "ownerId": owner, "dateOfBirth": "2020-13-01",
                   "weight": {"value": 3, "unit": "stone"}}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["dateOfBirth", "weight.unit"]);
    let db = c.db().await;
    assert_eq!(
        scalar_i64(&db, "SELECT count(*) FROM patients WHERE name <> ?", "").await,
        0,
        "nothing written by refused bodies"
    );

    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Rex", "species": "Dog", "breed": "beagle", "sex": "male",
                   "neutered": true, "dateOfBirth": "2020-02-29", "dobEstimated": true,
                   "color": "tan", "alerts": ["Bites"], "notes": "Nervous",
                   "weight": {"value": 12.5, "unit": "kg"}, "ownerId": owner}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let rex = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["species"], "dog");
    assert_eq!(v["breed"], "Beagle", "stored in the list's spelling");
    assert_eq!(v["sex"], "male");
    assert_eq!(v["neutered"], true);
    assert_eq!(v["dateOfBirth"], "2020-02-29");
    assert_eq!(v["dobEstimated"], true);
    assert_eq!((&v["colour"], &v["color"]), (&json!("tan"), &json!("tan")));
    assert_eq!(v["alerts"], json!(["Bites"]));
    assert_eq!(v["ownerId"], owner.as_str());
    assert_eq!(v["owners"].as_array().unwrap().len(), 1);
    assert_eq!(v["owners"][0]["primary"], true);
    assert_eq!(v["latestWeight"]["value"], 12.5);
    assert_eq!(v["latestWeight"]["unit"], "kg");
    assert_eq!(v["deceasedOn"], Value::Null);
    assert_eq!(v["warnings"], json!([]));
    assert_eq!(
        scalar_i64(&db, "SELECT count(*) FROM patient_owners WHERE patient_id = ? AND is_primary AND ended_at IS NULL", &rex).await,
        1
    );

    // "Other" is always a breed; a breed is optional.
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Tom", "species": "cat", "breed": "other", "ownerId": owner}),
        )
        .await;
    assert_eq!((s, &v["breed"]), (StatusCode::CREATED, &json!("Other")));
    let tom = v["id"].as_str().unwrap().to_owned();

    let (s, v) = c.get(&format!("/api/pets/{rex}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["notes"], "Nervous");
    let (_, list) = c.get(&format!("/api/pets?ownerId={owner}")).await;
    assert_eq!(ids(&list), vec![rex.clone(), tom.clone()]);
    let (_, list) = c
        .get(&format!("/api/pets?ownerId={}", Uuid::now_v7()))
        .await;
    assert!(ids(&list).is_empty());

    // A new species re-checks the breed kept from before.
    let (s, v) = c
        .patch(&format!("/api/pets/{rex}"), json!({"species": "cat"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["breed"]);
    let (s, v) = c
        .patch(
            &format!("/api/pets/{rex}"),
            json!({"species": "cat", "breed": "siamese", "name": "Rexie", "colour": null,
                   "dateOfBirth": null, "dobEstimated": false, "sex": "female"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (&v["species"], &v["breed"]),
        (&json!("cat"), &json!("Siamese"))
    );
    assert_eq!(v["name"], "Rexie");
    assert_eq!(v["colour"], Value::Null);
    assert_eq!(v["dateOfBirth"], Value::Null);
    let (s, v) = c
        .patch(
            &format!("/api/pets/{rex}"),
            json!({"dobEstimated": true, "ownerId": owner}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owners change through /owners: {v}"
    );
    let (s, v) = c
        .patch(&format!("/api/pets/{rex}"), json!({"dobEstimated": true}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["dobEstimated"]);

    // DELETE deactivates; the record stays.
    let (s, v) = c.delete(&format!("/api/pets/{tom}")).await;
    assert_eq!((s, &v["active"]), (StatusCode::OK, &json!(false)));
    let (s, _) = c.get(&format!("/api/pets/{tom}")).await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = c.get("/api/pets").await;
    assert_eq!(ids(&list), vec![rex.clone()]);
    let (_, list) = c.get("/api/pets?active=false").await;
    assert_eq!(ids(&list), vec![tom.clone()]);
    let (s, v) = c
        .patch(&format!("/api/pets/{rex}"), json!({"active": false}))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "deactivation is a DELETE: {v}"
    );
    let (s, v) = c
        .patch(&format!("/api/pets/{tom}"), json!({"active": true}))
        .await;
    assert_eq!((s, &v["active"]), (StatusCode::OK, &json!(true)));
    assert_eq!(
        scalar_i64(&db, "SELECT count(*) FROM patients WHERE id = ?", &tom).await,
        1
    );

    // Technicians update demographics but cannot create or deactivate patients.
    let tech = c
        .staff("tech@rec-pets.example", "TECHNICIAN", &[&c.practice])
        .await
        .0;
    let (s, _) = c
        .patch_as(
            &tech,
            &format!("/api/pets/{rex}"),
            json!({"neutered": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c.delete_as(&tech, &format!("/api/pets/{rex}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c.get(&format!("/api/pets/{}", Uuid::now_v7())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let _ = db.close().await;
}

async fn custom_species_and_breeds_extend_the_lists(b: Backend) {
    let c = Ctx::open(b, "rec-species").await;
    let owner = c.client("Olive", "Owner").await;

    let (s, v) = c.get("/api/species").await;
    assert_eq!(s, StatusCode::OK);
    let dog = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "dog")
        .unwrap()
        .clone();
    assert_eq!(dog["builtIn"], true);
    assert!(dog["breeds"].as_array().unwrap().contains(&json!("Beagle")));

    // A breed unknown until the company adds it.
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Sprocky", "species": "dog", "breed": "sprocker", "ownerId": owner}),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["breed".to_owned()])
    );
    let (s, v) = c
        .post("/api/species/dog/breeds", json!({"name": " Sprocker "}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (&v["species"], &v["name"]),
        (&json!("dog"), &json!("Sprocker"))
    );
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Sprocky", "species": "dog", "breed": "sprocker", "ownerId": owner}),
        )
        .await;
    assert_eq!((s, &v["breed"]), (StatusCode::CREATED, &json!("Sprocker")));
    for (name, code) in [("beagle", "breed_exists"), ("SPROCKER", "breed_exists")] {
        let (s, v) = c
            .post("/api/species/dog/breeds", json!({"name": name}))
            .await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::CONFLICT, Some(code)));
    }
    let (s, _) = c
        .post("/api/species/dog/breeds", json!({"name": "Other"}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = c
        .post("/api/species/unicorn/breeds", json!({"name": "Sparkly"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A company species with its own breeds.
    for (body, want) in [
        (
            json!({"code": "Al Paca", "name": "Alpaca"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"code": "alpaca"}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"code": "dog", "name": "Dog again"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"code": "alpaca", "name": "Alpaca"}),
            StatusCode::CREATED,
        ),
        (
            json!({"code": "alpaca", "name": "Alpaca"}),
            StatusCode::CONFLICT,
        ),
    ] {
        let (s, v) = c.post("/api/species", body.clone()).await;
        assert_eq!(s, want, "{body}: {v}");
    }
    let (s, _) = c
        .post("/api/species/alpaca/breeds", json!({"name": "Huacaya"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Fluff", "species": "alpaca", "breed": "huacaya", "ownerId": owner}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (&v["species"], &v["breed"]),
        (&json!("alpaca"), &json!("Huacaya"))
    );
    let (_, v) = c.get("/api/species").await;
    let items = v["items"].as_array().unwrap();
    let alpaca = items.iter().find(|x| x["code"] == "alpaca").unwrap();
    assert_eq!(alpaca["builtIn"], false);
    assert_eq!(alpaca["breeds"], json!(["Huacaya"]));
    let dog = items.iter().find(|x| x["code"] == "dog").unwrap();
    assert_eq!(
        dog["breeds"].as_array().unwrap().last().unwrap(),
        "Sprocker"
    );

    // Writes need settings:update; reading needs pets:read.
    let manager = c
        .staff("pm@rec-species.example", "PRACTICE_MANAGER", &[&c.practice])
        .await
        .0;
    let (s, _) = c
        .post_as(
            &manager,
            "/api/species",
            json!({"code": "llama", "name": "Llama"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c.get_as(&manager, "/api/species").await;
    assert_eq!(s, StatusCode::OK);
    let db = c.db().await;
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT count(*) FROM custom_species WHERE code <> ?",
            "alpaca"
        )
        .await,
        0
    );
    let _ = db.close().await;
}

async fn microchips_accept_iso_and_legacy_and_warn_on_duplicates(b: Backend) {
    let c = Ctx::open(b, "rec-chips").await;
    let owner = c.client("Olive", "Owner").await;
    let pet = |name: &str, chip: Value| {
        let mut body = json!({"name": name, "species": "dog", "ownerId": owner});
        if let Value::Object(o) = chip {
            body.as_object_mut().unwrap().extend(o);
        }
        body
    };

    let (s, v) = c
        .post(
            "/api/pets",
            pet("Iso", json!({"microchip": "985 112 003 456 789"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["microchip"], "985112003456789");
    assert_eq!(v["microchipType"], "iso");
    assert_eq!(v["warnings"], json!([]));
    let first = v["id"].as_str().unwrap().to_owned();

    for (chip, field) in [
        (json!({"microchip": "98511200345678"}), "microchip"),
        (json!({"microchip": "98511200345678A"}), "microchip"),
        (json!({"microchip": "000112003456789"}), "microchip"),
        (
            json!({"microchip": "123456789", "microchipType": "laser"}),
            "microchipType",
        ),
        (json!({"microchipType": "avid"}), "microchipType"),
        (
            json!({"microchip": "12", "microchipType": "fdx-a"}),
            "microchip",
        ),
    ] {
        let (s, v) = c.post("/api/pets", pet("Bad", chip.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{chip}");
        assert_eq!(fields(&v), [field], "{chip}: {v}");
    }

    let (s, v) = c
        .post(
            "/api/pets",
            pet(
                "Legacy",
                json!({"microchip": "0a1-2b3-c4d", "microchipType": "avid"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (&v["microchip"], &v["microchipType"]),
        (&json!("0A12B3C4D"), &json!("avid"))
    );
    let legacy = v["id"].as_str().unwrap().to_owned();

    // A duplicate is stored, with a warning naming the other patient.
    let (s, v) = c
        .post(
            "/api/pets",
            pet("Twin", json!({"microchip": "985112003456789"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let twin = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["warnings"][0]["code"], "duplicate_microchip");
    assert_eq!(v["warnings"][0]["patientIds"], json!([first]));
    let (_, v) = c.get(&format!("/api/pets/{first}")).await;
    assert_eq!(v["warnings"][0]["patientIds"], json!([twin]));

    let (s, v) = c
        .patch(
            &format!("/api/pets/{legacy}"),
            json!({"microchip": "985-112-003-456-789"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["microchipType"], "iso");
    assert_eq!(v["warnings"][0]["patientIds"], json!([first, twin]));
    let (s, v) = c
        .patch(&format!("/api/pets/{legacy}"), json!({"microchip": null}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (&v["microchip"], &v["microchipType"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(v["warnings"], json!([]));
    let (s, v) = c
        .patch(
            &format!("/api/pets/{twin}"),
            json!({"microchip": "ABC123456", "microchipType": "trovan"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["warnings"], json!([]));
    let (_, v) = c.get(&format!("/api/pets/{first}")).await;
    assert_eq!(v["warnings"], json!([]));
}

async fn weight_history_is_newest_first_and_checked(b: Backend) {
    let c = Ctx::open(b, "rec-weights").await;
    let owner = c.client("Olive", "Owner").await;
    let rex = c.pet("Rex", &owner).await;
    let path = format!("/api/pets/{rex}/weights");
    let now = smartdmv_store::Stamp::now();

    let mut made = Vec::new();
    for body in [
        json!({"value": 4.2, "unit": "kg", "measuredAt": rfc3339(now - jiff::SignedDuration::from_hours(24 * (2)))}),
        json!({"value": 4400, "unit": "g", "measuredAt": rfc3339(now - jiff::SignedDuration::from_hours(24))}),
        json!({"value": 9.9, "unit": "lb"}),
    ] {
        let (s, v) = c.post(&path, body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{body}: {v}");
        assert_eq!(v["petId"], rex.as_str());
        assert!(v["recordedBy"].is_string());
        made.push(v["id"].as_str().unwrap().to_owned());
    }
    let (s, v) = c.get(&path).await;
    assert_eq!(s, StatusCode::OK);
    let units: Vec<&str> = strs(&v["items"], "unit");
    assert_eq!(units, ["lb", "g", "kg"]);
    let (_, p1) = c.get(&format!("{path}?limit=2")).await;
    assert_eq!(ids(&p1), vec![made[2].clone(), made[1].clone()]);
    let (_, p2) = c
        .get(&format!(
            "{path}?limit=2&cursor={}",
            p1["nextCursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids(&p2), vec![made[0].clone()]);
    assert_eq!(p2["nextCursor"], Value::Null);
    let (_, pet) = c.get(&format!("/api/pets/{rex}")).await;
    assert_eq!(pet["latestWeight"]["id"], made[2].as_str());

    for (body, field) in [
        (json!({"value": 0, "unit": "kg"}), "value"),
        (json!({"value": -1, "unit": "g"}), "value"),
        (json!({"value": 4000, "unit": "kg"}), "value"),
        (json!({"value": 3, "unit": "stone"}), "unit"),
        (
            json!({"value": 3, "unit": "kg", "measuredAt": rfc3339(now + jiff::SignedDuration::from_hours(24))}),
            "measuredAt",
        ),
        (
            json!({"value": 3, "unit": "kg", "measuredAt": "yesterday"}),
            "measuredAt",
        ),
    ] {
        let (s, v) = c.post(&path, body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&v), [field], "{body}: {v}");
    }
    let (s, v) = c.post(&path, json!({"value": "4", "unit": "kg"})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body"))
    );
    let (s, _) = c
        .post(
            &format!("/api/pets/{}/weights", Uuid::now_v7()),
            json!({"value": 3, "unit": "kg"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let db = c.db().await;
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT count(*) FROM patient_weights WHERE patient_id = ?",
            &rex
        )
        .await,
        3
    );
    assert_eq!(
        c.audit("patient_weight", &made[1]).await[0]["after"]["value"],
        4400.0
    );
    let _ = db.close().await;
}

async fn status_of(db: &TenantConnection, id: Uuid) -> (String, Option<String>) {
    let a = appointment::find(db, id.into()).await.unwrap().unwrap();
    (a.status.to_string(), a.cancel_reason)
}

async fn deceased_patient_cancels_only_future_appointments_holding_a_slot(b: Backend) {
    let c = Ctx::open(b, "rec-deceased").await;
    let owner = c.client("Olive", "Owner").await;
    let rex = c.pet("Rex", &owner).await;
    let fido = c.pet("Fido", &owner).await;
    let db = c.db().await;
    let day = jiff::SignedDuration::from_hours(24);
    let ins = |pet: &str, when: jiff::SignedDuration, status: &'static str| {
        let (db, practice, pet, owner) = (&db, c.practice.clone(), pet.to_owned(), owner.clone());
        async move { insert_appointment(db, &practice, &pet, &owner, when, status).await }
    };
    let booked = ins(&rex, day, "booked").await;
    let confirmed = ins(&rex, day * 2, "confirmed").await;
    let requested = ins(&rex, day * 3, "requested").await;
    let already_cancelled = ins(&rex, day * 4, "cancelled").await;
    let past = ins(&rex, -day, "booked").await;
    let past_done = ins(&rex, -day * 2, "completed").await;
    let other_pet = ins(&fido, day, "booked").await;

    // Refused dates change nothing.
    for (bad, field) in [
        (json!({"deceasedOn": date(3)}), "deceasedOn"),
        (json!({"deceasedOn": null}), "deceasedOn"),
        (json!({"deceasedOn": "yesterday"}), "deceasedOn"),
    ] {
        let (s, v) = c.patch(&format!("/api/pets/{rex}"), bad.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(fields(&v), [field]);
    }
    assert_eq!(status_of(&db, booked).await.0, "booked");

    let today = date(0);
    let (s, v) = c
        .patch(&format!("/api/pets/{rex}"), json!({"deceasedOn": today}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["deceasedOn"], today.as_str());
    let mut got: Vec<String> = v["cancelledAppointmentIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want: Vec<String> = [booked, confirmed, requested]
        .iter()
        .map(Uuid::to_string)
        .collect();
    want.sort();
    assert_eq!(got, want);
    for id in [booked, confirmed, requested] {
        assert_eq!(
            status_of(&db, id).await,
            ("cancelled".to_owned(), Some("patient deceased".to_owned()))
        );
        let a = c.audit("appointment", &id.to_string()).await;
        assert_eq!(a.len(), 1);
        assert_eq!(a[0]["action"], "cancel");
        assert_eq!(a[0]["practiceId"], c.practice.as_str());
        assert_eq!(a[0]["after"]["status"], "cancelled");
    }
    assert_eq!(
        status_of(&db, already_cancelled).await,
        ("cancelled".to_owned(), None)
    );
    assert_eq!(status_of(&db, past).await.0, "booked");
    assert_eq!(status_of(&db, past_done).await.0, "completed");
    assert_eq!(status_of(&db, other_pet).await.0, "booked");
    let p = c.audit("patient", &rex).await;
    assert_eq!(p[0]["action"], "deceased");
    assert_eq!(p[0]["before"]["deceasedOn"], Value::Null);
    assert_eq!(p[0]["after"]["deceasedOn"], today.as_str());

    // A death before the birth is refused.
    let (s, v) = c
        .post(
            "/api/pets",
            json!({"name": "Young", "species": "cat", "ownerId": owner, "dateOfBirth": date(-10)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let young = v["id"].as_str().unwrap().to_owned();
    let (s, v) = c
        .patch(
            &format!("/api/pets/{young}"),
            json!({"deceasedOn": date(-20)}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&v), ["deceasedOn"]);
    // Other edits leave the appointment list out of the answer.
    let (s, v) = c
        .patch(&format!("/api/pets/{young}"), json!({"name": "Younger"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.get("cancelledAppointmentIds").is_none());
    let _ = db.close().await;
}

async fn ownership_transfer_keeps_history_and_the_last_owner_stays(b: Backend) {
    let c = Ctx::open(b, "rec-owners").await;
    let ann = c.client("Ann", "Able").await;
    let bob = c.client("Bob", "Baker").await;
    let cy = c.client("Cy", "Cole").await;
    let rex = c.pet("Rex", &ann).await;
    let owners = format!("/api/pets/{rex}/owners");

    // Bob joins as a co-owner.
    let (s, v) = c.post(&owners, json!({"clientId": bob})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["ownership"]["primary"], false);
    assert_eq!(v["ownership"]["clientName"], "Bob Baker");
    assert_eq!(v["ended"], json!([]));
    let (_, pet) = c.get(&format!("/api/pets/{rex}")).await;
    assert_eq!(pet["ownerId"], ann.as_str());
    assert_eq!(pet["owners"].as_array().unwrap().len(), 2);
    for who in [&bob, &ann] {
        let (s, v) = c.post(&owners, json!({"clientId": who})).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (StatusCode::CONFLICT, Some("already_owner"))
        );
    }
    let ann_row = pet["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["clientId"] == ann.as_str())
        .unwrap()["ownershipId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, v) = c.delete(&format!("{owners}/{ann_row}")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("primary_owner"))
    );

    // Bob becomes primary; Ann stays a co-owner.
    let (s, v) = c
        .post(&owners, json!({"clientId": bob, "primary": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["ownership"]["primary"], true);
    assert_eq!(v["ended"].as_array().unwrap().len(), 2);
    let (_, pet) = c.get(&format!("/api/pets/{rex}")).await;
    assert_eq!(pet["ownerId"], bob.as_str());
    assert_eq!(pet["owners"].as_array().unwrap().len(), 2);

    // Transfer to Cy: every current ownership ends.
    let (s, v) = c
        .post(
            &owners,
            json!({"clientId": cy, "transfer": true, "primary": false}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = c
        .post(&owners, json!({"clientId": cy, "transfer": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let ended = v["ended"].as_array().unwrap();
    assert_eq!(ended.len(), 2);
    assert!(
        ended
            .iter()
            .all(|o| o["endReason"] == "transferred" && o["endedAt"].is_string())
    );
    let cy_row = v["ownership"]["id"].as_str().unwrap().to_owned();
    let (_, pet) = c.get(&format!("/api/pets/{rex}")).await;
    assert_eq!(pet["ownerId"], cy.as_str());
    assert_eq!(pet["owners"].as_array().unwrap().len(), 1);
    let (s, v) = c
        .post(&owners, json!({"clientId": cy, "transfer": true}))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_owner"))
    );

    // The history keeps every relationship, dated.
    let (s, h) = c.get(&owners).await;
    assert_eq!(s, StatusCode::OK);
    let h = h["items"].as_array().unwrap().clone();
    assert_eq!(h.len(), 5, "{h:?}");
    let current: Vec<&Value> = h.iter().filter(|o| o["endedAt"].is_null()).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["clientId"], cy.as_str());
    let reasons: Vec<&str> = h.iter().filter_map(|o| o["endReason"].as_str()).collect();
    assert_eq!(
        reasons.iter().filter(|r| **r == "primary changed").count(),
        2
    );
    assert_eq!(reasons.iter().filter(|r| **r == "transferred").count(), 2);
    let anns: Vec<&Value> = h.iter().filter(|o| o["clientId"] == ann.as_str()).collect();
    assert_eq!(anns.len(), 2, "Ann's original and co-ownership");

    // The last owner cannot be removed.
    let (s, v) = c.delete(&format!("{owners}/{cy_row}")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("last_owner"))
    );

    // A co-ownership ends and stays in the history.
    let (_, v) = c.post(&owners, json!({"clientId": ann})).await;
    let ann_again = v["ownership"]["id"].as_str().unwrap().to_owned();
    let (s, v) = c.delete(&format!("{owners}/{ann_again}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["endReason"], "removed");
    let (s, v) = c.delete(&format!("{owners}/{ann_again}")).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("ownership_ended"))
    );
    let (s, _) = c.delete(&format!("{owners}/{}", Uuid::now_v7())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let fido = c.pet("Fido", &bob).await;
    let (s, _) = c
        .delete(&format!("/api/pets/{fido}/owners/{ann_again}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "an ownership of another pet");
    let (s, v) = c
        .post(&owners, json!({"clientId": Uuid::now_v7().to_string()}))
        .await;
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["clientId".to_owned()]
        )
    );

    let db = c.db().await;
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT count(*) FROM patient_owners WHERE patient_id = ?",
            &rex
        )
        .await,
        6,
        "ownerships are ended, never deleted"
    );
    assert_eq!(
        scalar_i64(
            &db,
            "SELECT count(*) FROM patient_owners WHERE patient_id = ? AND ended_at IS NULL",
            &rex
        )
        .await,
        1
    );
    // The database itself refuses a second current ownership for the same pair.
    let dup = smartdmv_store::tenant::patient_owner::insert(
        &db,
        ownership(rex.parse().unwrap(), cy.parse().unwrap(), false),
    )
    .await;
    assert!(dup.is_err_and(|e| smartdmv_store::is_unique_violation(&e)));
    let ends = c.audit("patient_owner", &cy_row).await;
    assert_eq!(ends[0]["action"], "create");
    let _ = db.close().await;
}

async fn client_user_sees_only_their_own_pets(b: Backend) {
    let c = Ctx::open(b, "rec-portalpets").await;
    let ann = c.client("Ann", "Able").await;
    let bob = c.client("Bob", "Baker").await;
    let rex = c.pet("Rex", &ann).await;
    let tom = c.pet("Tom", &ann).await;
    let fido = c.pet("Fido", &bob).await;
    let max = c.pet("Max", &bob).await;
    let (s, _) = c
        .post(&format!("/api/pets/{max}/owners"), json!({"clientId": ann}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = c
        .post(
            &format!("/api/pets/{tom}/owners"),
            json!({"clientId": bob, "transfer": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    c.patch(&format!("/api/pets/{rex}"), json!({"notes": "staff only"}))
        .await;
    let (s, v) = c
        .post(
            &format!("/api/clients/{ann}/portal-account"),
            json!({"email": "ann@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let tok = c.app.login(&c.sub, "ann@example.com", PASSWORD).await;
    let get = |path: String| {
        let tok = tok.clone();
        let c = &c;
        async move { c.get_as(&tok, &path).await }
    };

    let (s, v) = get("/api/pets".into()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(ids(&v), vec![rex.clone(), max.clone()], "current pets only");
    assert!(v["items"][0].get("notes").is_none());
    let (_, v) = get(format!("/api/pets?ownerId={bob}")).await;
    assert_eq!(
        ids(&v),
        vec![max.clone()],
        "the filter narrows, never widens"
    );
    let (s, v) = get(format!("/api/pets/{rex}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.get("notes").is_none());
    for other in [&fido, &tom] {
        for sub in ["", "/weights", "/owners"] {
            let (s, _) = get(format!("/api/pets/{other}{sub}")).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{other}{sub}");
        }
    }
    let (s, v) = get(format!("/api/pets/{max}/owners")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (s, _) = get(format!("/api/pets/{rex}/weights")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c
        .patch_as(&tok, &format!("/api/pets/{rex}"), json!({"name": "Mine"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c
        .post_as(
            &tok,
            "/api/pets",
            json!({"name": "New", "species": "dog", "ownerId": ann}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = get("/api/clients".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = get(format!("/api/clients/{bob}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A client user without a client record sees nothing.
    c.app
        .create_user(&c.sub, &c.admin, "loner@example.com", "CLIENT")
        .await;
    let loner = c.app.login(&c.sub, "loner@example.com", PASSWORD).await;
    let (s, v) = c.get_as(&loner, "/api/pets").await;
    assert_eq!(s, StatusCode::OK);
    assert!(ids(&v).is_empty());
    let (s, _) = c.get_as(&loner, &format!("/api/pets/{rex}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = c.get_as(&loner, &format!("/api/clients/{ann}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn every_change_writes_an_audit_entry(b: Backend) {
    let c = Ctx::open(b, "rec-audit").await;
    let count = || async {
        let (_, v) = c.get("/api/audit-logs?limit=200").await;
        v["items"].as_array().unwrap().len()
    };
    let start = count().await;

    let (_, v) = c
        .post(
            "/api/clients",
            json!({"firstName": "Ann", "lastName": "Able", "phone": "555 0100 01"}),
        )
        .await;
    let ann = v["id"].as_str().unwrap().to_owned();
    let (_, v) = c
        .post(
            "/api/pets",
            json!({"name": "Rex", "species": "dog", "ownerId": ann, "weight": {"value": 3, "unit": "kg"}}),
        )
        .await;
    let rex = v["id"].as_str().unwrap().to_owned();
    let first_owner = v["owners"][0]["ownershipId"].as_str().unwrap().to_owned();
    let weight = v["latestWeight"]["id"].as_str().unwrap().to_owned();
    c.patch(
        &format!("/api/clients/{ann}"),
        json!({"phone": "555 0100 02"}),
    )
    .await;
    c.patch(&format!("/api/pets/{rex}"), json!({"name": "Rexy"}))
        .await;
    c.delete(&format!("/api/pets/{rex}")).await;
    c.post("/api/species", json!({"code": "alpaca", "name": "Alpaca"}))
        .await;
    let (_, v) = c
        .post("/api/species/alpaca/breeds", json!({"name": "Suri"}))
        .await;
    let breed = v["id"].as_str().unwrap().to_owned();
    let bob = c.client("Bob", "Baker").await;
    c.post(
        &format!("/api/pets/{rex}/owners"),
        json!({"clientId": bob, "transfer": true}),
    )
    .await;

    let client = c.audit("client", &ann).await;
    let actions: Vec<&str> = client
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update", "create"]);
    assert_eq!(client[0]["before"]["phone"], "555 0100 01");
    assert_eq!(client[0]["after"]["phone"], "555 0100 02");
    assert_eq!(client[1]["before"], Value::Null);
    assert_eq!(client[1]["actor"], "admin@rec-audit.example");
    assert_eq!(client[1]["practiceId"], c.practice.as_str());

    let patient = c.audit("patient", &rex).await;
    let actions: Vec<&str> = patient
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["deactivate", "update", "create"]);
    assert_eq!(patient[1]["before"]["name"], "Rex");
    assert_eq!(patient[1]["after"]["name"], "Rexy");
    assert_eq!(patient[2]["after"]["ownerId"], ann.as_str());
    assert_eq!(patient[0]["after"]["active"], false);

    let owner = c.audit("patient_owner", &first_owner).await;
    let actions: Vec<&str> = owner
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["end", "create"]);
    assert_eq!(owner[0]["after"]["endReason"], "transferred");
    assert_eq!(c.audit("patient_weight", &weight).await.len(), 1);
    assert_eq!(c.audit("breed", &breed).await[0]["after"]["name"], "Suri");
    let (_, sp) = c.get("/api/audit-logs?entity=species").await;
    assert_eq!(sp["items"][0]["after"]["code"], "alpaca");

    // Clients 3 (two creates, an update), patient 3, ownerships 3 (create, end, create),
    // weight, species, breed.
    assert_eq!(count().await - start, 3 + 3 + 3 + 1 + 1 + 1);

    // Refused changes write nothing.
    let before = count().await;
    c.post("/api/clients", json!({"firstName": ""})).await;
    c.patch(&format!("/api/pets/{rex}"), json!({"sex": "x"}))
        .await;
    c.post(
        &format!("/api/pets/{rex}/weights"),
        json!({"value": 0, "unit": "kg"}),
    )
    .await;
    assert_eq!(count().await, before);
}
