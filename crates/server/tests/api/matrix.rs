//! The permission matrix and the cross-company isolation harness, both driven by the server's
//! own list of tenant routes: a route added without an entry here fails the suite.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, ROLES, TestApp, database_digest};

both_backends!(
    permission_matrix_matches_the_table,
    credentials_and_ids_of_one_company_never_reach_another,
);

/// Expected outcome per route and role: `Y` allowed, `N` 403, `4` 404 (a client asking for
/// someone else's record), `-` public (no credentials needed), `A` any signed-in user.
const MATRIX: &[(&str, &str, &str)] = &[
    ("GET", "/api/public/practices", "-------"),
    ("POST", "/api/auth/login", "-------"),
    ("POST", "/api/auth/register", "-------"),
    ("POST", "/api/auth/accept-invitation", "-------"),
    ("POST", "/api/auth/handoff", "-------"),
    ("POST", "/api/auth/logout", "AAAAAAA"),
    ("GET", "/api/auth/me", "AAAAAAA"),
    ("POST", "/api/auth/change-password", "AAAAAAA"),
    ("GET", "/api/practices", "YYYYYYY"),
    ("POST", "/api/practices", "YNNNNNN"),
    ("GET", "/api/practices/{id}", "YYYYYYY"),
    ("PATCH", "/api/practices/{id}", "YYNNNNN"),
    ("DELETE", "/api/practices/{id}", "YNNNNNN"),
    ("GET", "/api/users", "YYYYYYN"),
    ("POST", "/api/users", "YYNNNNN"),
    ("GET", "/api/users/{id}", "YYYYYY4"),
    ("PATCH", "/api/users/{id}", "YYNNNNN"),
    ("DELETE", "/api/users/{id}", "YYNNNNN"),
    ("GET", "/api/users/{id}/overrides", "YYYNNNN"),
    ("POST", "/api/users/{id}/overrides", "YYNNNNN"),
    (
        "DELETE",
        "/api/users/{id}/overrides/{override_id}",
        "YYNNNNN",
    ),
    ("GET", "/api/roles", "YYYNNNN"),
    ("POST", "/api/roles", "YYNNNNN"),
    ("GET", "/api/roles/{id}", "YYYNNNN"),
    ("PATCH", "/api/roles/{id}", "YYNNNNN"),
    ("DELETE", "/api/roles/{id}", "YYNNNNN"),
    ("GET", "/api/audit-logs", "YYNNNNN"),
    ("GET", "/api/appointment-types", "YYYYYYY"),
    ("POST", "/api/appointment-types", "YYNNNNN"),
    ("GET", "/api/appointment-types/{id}", "YYYYYYY"),
    ("PATCH", "/api/appointment-types/{id}", "YYNNNNN"),
    ("DELETE", "/api/appointment-types/{id}", "YYNNNNN"),
    ("GET", "/api/rooms", "YYYYYYN"),
    ("POST", "/api/rooms", "YYYNNNN"),
    ("GET", "/api/rooms/{id}", "YYYYYYN"),
    ("PATCH", "/api/rooms/{id}", "YYYNNNN"),
    ("DELETE", "/api/rooms/{id}", "YYYNNNN"),
    ("GET", "/api/appointments", "YYYYYYY"),
    ("POST", "/api/appointments", "YYYNNYY"),
    ("GET", "/api/appointments/free-slots", "YYYYYYY"),
    ("GET", "/api/appointments/{id}", "YYYYYY4"),
    ("PATCH", "/api/appointments/{id}", "YYYYYY4"),
    ("POST", "/api/appointments/{id}/status", "YYYYYY4"),
    ("POST", "/api/appointments/{id}/cancel", "YYYYYY4"),
    ("GET", "/api/practices/{id}/day", "YYYYYYN"),
    ("GET", "/api/clients", "YYYYYYN"),
    ("POST", "/api/clients", "YYYNNYN"),
    ("GET", "/api/clients/{id}", "YYYYYY4"),
    ("PATCH", "/api/clients/{id}", "YYYYNYN"),
    ("DELETE", "/api/clients/{id}", "YYYNNNN"),
    ("POST", "/api/clients/{id}/portal-account", "YYYYNYN"),
    ("GET", "/api/pets", "YYYYYYY"),
    ("POST", "/api/pets", "YYYYNYN"),
    ("GET", "/api/pets/{id}", "YYYYYY4"),
    ("PATCH", "/api/pets/{id}", "YYYYYYN"),
    ("DELETE", "/api/pets/{id}", "YYYYNNN"),
    ("GET", "/api/pets/{id}/weights", "YYYYYY4"),
    ("POST", "/api/pets/{id}/weights", "YYYYYYN"),
    ("GET", "/api/pets/{id}/owners", "YYYYYY4"),
    ("POST", "/api/pets/{id}/owners", "YYYYYYN"),
    ("DELETE", "/api/pets/{id}/owners/{ownership_id}", "YYYYYYN"),
    ("GET", "/api/species", "YYYYYYY"),
    ("POST", "/api/species", "YYNNNNN"),
    ("POST", "/api/species/{code}/breeds", "YYNNNNN"),
    ("GET", "/api/search", "YYYYYYN"),
    ("POST", "/api/import/clients-patients", "YYYNNYN"),
    ("POST", "/api/visits", "YYNYYNN"),
    ("GET", "/api/visits/{id}", "YYYYYN4"),
    ("POST", "/api/visits/{id}/close", "YYNYYNN"),
    ("POST", "/api/soap-notes", "YYNYYNN"),
    ("GET", "/api/soap-notes/{id}", "YYYYYN4"),
    ("PATCH", "/api/soap-notes/{id}", "YYNYYNN"),
    ("DELETE", "/api/soap-notes/{id}", "YYNYNNN"),
    ("POST", "/api/soap-notes/{id}/sign", "YYNYNNN"),
    ("POST", "/api/soap-notes/{id}/addenda", "YYNYYNN"),
    ("POST", "/api/soap-notes/{id}/entered-in-error", "YYNYYNN"),
    ("GET", "/api/pets/{id}/history", "YYYYYN4"),
    ("GET", "/api/pets/{id}/problems", "YYYYYN4"),
    ("POST", "/api/pets/{id}/problems", "YYNYYNN"),
    ("PATCH", "/api/problems/{id}", "YYNYYNN"),
    ("POST", "/api/lab-orders", "YYNYYNN"),
    ("GET", "/api/lab-orders/{id}", "YYYYYNN"),
    ("POST", "/api/lab-orders/{id}/results", "YYNYNNN"),
    ("POST", "/api/lab-orders/{id}/review", "YYNYNNN"),
    ("GET", "/api/pets/{id}/attachments", "YYYYYN4"),
    ("POST", "/api/pets/{id}/attachments", "YYNYYNN"),
    ("GET", "/api/attachments/{id}", "YYYYYN4"),
];

fn server_routes() -> BTreeSet<(String, String)> {
    smartdmv_server::api::tenant_routes()
        .list()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_owned()))
        .collect()
}

#[test]
fn every_tenant_route_has_a_matrix_row() {
    let table: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let server = server_routes();
    let missing: Vec<_> = server.difference(&table).collect();
    let stale: Vec<_> = table.difference(&server).collect();
    assert!(
        missing.is_empty(),
        "tenant routes without a matrix row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
}

/// Ids a route's path parameters may name in one company.
pub(crate) struct Fixtures {
    pub(crate) practice: String,
    pub(crate) victim: String,
    pub(crate) override_id: String,
    pub(crate) role: String,
    pub(crate) appointment_type: String,
    pub(crate) room: String,
    pub(crate) appointment: String,
    /// A client owning `pet`.
    pub(crate) client: String,
    /// A pet with two current owners: `client` (primary) and a co-owner.
    pub(crate) pet: String,
    /// The co-ownership of `pet` (one that may be ended).
    pub(crate) ownership: String,
    /// A custom species code.
    pub(crate) species: String,
    /// A walk-in visit of `pet`, with the draft note `note`.
    pub(crate) visit: String,
    pub(crate) note: String,
    /// A problem of `pet`.
    pub(crate) problem: String,
    /// A lab order of `pet`, without results.
    pub(crate) lab_order: String,
    /// An image in `pet`'s record.
    pub(crate) attachment: String,
}

/// POSTs a body as the admin and returns the new resource's `field` (asserting 201).
async fn post_id(
    app: &TestApp,
    sub: &str,
    admin: &str,
    path: &str,
    body: Value,
    field: &str,
) -> String {
    let (s, v) = app.tenant_post(sub, admin, path, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{path}: {v}");
    v.pointer(field).and_then(Value::as_str).unwrap().to_owned()
}

/// A fresh victim user, an override on them, a custom role, an appointment type, a room and
/// an appointment (of a client and pet written straight into the database), so that
/// destructive calls of one cell do not disturb the next.
pub(crate) async fn fixtures(
    app: &TestApp,
    company: &str,
    sub: &str,
    admin: &str,
    practice: &str,
    tag: &str,
) -> Fixtures {
    let (s, v) = app
        .tenant_post(
            sub,
            admin,
            "/api/users",
            json!({"email": format!("victim-{tag}@{sub}.example"), "name": format!("Victim {tag}"),
                          "password": PASSWORD, "role": "RECEPTIONIST", "practiceIds": [practice]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let victim = v["id"].as_str().unwrap().to_owned();
    let (s, o) = app.tenant_post(sub, admin, &format!("/api/users/{victim}/overrides"), json!({"permission": "reports:read", "effect": "grant", "reason": format!("fixture {tag}")})).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let (s, r) = app
        .tenant_post(
            sub,
            admin,
            "/api/roles",
            json!({"name": format!("Role {tag}"), "permissions": ["reports:read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let s = crate::scheduling::schedule_fixtures(app, company, sub, admin, practice, tag).await;
    let client = post_id(app, sub, admin, "/api/clients",
        json!({"firstName": "Client", "lastName": format!("Owner {tag}"), "email": format!("client-{tag}@{sub}.example")}), "/id").await;
    let co = post_id(
        app,
        sub,
        admin,
        "/api/clients",
        json!({"firstName": "Co", "lastName": format!("Owner {tag}")}),
        "/id",
    )
    .await;
    let pet = post_id(
        app,
        sub,
        admin,
        "/api/pets",
        json!({"name": format!("Pet {tag}"), "species": "dog", "ownerId": client}),
        "/id",
    )
    .await;
    let ownership = post_id(
        app,
        sub,
        admin,
        &format!("/api/pets/{pet}/owners"),
        json!({"clientId": co}),
        "/ownership/id",
    )
    .await;
    let lower = tag.to_lowercase();
    let species = format!("sp-{}", &lower[lower.len() - 12..]);
    post_id(
        app,
        sub,
        admin,
        "/api/species",
        json!({"code": species, "name": format!("Species {tag}")}),
        "/code",
    )
    .await;
    let visit = post_id(
        app,
        sub,
        admin,
        "/api/visits",
        json!({"petId": pet, "practiceId": practice, "reason": format!("Visit {tag}")}),
        "/id",
    )
    .await;
    let note = post_id(
        app,
        sub,
        admin,
        "/api/soap-notes",
        json!({"visitId": visit, "subjective": format!("Note {tag}")}),
        "/id",
    )
    .await;
    let problem = post_id(
        app,
        sub,
        admin,
        &format!("/api/pets/{pet}/problems"),
        json!({"name": format!("Problem {tag}"), "practiceId": practice}),
        "/id",
    )
    .await;
    let lab_order = post_id(
        app,
        sub,
        admin,
        "/api/lab-orders",
        json!({"petId": pet, "practiceId": practice,
               "tests": [{"code": "CBC", "name": format!("Count {tag}")}]}),
        "/id",
    )
    .await;
    let attachment = crate::medical::upload(
        app,
        sub,
        admin,
        &pet,
        "fixture.png",
        crate::medical::PNG,
        None,
    )
    .await;
    assert_eq!(attachment.0, StatusCode::CREATED, "{}", attachment.1);
    let attachment = attachment.1["id"].as_str().unwrap().to_owned();
    Fixtures {
        attachment,
        visit,
        note,
        problem,
        lab_order,
        practice: practice.to_owned(),
        victim,
        override_id: o["id"].as_str().unwrap().to_owned(),
        role: r["id"].as_str().unwrap().to_owned(),
        appointment_type: s.appointment_type,
        room: s.room,
        appointment: s.appointment,
        client,
        pet,
        ownership,
        species,
    }
}

/// Fills a route's path parameters; an unknown parameter fails the test, so a new route
/// cannot slip past the matrix or the harness.
fn fill(path: &str, f: &Fixtures) -> String {
    let mut out = String::new();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(match seg {
            "{id}" if path.starts_with("/api/practices") => &f.practice,
            "{id}" if path.starts_with("/api/users") => &f.victim,
            "{id}" if path.starts_with("/api/roles") => &f.role,
            "{id}" if path.starts_with("/api/appointment-types/") => &f.appointment_type,
            "{id}" if path.starts_with("/api/rooms/") => &f.room,
            "{id}" if path.starts_with("/api/appointments/") => &f.appointment,
            "{id}" if path.starts_with("/api/clients") => &f.client,
            "{id}" if path.starts_with("/api/pets") => &f.pet,
            "{id}" if path.starts_with("/api/visits/") => &f.visit,
            "{id}" if path.starts_with("/api/soap-notes/") => &f.note,
            "{id}" if path.starts_with("/api/problems/") => &f.problem,
            "{id}" if path.starts_with("/api/lab-orders/") => &f.lab_order,
            "{id}" if path.starts_with("/api/attachments/") => &f.attachment,
            "{override_id}" => &f.override_id,
            "{ownership_id}" => &f.ownership,
            "{code}" => &f.species,
            s if s.starts_with('{') => panic!("no fixture for {s} in {path}: extend fill()"),
            s => s,
        });
    }
    out
}

/// A short unique tag for fixture names.
fn tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).unwrap()
}

async fn permission_matrix_matches_the_table(b: Backend) {
    let app = TestApp::spawn(b).await;
    let company = app.create_company("matrix-vet").await;
    let cid = company["id"].as_str().unwrap().to_owned();
    let admin = app.admin_token("matrix-vet").await;
    let (_, practices) = app.tenant_get("matrix-vet", &admin, "/api/practices").await;
    let practice = practices["items"][0]["id"].as_str().unwrap().to_owned();
    // One user per role, all in the company's practice.
    let mut users = Vec::new();
    for role in ROLES {
        let (s, v) = app
            .tenant_post(
                "matrix-vet",
                &admin,
                "/api/users",
                json!({"email": format!("{}@matrix.example", role.to_lowercase()), "name": role,
                              "password": PASSWORD, "role": role, "practiceIds": [practice]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        users.push(v["id"].as_str().unwrap().to_owned());
    }

    let mut failures = Vec::new();
    for (m, path, expect) in MATRIX {
        for (i, role) in ROLES.iter().enumerate() {
            let want = expect.as_bytes()[i] as char;
            let f = fixtures(&app, &cid, "matrix-vet", &admin, &practice, &tag()).await;
            let url = fill(path, &f);
            let mut req = app.tenant("matrix-vet", method(m), &url);
            if want != '-' {
                req = req.bearer_auth(app.session_for(&cid, &users[i]).await);
            }
            if *m != "GET" && *m != "DELETE" {
                req = req.json(&json!({}));
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let ok = match want {
                'Y' | 'A' | '-' => !matches!(status.as_u16(), 401 | 403 | 404),
                'N' => status == StatusCode::FORBIDDEN && body["code"] == "forbidden",
                '4' => status == StatusCode::NOT_FOUND,
                other => panic!("unknown matrix cell {other}"),
            };
            if !ok {
                failures.push(format!(
                    "{m} {path} as {role}: expected {want}, got {status} {body}"
                ));
            }
        }
        // Without credentials, every non-public route answers 401.
        if !expect.starts_with('-') {
            let f = fixtures(&app, &cid, "matrix-vet", &admin, &practice, &tag()).await;
            let r = app
                .tenant("matrix-vet", method(m), &fill(path, &f))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            if r.status() != StatusCode::UNAUTHORIZED {
                failures.push(format!("{m} {path} without credentials: {}", r.status()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} matrix cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

async fn credentials_and_ids_of_one_company_never_reach_another(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.create_company("iso-a").await;
    let bc = app.create_company("iso-b").await;
    let b_id = bc["id"].as_str().unwrap().to_owned();
    let admin_a = app.admin_token("iso-a").await;
    let admin_b = app.admin_token("iso-b").await;
    let marker = format!("MARKERB{}", uuid::Uuid::new_v4().simple());

    // B gets a verified custom domain and records full of its marker.
    let (s, d) = app
        .owner_post(
            &format!("/api/owner/companies/{b_id}/domains"),
            json!({"domain": "iso-b.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    app.owner_send(
        Method::POST,
        &format!(
            "/api/owner/companies/{b_id}/domains/{}/verify",
            d["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    let (_, ps) = app.tenant_get("iso-b", &admin_b, "/api/practices").await;
    let b_practice = ps["items"][0]["id"].as_str().unwrap().to_owned();
    let b_fix = fixtures(&app, &b_id, "iso-b", &admin_b, &b_practice, &marker).await;
    let (_, pa) = app.tenant_get("iso-a", &admin_a, "/api/practices").await;
    let a_practice = pa["items"][0]["id"].as_str().unwrap().to_owned();
    let a_id = a["id"].as_str().unwrap().to_owned();

    let db_b = app.open_tenant_db(&b_id).await;
    let before = database_digest(&db_b).await;
    assert!(
        before.contains(&marker) || app.backend.is_pg(),
        "the marker is in B's database"
    );

    let port = app.addr.port();
    let mut failures = Vec::new();
    let routes = smartdmv_server::api::tenant_routes().list();
    for (m, path) in &routes {
        let public = MATRIX
            .iter()
            .any(|(mm, pp, e)| mm == &m.as_str() && pp == path && e.starts_with('-'));
        // 1. A's credentials against B: B's host, B's custom domain, X-Company-Id of B.
        let url = fill(path, &b_fix);
        let attempts = [
            app.host(&format!("iso-b.localhost:{port}"), m.clone(), &url),
            app.host("iso-b.example", m.clone(), &url),
            app.platform(m.clone(), &url).header("x-company-id", &b_id),
        ];
        for (k, req) in attempts.into_iter().enumerate() {
            let mut req = req.bearer_auth(&admin_a);
            if m != Method::GET && m != Method::DELETE {
                req = req.json(&json!({"name": "intruder", "email": "x@intruder.example", "password": "intruder-password-1"}));
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            if text.contains(&marker) {
                failures.push(format!("{m} {path} (way {k}) leaked B's marker: {text}"));
            }
            let refused = status == StatusCode::FORBIDDEN && text.contains("company_mismatch");
            if !public && !refused {
                failures.push(format!(
                    "{m} {path} (way {k}) with A's token on B: {status} {text}"
                ));
            }
        }
        // 2. B's ids on A's host with A's credentials.
        if path.contains('{') && !public {
            let mut req = app.tenant("iso-a", m.clone(), &url).bearer_auth(&admin_a);
            if m != Method::GET && m != Method::DELETE {
                req = req.json(&json!({}));
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let text = r.text().await.unwrap();
            if text.contains(&marker) {
                failures.push(format!("{m} {path} with B's ids on A leaked: {text}"));
            }
            // 422 is fine where the body is checked before the id is looked up.
            if !matches!(status.as_u16(), 404 | 422) {
                failures.push(format!("{m} {path} with B's ids on A: {status} {text}"));
            }
        }
    }
    let after = database_digest(&db_b).await;
    let _ = db_b.close().await;
    assert_eq!(
        before, after,
        "requests with A's credentials changed B's database"
    );
    assert!(
        failures.is_empty(),
        "{} isolation failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // A's own data is untouched by the B-id attempts, and A still works.
    let r = app
        .send(
            "iso-a",
            &admin_a,
            Method::GET,
            &format!("/api/practices/{a_practice}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let _ = a_id;
}
