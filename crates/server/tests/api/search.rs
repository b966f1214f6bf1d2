//! `GET /api/search`: names with typos, phones by digits, emails by prefix, microchips
//! exactly; ranking; inactive records; who may search; one company's records never appear
//! in another's answers. Records are written straight into the company's database and
//! indexed with the store's `reindex_*` functions, as the write paths do.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smartdmv_store::TenantConnection;
use smartdmv_store::tenant::{client, client_contact, patient, patient_owner, search};
use uuid::Uuid;

use crate::both_backends;
use crate::fixtures::{client_row, ownership, patient_row};
use crate::helpers::{Backend, TestApp, json};

both_backends!(
    search_finds_clients_and_patients_by_name_phone_email_and_microchip,
    names_tolerate_typos_and_exact_matches_rank_first,
    inactive_records_are_left_out_unless_asked_for,
    clients_are_refused_and_patients_need_pets_read,
    another_companys_records_are_never_found,
    reindex_follows_changes_and_rebuild_gives_the_same_answers,
    api_writes_keep_the_index_current,
);

/// A client with one email and one phone contact, indexed.
pub async fn add_client(
    db: &TenantConnection,
    first: &str,
    last: &str,
    email: Option<&str>,
    phone: Option<&str>,
    active: bool,
) -> Uuid {
    let now = smartdmv_store::now();
    let id = Uuid::now_v7();
    client::insert(
        db,
        client::Model {
            id: id.into(),
            email: email.map(str::to_lowercase),
            phone: phone.map(str::to_owned),
            active,
            created_at: now,
            updated_at: now,
            ..client_row(first, last)
        },
    )
    .await
    .unwrap();
    for (kind, value) in [("email", email), ("phone", phone)] {
        let Some(v) = value else { continue };
        let normalized = if kind == "phone" {
            smartdmv_domain::text::phone_digits(v)
        } else {
            v.trim().to_lowercase()
        };
        client_contact::insert(
            db,
            client_contact::Model {
                id: Uuid::now_v7().into(),
                client_id: id.into(),
                kind: kind.parse().unwrap(),
                value: v.into(),
                normalized,
                purpose: "home".into(),
                sms_consent: false,
                email_consent: false,
                is_primary: true,
                created_at: now,
            },
        )
        .await
        .unwrap();
    }
    search::reindex_client(db, id.into()).await.unwrap();
    id
}

/// A patient owned by `owner`, indexed.
pub async fn add_patient(
    db: &TenantConnection,
    name: &str,
    species: &str,
    chip: Option<(&str, &str)>,
    owner: Uuid,
    active: bool,
) -> Uuid {
    let now = smartdmv_store::now();
    let id = Uuid::now_v7();
    patient::insert(
        db,
        patient::Model {
            id: id.into(),
            microchip: chip.map(|c| c.0.into()),
            microchip_type: chip.map(|c| c.1.into()),
            active,
            created_at: now,
            updated_at: now,
            ..patient_row(name, species)
        },
    )
    .await
    .unwrap();
    patient_owner::insert(db, ownership(id.into(), owner.into(), true))
        .await
        .unwrap();
    search::reindex_patient(db, id.into()).await.unwrap();
    id
}

/// Percent-encodes a query parameter value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn find(app: &TestApp, sub: &str, token: &str, q: &str) -> (StatusCode, Value) {
    app.tenant_get(sub, token, &format!("/api/search?q={}", encode(q)))
        .await
}

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn company(app: &TestApp, sub: &str) -> (TenantConnection, String) {
    let c = app.create_company(sub).await;
    let id = c["id"].as_str().unwrap().to_owned();
    (app.open_tenant_db(&id).await, id)
}

async fn search_finds_clients_and_patients_by_name_phone_email_and_microchip(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (db, _) = company(&app, "find-vet").await;
    let admin = app.admin_token("find-vet").await;
    let john = add_client(
        &db,
        "John",
        "Smith",
        Some("J.Smith@Example.com"),
        Some("+1 (555) 123-4567"),
        true,
    )
    .await;
    let ann = add_client(
        &db,
        "Ann",
        "Lee",
        Some("ann@lee.example"),
        Some("020 7946 0018"),
        true,
    )
    .await;
    let rex = add_patient(
        &db,
        "Rex",
        "dog",
        Some(("985112003456789", "iso")),
        john,
        true,
    )
    .await;
    let tom = add_patient(&db, "Tom", "cat", Some(("0A12B3C4D", "avid")), ann, true).await;

    // Names: exact, then a prefix.
    let (s, v) = find(&app, "find-vet", &admin, "smith").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(ids(&v, "clients"), vec![john.to_string()]);
    assert_eq!(v["clients"][0]["firstName"], "John");
    assert_eq!(v["clients"][0]["match"]["on"], "name");
    assert_eq!(v["clients"][0]["match"]["kind"], "exact");
    let (_, v) = find(&app, "find-vet", &admin, "Smi").await;
    assert_eq!(ids(&v, "clients"), vec![john.to_string()]);
    assert_eq!(v["clients"][0]["match"]["kind"], "prefix");
    // Patients by name, with species and their owner's name.
    let (_, v) = find(&app, "find-vet", &admin, "rex").await;
    assert_eq!(ids(&v, "patients"), vec![rex.to_string()]);
    assert_eq!(v["patients"][0]["species"], "dog");
    assert_eq!(v["patients"][0]["owners"][0]["lastName"], "Smith");
    assert_eq!(v["patients"][0]["owners"][0]["isPrimary"], true);

    // Phones by digits, whatever the formatting; a suffix of 6+ digits; with a country code.
    for q in [
        "5551234567",
        "555-123-4567",
        "(555) 1234567",
        "234567",
        "+1 555 123 4567",
    ] {
        let (s, v) = find(&app, "find-vet", &admin, q).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        assert_eq!(ids(&v, "clients"), vec![john.to_string()], "{q}: {v}");
        assert_eq!(v["clients"][0]["match"]["on"], "phone", "{q}");
    }
    let (_, v) = find(&app, "find-vet", &admin, "5551234567").await;
    assert_eq!(v["clients"][0]["match"]["kind"], "suffix");
    let (_, v) = find(&app, "find-vet", &admin, "+44 020 7946 0018").await;
    assert_eq!(ids(&v, "clients"), vec![ann.to_string()], "{v}");
    assert_eq!(v["clients"][0]["match"]["kind"], "suffix");
    let (_, v) = find(&app, "find-vet", &admin, "34567").await;
    assert!(
        ids(&v, "clients").is_empty(),
        "5 digits are not a phone: {v}"
    );
    let intl = add_client(&db, "Ivo", "Intl", None, Some("+44 20 7946 1111"), true).await;
    let (_, v) = find(&app, "find-vet", &admin, "020 7946 1111").await;
    assert_eq!(ids(&v, "clients"), vec![intl.to_string()], "{v}");
    let (_, v) = find(&app, "find-vet", &admin, "02079460018").await;
    assert_eq!(ids(&v, "clients"), vec![ann.to_string()]);
    assert_eq!(v["clients"][0]["match"]["kind"], "exact");

    // Emails, case-insensitively, by prefix.
    for q in [
        "j.smith@example.com",
        "J.SMITH@EXAMPLE.COM",
        "j.smith@ex",
        "J.Sm",
    ] {
        let (_, v) = find(&app, "find-vet", &admin, q).await;
        assert_eq!(ids(&v, "clients"), vec![john.to_string()], "{q}: {v}");
        assert_eq!(v["clients"][0]["match"]["on"], "email", "{q}: {v}");
    }
    let (_, v) = find(&app, "find-vet", &admin, "x.smith@example.com").await;
    assert!(ids(&v, "clients").is_empty(), "{v}");

    // Microchips exactly: ISO with separators, a legacy code in any case.
    let (_, v) = find(&app, "find-vet", &admin, "985 112 003 456 789").await;
    assert_eq!(ids(&v, "patients"), vec![rex.to_string()]);
    assert_eq!(v["patients"][0]["match"]["on"], "microchip");
    assert_eq!(v["patients"][0]["microchip"], "985112003456789");
    let (_, v) = find(&app, "find-vet", &admin, "0a12b3c4d").await;
    assert_eq!(ids(&v, "patients"), vec![tom.to_string()]);
    let (_, v) = find(&app, "find-vet", &admin, "98511200345678").await;
    assert!(
        ids(&v, "patients").is_empty(),
        "a chip is not found by a part: {v}"
    );

    // Bad queries.
    let (s, v) = find(&app, "find-vet", &admin, "  ").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let r = app
        .send(
            "find-vet",
            &admin,
            Method::GET,
            "/api/search?q=a&limit=500",
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let _ = db.close().await;
}

async fn names_tolerate_typos_and_exact_matches_rank_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (db, _) = company(&app, "typo-vet").await;
    let admin = app.admin_token("typo-vet").await;
    let john = add_client(&db, "John", "Smith", None, None, true).await;
    let smithers = add_client(&db, "Jane", "Smithers", None, None, true).await;
    let smyth = add_client(&db, "Joan", "Smyth", None, None, true).await;
    let _other = add_client(&db, "Peter", "Jones", None, None, true).await;
    let bella = add_patient(&db, "Bella", "dog", None, john, true).await;
    let _max = add_patient(&db, "Max", "dog", None, john, true).await;

    // Transposed letters in both words.
    let (_, v) = find(&app, "typo-vet", &admin, "Jonh Smiht").await;
    assert_eq!(ids(&v, "clients"), vec![john.to_string()], "{v}");
    assert_eq!(v["clients"][0]["match"]["kind"], "fuzzy");
    assert_eq!(v["clients"][0]["match"]["values"], json!(["john", "smith"]));
    // Missing letters, swapped order, wrong letters.
    for q in ["Smith Jon", "smth", "Smitj John"] {
        let (_, v) = find(&app, "typo-vet", &admin, q).await;
        assert!(ids(&v, "clients").contains(&john.to_string()), "{q}: {v}");
    }
    // Two edits in a long enough word.
    let (_, v) = find(&app, "typo-vet", &admin, "Smthrs").await;
    assert!(ids(&v, "clients").contains(&smithers.to_string()), "{v}");
    // A missing letter in a pet's name.
    let (_, v) = find(&app, "typo-vet", &admin, "Bela").await;
    assert_eq!(ids(&v, "patients"), vec![bella.to_string()], "{v}");
    assert_eq!(v["patients"][0]["match"]["kind"], "fuzzy");
    // Too far is not found.
    let (_, v) = find(&app, "typo-vet", &admin, "Bxyz").await;
    assert!(ids(&v, "patients").is_empty(), "{v}");

    // Ranking: exact, then prefix, then typos.
    let (_, v) = find(&app, "typo-vet", &admin, "smith").await;
    assert_eq!(
        ids(&v, "clients"),
        vec![john.to_string(), smithers.to_string(), smyth.to_string()],
        "{v}"
    );
    let kinds: Vec<&str> = v["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["match"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["exact", "prefix", "fuzzy"]);
    // limit cuts the ranked list.
    let (_, v) = app
        .tenant_get("typo-vet", &admin, "/api/search?q=smith&limit=1")
        .await;
    assert_eq!(ids(&v, "clients"), vec![john.to_string()]);
    let _ = db.close().await;
}

async fn inactive_records_are_left_out_unless_asked_for(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (db, _) = company(&app, "inactive-vet").await;
    let admin = app.admin_token("inactive-vet").await;
    let gone = add_client(
        &db,
        "Olga",
        "Gone",
        Some("olga@gone.example"),
        Some("555 987 6543"),
        false,
    )
    .await;
    let here = add_client(&db, "Oscar", "Here", None, None, true).await;
    let ghost = add_patient(
        &db,
        "Ghost",
        "cat",
        Some(("985112000000001", "iso")),
        here,
        false,
    )
    .await;
    for q in [
        "Gone",
        "olga@gone",
        "5559876543",
        "Ghost",
        "985112000000001",
    ] {
        let (s, v) = find(&app, "inactive-vet", &admin, q).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            ids(&v, "clients").is_empty() && ids(&v, "patients").is_empty(),
            "{q}: {v}"
        );
    }
    let (_, v) = app
        .tenant_get(
            "inactive-vet",
            &admin,
            "/api/search?q=gone&includeInactive=true",
        )
        .await;
    assert_eq!(ids(&v, "clients"), vec![gone.to_string()]);
    assert_eq!(v["clients"][0]["active"], false);
    let (_, v) = app
        .tenant_get(
            "inactive-vet",
            &admin,
            "/api/search?q=985112000000001&includeInactive=true",
        )
        .await;
    assert_eq!(ids(&v, "patients"), vec![ghost.to_string()]);
    let _ = db.close().await;
}

async fn clients_are_refused_and_patients_need_pets_read(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (db, cid) = company(&app, "perm-vet").await;
    let admin = app.admin_token("perm-vet").await;
    let owner = add_client(&db, "Paula", "Perm", None, None, true).await;
    add_patient(&db, "Paws", "dog", None, owner, true).await;

    let client_user = app
        .create_user("perm-vet", &admin, "portal@perm.example", "CLIENT")
        .await;
    let tok = app.session_for(&cid, &client_user).await;
    let (s, v) = find(&app, "perm-vet", &tok, "Paula").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "forbidden");

    // A receptionist denied pets:read sees the client but no patients.
    let desk = app
        .create_user("perm-vet", &admin, "desk@perm.example", "RECEPTIONIST")
        .await;
    let (s, o) = app
        .tenant_post(
            "perm-vet",
            &admin,
            &format!("/api/users/{desk}/overrides"),
            json!({"permission": "pets:read", "effect": "deny", "reason": "test"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let tok = app.session_for(&cid, &desk).await;
    let (s, v) = find(&app, "perm-vet", &tok, "Pa").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(ids(&v, "clients"), vec![owner.to_string()]);
    assert!(ids(&v, "patients").is_empty(), "{v}");
    // The administrator sees both.
    let (_, v) = find(&app, "perm-vet", &admin, "Pa").await;
    assert_eq!(v["patients"].as_array().unwrap().len(), 1, "{v}");
    // Without credentials: 401.
    let r = app
        .tenant("perm-vet", Method::GET, "/api/search?q=Pa")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let _ = db.close().await;
}

async fn another_companys_records_are_never_found(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (db_a, _) = company(&app, "alpha-vet").await;
    let (db_b, _) = company(&app, "beta-vet").await;
    let admin_a = app.admin_token("alpha-vet").await;
    let admin_b = app.admin_token("beta-vet").await;
    add_client(
        &db_a,
        "Alice",
        "Alpha",
        Some("alice@alpha.example"),
        Some("555 111 2222"),
        true,
    )
    .await;
    let zed = add_client(
        &db_b,
        "Zebedee",
        "Beta",
        Some("zed@beta.example"),
        Some("555 333 4444"),
        true,
    )
    .await;
    add_patient(
        &db_b,
        "Zorro",
        "dog",
        Some(("985112009999999", "iso")),
        zed,
        true,
    )
    .await;

    for q in [
        "Zebedee",
        "Zebede",
        "zed@beta",
        "5553334444",
        "Zorro",
        "985112009999999",
    ] {
        let (s, v) = find(&app, "alpha-vet", &admin_a, q).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            ids(&v, "clients").is_empty() && ids(&v, "patients").is_empty(),
            "{q} on A: {v}"
        );
        let (_, v) = find(&app, "beta-vet", &admin_b, q).await;
        assert!(
            !(ids(&v, "clients").is_empty() && ids(&v, "patients").is_empty()),
            "{q} on B: {v}"
        );
    }
    // A's token on B's host is refused before any search.
    let (s, v) = find(&app, "beta-vet", &admin_a, "Zebedee").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(v["code"], "company_mismatch");
    let _ = (db_a.close().await, db_b.close().await);
}

async fn reindex_follows_changes_and_rebuild_gives_the_same_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (db, _) = company(&app, "reindex-vet").await;
    let admin = app.admin_token("reindex-vet").await;
    let id = add_client(&db, "Rita", "Oldname", None, None, true).await;
    let mut c = client::find(&db, id.into()).await.unwrap().unwrap();
    c.last_name = "Newname".into();
    c.name_key = smartdmv_domain::text::person_key(&c.first_name, &c.last_name);
    client::update(&db, c).await.unwrap();
    search::reindex_client(&db, id.into()).await.unwrap();
    let (_, v) = find(&app, "reindex-vet", &admin, "Oldname").await;
    assert!(ids(&v, "clients").is_empty(), "{v}");
    let (_, v) = find(&app, "reindex-vet", &admin, "Newnam").await;
    assert_eq!(ids(&v, "clients"), vec![id.to_string()]);

    let (_, before) = find(&app, "reindex-vet", &admin, "Rita Newname").await;
    let stats = search::rebuild(&db).await.unwrap();
    assert_eq!((stats.clients, stats.patients), (1, 0));
    let (_, after) = find(&app, "reindex-vet", &admin, "Rita Newname").await;
    assert_eq!(before, after);
    let _ = db.close().await;
}

both_backends!(migration_indexes_records_already_present);

async fn migration_indexes_records_already_present(b: Backend) {
    use sea_orm_migration::MigratorTrait;
    use smartdmv_store::tenant::TenantMigrator;
    let app = TestApp::spawn(b).await;
    let (db, _) = company(&app, "migrate-vet").await;
    let admin = app.admin_token("migrate-vet").await;
    let id = add_client(&db, "Mona", "Migrated", None, Some("555 246 8101"), true).await;
    // Back to the schema before the index, then forward again: the index is rebuilt.
    TenantMigrator::down(db.raw(), Some(1)).await.unwrap();
    TenantMigrator::up(db.raw(), None).await.unwrap();
    for q in ["Migrated", "Mona Migratde", "2468101"] {
        let (s, v) = find(&app, "migrate-vet", &admin, q).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(ids(&v, "clients"), vec![id.to_string()], "{q}: {v}");
    }
    let _ = db.close().await;
}

/// The ids of the clients and patients a search answers, as the admin of `sub`.
async fn found(app: &TestApp, sub: &str, tok: &str, q: &str) -> (Vec<String>, Vec<String>) {
    let (s, v) = app
        .tenant_get(sub, tok, &format!("/api/search?q={q}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ids = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect()
    };
    (ids("clients"), ids("patients"))
}

/// The API's own write paths (create, rename, new contacts, deactivate, erase, pets,
/// self sign-up) keep the index current in their transactions.
async fn api_writes_keep_the_index_current(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.create_company("idx-vet").await;
    let admin = app.admin_token("idx-vet").await;
    let send = |m: Method, path: &str, body: Option<Value>| {
        let mut r = app.tenant("idx-vet", m, path).bearer_auth(&admin);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    let (s, c) = json(
        send(
            Method::POST,
            "/api/clients",
            Some(json!({"firstName": "Wilhelmina", "lastName": "Quaternary",
                        "email": "wq@idx.example", "phone": "+1 555 010 4477"})),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let cid = c["id"].as_str().unwrap().to_owned();
    assert_eq!(
        found(&app, "idx-vet", &admin, "Quaternary").await.0,
        vec![cid.as_str()]
    );
    assert_eq!(
        found(&app, "idx-vet", &admin, "5550104477").await.0,
        vec![cid.as_str()]
    );

    let (s, _) = json(
        send(
            Method::PATCH,
            &format!("/api/clients/{cid}"),
            Some(json!({"lastName": "Septenary", "email": "ws@idx.example"})),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        found(&app, "idx-vet", &admin, "Quaternary")
            .await
            .0
            .is_empty()
    );
    assert_eq!(
        found(&app, "idx-vet", &admin, "Septenary").await.0,
        vec![cid.as_str()]
    );
    assert_eq!(
        found(&app, "idx-vet", &admin, "ws@idx").await.0,
        vec![cid.as_str()]
    );
    assert!(found(&app, "idx-vet", &admin, "wq@idx").await.0.is_empty());

    let (s, p) = json(
        send(
            Method::POST,
            "/api/pets",
            Some(
                json!({"name": "Zephyrine", "species": "cat", "ownerId": cid,
                        "microchip": "985112003456789"}),
            ),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let pid = p["id"].as_str().unwrap().to_owned();
    assert_eq!(
        found(&app, "idx-vet", &admin, "Zephyrine").await.1,
        vec![pid.as_str()]
    );
    assert_eq!(
        found(&app, "idx-vet", &admin, "985112003456789").await.1,
        vec![pid.as_str()]
    );
    let (s, _) = json(
        send(
            Method::PATCH,
            &format!("/api/pets/{pid}"),
            Some(json!({"name": "Marigold"})),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        found(&app, "idx-vet", &admin, "Zephyrine")
            .await
            .1
            .is_empty()
    );
    assert_eq!(
        found(&app, "idx-vet", &admin, "Marigold").await.1,
        vec![pid.as_str()]
    );
    let (s, _) = json(
        send(Method::DELETE, &format!("/api/pets/{pid}"), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        found(&app, "idx-vet", &admin, "Marigold")
            .await
            .1
            .is_empty()
    );

    // A client with records is deactivated and drops out; one without is erased.
    let (s, _) = json(
        send(Method::DELETE, &format!("/api/clients/{cid}"), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        found(&app, "idx-vet", &admin, "Septenary")
            .await
            .0
            .is_empty()
    );
    let (_, lone) = json(
        send(
            Method::POST,
            "/api/clients",
            Some(json!({"firstName": "Ottoline", "lastName": "Vexillary"})),
        )
        .await
        .unwrap(),
    )
    .await;
    let lone = lone["id"].as_str().unwrap().to_owned();
    assert_eq!(
        found(&app, "idx-vet", &admin, "Vexillary").await.0,
        vec![lone.as_str()]
    );
    let (s, v) = json(
        send(Method::DELETE, &format!("/api/clients/{lone}"), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s, v["outcome"].as_str()), (StatusCode::OK, Some("erased")));
    let (s, v) = app
        .tenant_get(
            "idx-vet",
            &admin,
            "/api/search?q=Vexillary&includeInactive=true",
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        v["clients"],
        json!([]),
        "an erased client leaves no index rows"
    );

    // Self sign-up creates a client that staff can find at once.
    let (_, ps) = json(send(Method::GET, "/api/practices", None).await.unwrap()).await;
    let practice = ps["items"][0]["id"].as_str().unwrap().to_owned();
    send(
        Method::PATCH,
        &format!("/api/practices/{practice}"),
        Some(json!({"allowClientSignup": true})),
    )
    .await
    .unwrap();
    let (s, r) = json(
        app.tenant("idx-vet", Method::POST, "/api/auth/register")
            .json(
                &json!({"email": "sign@idx.example", "name": "Perpetua Nonagon",
                          "password": "a-long-password-9"}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(found(&app, "idx-vet", &admin, "Nonagon").await.0.len(), 1);
}
