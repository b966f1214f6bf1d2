//! `POST /api/import/clients-patients`: a good file creates the right clients, patients,
//! owners and contacts in one audited transaction; a file with bad rows is reported line by
//! line and nothing is written, in a dry run and in a real import alike.

use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::Value;
use smartdmv_store::TenantConnection;

use crate::both_backends;
use crate::fixtures::Company;
use crate::helpers::{Backend, TestApp, json};

both_backends!(
    good_file_creates_clients_patients_owners_and_contacts,
    bad_rows_are_reported_and_nothing_is_written,
    import_needs_csv_and_pets_create,
);

const TABLES: [&str; 7] = [
    "clients",
    "client_contacts",
    "patients",
    "patient_owners",
    "patient_weights",
    "search_terms",
    "audit_log",
];

async fn scalar(db: &TenantConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn counts(db: &TenantConnection) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push((
            t.to_owned(),
            scalar(db, &format!("SELECT count(*) FROM {t}")).await,
        ));
    }
    out
}

fn count_of(c: &[(String, i64)], t: &str) -> i64 {
    c.iter().find(|(n, _)| n == t).unwrap().1
}

async fn post(app: &TestApp, sub: &str, token: &str, dry: bool, csv: &str) -> (StatusCode, Value) {
    json(
        app.tenant(
            sub,
            Method::POST,
            &format!("/api/import/clients-patients?dryRun={dry}"),
        )
        .bearer_auth(token)
        .header("content-type", "text/csv; charset=utf-8")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap(),
    )
    .await
}

const GOOD: &str = "First Name,Last Name,Email,Phone,Address,City,Zip,Patient,Species,Breed,Sex,Neutered,DOB,Colour,Microchip,Weight_kg\r\n\
Ann,Lee,ann@lee.example,555 010 1010,\"1 Road, Flat 2\",Town,12345,Rex,Dog,Beagle,male,yes,2020-05-01,Tan,985112003456789,12.5\r\n\
Ann,Lee,ANN@lee.example,,,,,Tom,Cat,,F,no,,\"Black, white\",,\r\n\
Bob,Ray,,(555) 020-2020,,,,Kiki,guinea pig,Teddy,,,,,,\r\n\
Bob,Ray,,555-020-2020,,,,\"Lolo \"\"the fast\"\"\",rabbit,,,,,,,1.2\r\n\
Cleo,O'Neil,cleo@oneil.example,,,,,\"Two\nlines\",bird,Canary,,,,,,\r\n";

async fn good_file_creates_clients_patients_owners_and_contacts(b: Backend) {
    let app = TestApp::spawn(b).await;
    let company = app.create_company("import-vet").await;
    let cid = company["id"].as_str().unwrap().to_owned();
    let admin = app.admin_token("import-vet").await;
    let db = app.open_tenant_db(&cid).await;
    let before = counts(&db).await;

    // Dry run: the plan, nothing written.
    let (s, v) = post(&app, "import-vet", &admin, true, GOOD).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["dryRun"], true);
    assert_eq!(v["valid"], true);
    assert_eq!(v["rows"], 5);
    assert_eq!(v["created"]["clients"], 3);
    assert_eq!(v["created"]["patients"], 5);
    assert_eq!(v["created"]["contacts"], 4);
    assert_eq!(v["created"]["weights"], 2);
    assert_eq!(v["rejected"].as_array().unwrap().len(), 0);
    assert_eq!(v["clients"][0]["lines"], serde_json::json!([2, 3]));
    assert_eq!(v["clients"][2]["patients"][0]["line"], 6);
    assert_eq!(counts(&db).await, before, "a dry run writes nothing");

    // The real import.
    let (s, v) = post(&app, "import-vet", &admin, false, GOOD).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["dryRun"], false);
    let after = counts(&db).await;
    for (t, n) in [
        ("clients", 3),
        ("client_contacts", 4),
        ("patients", 5),
        ("patient_owners", 5),
        ("patient_weights", 2),
        ("audit_log", 1),
    ] {
        assert_eq!(count_of(&after, t) - count_of(&before, t), n, "{t}");
    }
    // Ann: one client, two pets, her email once, her phone; address kept.
    let ann = scalar(
        &db,
        "SELECT count(*) FROM clients WHERE first_name = 'Ann' AND last_name = 'Lee' \
         AND email = 'ann@lee.example' AND phone = '555 010 1010' AND name_key = 'lee ann'",
    )
    .await;
    assert_eq!(ann, 1);
    let ann_pets = scalar(
        &db,
        "SELECT count(*) FROM patient_owners o JOIN clients c ON c.id = o.client_id \
         WHERE c.first_name = 'Ann' AND o.is_primary AND o.ended_at IS NULL",
    )
    .await;
    assert_eq!(ann_pets, 2);
    let bob_phones = scalar(
        &db,
        "SELECT count(*) FROM client_contacts k JOIN clients c ON c.id = k.client_id \
         WHERE c.first_name = 'Bob' AND k.kind = 'phone' AND k.normalized = '5550202020' AND k.is_primary",
    )
    .await;
    assert_eq!(bob_phones, 1);
    let rex = scalar(
        &db,
        "SELECT count(*) FROM patients WHERE name = 'Rex' AND species = 'dog' AND breed = 'Beagle' \
         AND sex = 'male' AND neutered AND microchip = '985112003456789' AND microchip_type = 'iso' \
         AND colour = 'Tan'",
    )
    .await;
    assert_eq!(rex, 1);
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM patients WHERE name = 'Lolo \"the fast\"' AND species = 'rabbit'"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT count(*) FROM patients WHERE species = 'guinea-pig' AND breed = 'Teddy'"
        )
        .await,
        1
    );
    let audit = scalar(
        &db,
        "SELECT count(*) FROM audit_log WHERE action = 'import' AND entity = 'client'",
    )
    .await;
    assert_eq!(audit, 1);
    if db.get_database_backend() == DbBackend::Postgres {
        let n = scalar(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'import' \
             AND (after->>'clients')::int = 3 AND (after->>'patients')::int = 5",
        )
        .await;
        assert_eq!(n, 1);
    }

    // The imported records are searchable at once.
    let (_, v) = app
        .tenant_get("import-vet", &admin, "/api/search?q=Ann%20Lee")
        .await;
    assert_eq!(v["clients"].as_array().unwrap().len(), 1, "{v}");
    let (_, v) = app
        .tenant_get("import-vet", &admin, "/api/search?q=985112003456789")
        .await;
    assert_eq!(v["patients"][0]["name"], "Rex", "{v}");
    assert_eq!(v["patients"][0]["owners"][0]["firstName"], "Ann");

    // A second dry run of the same file warns about the microchip already recorded.
    let (_, v) = post(&app, "import-vet", &admin, true, GOOD).await;
    assert_eq!(v["warnings"][0]["line"], 2, "{v}");
    let _ = db.close().await;
}

const BAD: &str = "owner_first_name,owner_last_name,owner_email,owner_phone,pet_name,species,breed,sex,date_of_birth,microchip,weight_kg\n\
Ann,Lee,ann@lee.example,,Rex,dog,Beagle,male,2020-01-01,,\n\
,Lee,not-an-email,,Tom,,,,2020-13-45,12345,heavy\n\
Bob,Ray,,,Kiki,unicorn,,,,,\n\
Cleo,Ng,,,Zed,cat,Labrador Retriever,x,,,\n\
Dan,Fox,,,,dog,,,,985112003456789,\n";

async fn bad_rows_are_reported_and_nothing_is_written(b: Backend) {
    let c = Company::open(b, "badimport-vet").await;
    let app = &c.app;
    let cid = c.cid.clone();
    let admin = &c.admin;
    let db = app.open_tenant_db(&cid).await;
    let before = counts(&db).await;

    let (s, v) = post(app, "badimport-vet", admin, true, BAD).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["valid"], false);
    let rejected = v["rejected"].as_array().unwrap();
    let lines: Vec<i64> = rejected
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 4, 5, 6], "{v}");
    let reasons = |line: i64| -> String {
        rejected.iter().find(|r| r["line"] == line).unwrap()["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let l3 = reasons(3);
    for want in [
        "missing owner first name",
        "bad email",
        "missing species",
        "bad date",
        "bad microchip",
        "bad weight",
    ] {
        assert!(l3.contains(want), "line 3 lacks {want}: {l3}");
    }
    assert!(reasons(4).contains("unknown species"), "{}", reasons(4));
    assert!(reasons(5).contains("unknown breed"), "{}", reasons(5));
    assert!(reasons(5).contains("bad sex"), "{}", reasons(5));
    assert!(reasons(6).contains("missing pet name"), "{}", reasons(6));
    assert_eq!(counts(&db).await, before, "a dry run writes nothing");

    // The real import of the same file: 422 with the same report, nothing written.
    let (s, e) = post(app, "badimport-vet", admin, false, BAD).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "import_rejected");
    assert_eq!(e["report"]["rejected"], v["rejected"]);
    assert_eq!(counts(&db).await, before, "a refused import writes nothing");

    // A file without the required columns is refused as a whole.
    let (s, e) = post(
        app,
        "badimport-vet",
        admin,
        false,
        "pet_name,breed\nRex,Beagle\n",
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "invalid_file");
    assert!(e["detail"].as_str().unwrap().contains("species"), "{e}");
    assert_eq!(counts(&db).await, before);
    let _ = db.close().await;
}

async fn import_needs_csv_and_pets_create(b: Backend) {
    let c = Company::open(b, "csv-vet").await;
    let app = &c.app;
    let cid = c.cid.clone();
    let admin = &c.admin;

    let r = c
        .send(
            &c.admin,
            Method::POST,
            "/api/import/clients-patients?dryRun=true",
            Some(serde_json::json!({"rows": []})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Over 10 MiB: 413. Under it (but over the usual 1 MiB): read.
    let big = format!("{GOOD}{}", "x".repeat(10 * 1024 * 1024));
    let (s, v) = post(app, "csv-vet", admin, true, &big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    let mut rows = String::from(GOOD);
    for i in 0..25_000 {
        rows.push_str(&format!(
            "Owner{i},Bulk,bulk{i}@bulk.example,,,,,Pet{i},dog,,,,,,,\r\n"
        ));
    }
    assert!(rows.len() > 1024 * 1024);
    let (s, v) = post(app, "csv-vet", admin, true, &rows).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["created"]["clients"], 25_003);

    // A user with clients:create but pets:create denied is refused.
    let desk = app
        .create_user("csv-vet", admin, "desk@csv.example", "RECEPTIONIST")
        .await;
    let (s, _) = c
        .post(
            &format!("/api/users/{desk}/overrides"),
            serde_json::json!({"permission": "pets:create", "effect": "deny", "reason": "test"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let tok = app.session_for(&cid, &desk).await;
    let (s, v) = post(app, "csv-vet", &tok, true, GOOD).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "forbidden");
}
