//! The administrator and practice administrator pages, driven like a browser: sign in with
//! the login form, submit the pages' forms, and check both the HTML and the API's view.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::web::WebSession;

/// The value of `attr="..."` on the element with `id="..."`.
pub fn attr_of(html: &str, id: &str, attr: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).expect(id);
    let tag_start = html[..at].rfind('<').unwrap();
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let key = format!("{attr}=\"");
    let v = &tag[tag.find(&key).unwrap() + key.len()..];
    v[..v.find('"').unwrap()].replace("&amp;", "&")
}

pub async fn practices(app: &TestApp, sub: &str, admin: &str) -> Vec<Value> {
    let (_, v) = app.tenant_get(sub, admin, "/api/practices").await;
    v["items"].as_array().unwrap().clone()
}

/// The id of the company's first practice.
pub async fn head_practice(app: &TestApp, sub: &str, admin: &str) -> String {
    practices(app, sub, admin).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub async fn user(app: &TestApp, sub: &str, admin: &str, id: &str) -> Value {
    let (s, v) = app
        .tenant_get(sub, admin, &format!("/api/users/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn admin_invites_a_vet_who_sets_a_password_and_signs_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_company("acme").await;
    let admin = app.admin_token("acme").await;
    let head = head_practice(&app, "acme", &admin).await;
    let mut b = WebSession::signed_in(&app, "acme", "admin@acme.example").await;
    let home = b.get("/").await;
    assert_eq!(home.location.as_str(), "/administrator");
    let overview = b.get("/administrator").await;
    assert_eq!(overview.status, StatusCode::OK, "{}", overview.body);
    assert!(overview.body.contains("Recent activity"));
    assert_eq!(
        b.get("/administrator/users/new").await.status,
        StatusCode::OK
    );

    // A bad email is shown beside its field, and nothing is created.
    let bad = b
        .post(
            "/administrator/users",
            &[
                ("name", "Vera Vet"),
                ("email", "not-an-email"),
                ("role", "VETERINARIAN"),
                ("practiceIds", &head),
            ],
        )
        .await;
    bad.assert_field_error("email");
    assert!(
        bad.body.contains("value=\"Vera Vet\""),
        "the form keeps its values"
    );
    let invited = b
        .post(
            "/administrator/users",
            &[
                ("name", "Vera Vet"),
                ("email", "vera@acme.example"),
                ("role", "VETERINARIAN"),
                ("practiceIds", &head),
            ],
        )
        .await;
    assert_eq!(invited.status, StatusCode::OK, "{}", invited.body);
    let link = attr_of(&invited.body, "invitation-link", "href");
    let prefix = format!("http://acme.localhost:{}/invitation/", app.addr.port());
    assert!(link.starts_with(&prefix), "{link}");
    let path = &link[prefix.len() - "/invitation/".len()..];

    let (_, list) = app.tenant_get("acme", &admin, "/api/users?q=vera").await;
    let vera = &list["items"][0];
    assert_eq!(vera["invited"], true);
    assert_eq!(vera["practiceId"], head.as_str());
    let users = b.get("/administrator/users?q=VERA").await;
    assert!(users.body.contains("vera@acme.example") && users.body.contains(">invited<"));
    let none = b.get("/administrator/users?q=nobody-like-this").await;
    assert!(!none.body.contains("vera@acme.example"));

    // The invited user, in another browser, sets a password and lands in the staff pages.
    let mut v = WebSession::company(&app, "acme");
    let page = v.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("vera@acme.example"));
    let mismatch = v
        .post(
            path,
            &[
                ("password", PASSWORD),
                ("passwordConfirm", "something-else-1"),
            ],
        )
        .await;
    mismatch.assert_field_error("passwordConfirm");
    let short = v
        .post(path, &[("password", "short"), ("passwordConfirm", "short")])
        .await;
    short.assert_field_error("password");
    let done = v
        .post(
            path,
            &[("password", PASSWORD), ("passwordConfirm", PASSWORD)],
        )
        .await;
    let landing = v.follow(done).await;
    assert_eq!(landing.location.as_str(), "/practice");
    assert_eq!(
        user(&app, "acme", &admin, vera["id"].as_str().unwrap()).await["invited"],
        false
    );
    app.login("acme", "vera@acme.example", PASSWORD).await;
    // The link works once; the vet is refused the administrator pages.
    assert_eq!(
        WebSession::company(&app, "acme").get(path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(v.get("/administrator").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        v.get("/practice-administrator/users").await.status,
        StatusCode::FORBIDDEN
    );
    let signed_out = WebSession::company(&app, "acme")
        .get("/administrator/users")
        .await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
}

async fn admin_changes_roles_overrides_and_deactivates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_company("acme").await;
    app.create_company("other").await;
    let admin = app.admin_token("acme").await;
    let other_admin = app.admin_token("other").await;
    let stranger = app
        .create_user("other", &other_admin, "x@other.example", "RECEPTIONIST")
        .await;
    let id = app
        .create_user("acme", &admin, "rita@acme.example", "RECEPTIONIST")
        .await;
    let head = head_practice(&app, "acme", &admin).await;
    let mut b = WebSession::signed_in(&app, "acme", "admin@acme.example").await;
    let path = format!("/administrator/users/{id}");
    let page = b.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"access-form\""));

    let bad = b
        .post(
            &path,
            &[
                ("name", ""),
                ("role", "RECEPTIONIST"),
                ("practiceIds", &head),
            ],
        )
        .await;
    bad.assert_field_error("name");
    let saved = b
        .post(
            &path,
            &[
                ("name", "Rita R"),
                ("role", "RECEPTIONIST"),
                ("roles", "PRACTICE_MANAGER"),
                ("practiceIds", &head),
            ],
        )
        .await;
    let after = b.follow(saved).await;
    assert!(after.body.contains("Rita R was updated"), "{}", after.body);
    let u = user(&app, "acme", &admin, &id).await;
    assert_eq!(u["name"], "Rita R");
    assert_eq!(u["roles"], json!(["PRACTICE_MANAGER"]));
    assert_eq!(u["practiceId"], head.as_str());

    // Overrides: a bad expiry beside its field, one in the past refused by the API, then one
    // added and removed.
    let ov = format!("{path}/overrides");
    let bad = b
        .post(
            &ov,
            &[
                ("permission", "invoices:read"),
                ("effect", "deny"),
                ("expiresAt", "tomorrow"),
            ],
        )
        .await;
    bad.assert_field_error("expiresAt");
    let past = b
        .post(
            &ov,
            &[
                ("permission", "invoices:read"),
                ("effect", "deny"),
                ("expiresAt", "2001-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(
        past.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        past.body
    );
    assert!(past.body.contains("must be in the future"));
    let added = b
        .post(
            &ov,
            &[
                ("permission", "invoices:read"),
                ("effect", "deny"),
                ("expiresAt", "2099-01-01T10:00"),
                ("reason", "audit"),
            ],
        )
        .await;
    let shown = b.follow(added).await;
    assert!(shown.body.contains("id=\"overrides-table\""));
    let (_, list) = app
        .tenant_get("acme", &admin, &format!("/api/users/{id}/overrides"))
        .await;
    let o = &list["items"][0];
    assert_eq!(o["permission"], "invoices:read");
    assert_eq!(o["effect"], "deny");
    assert_eq!(o["expiresAt"], "2099-01-01T10:00:00Z");
    let removed = b
        .post(&format!("{ov}/{}/remove", o["id"].as_str().unwrap()), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let (_, list) = app
        .tenant_get("acme", &admin, &format!("/api/users/{id}/overrides"))
        .await;
    assert_eq!(list["items"], json!([]));

    // Deactivation goes through a confirm page.
    let confirm = b.get(&format!("{path}/deactivate")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("id=\"deactivate-form\""));
    assert_eq!(user(&app, "acme", &admin, &id).await["active"], true);
    let gone = b.post(&format!("{path}/deactivate"), &[]).await;
    let after = b.follow(gone).await;
    assert!(after.body.contains("was deactivated"));
    assert_eq!(user(&app, "acme", &admin, &id).await["active"], false);

    // Another company's user is not found through these pages.
    assert_eq!(
        b.get(&format!("/administrator/users/{stranger}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let users = b.get("/administrator/users").await;
    assert!(!users.body.contains("x@other.example"));
}

async fn admin_manages_custom_roles_practices_and_reads_the_audit_log(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_company("acme").await;
    let admin = app.admin_token("acme").await;
    let mut b = WebSession::signed_in(&app, "acme", "admin@acme.example").await;

    assert_eq!(
        b.get("/administrator/roles/new").await.status,
        StatusCode::OK
    );
    let empty = b
        .post("/administrator/roles", &[("name", "Front desk lead")])
        .await;
    empty.assert_field_error("permissions");
    let made = b
        .post(
            "/administrator/roles",
            &[
                ("name", "Front desk lead"),
                ("permissions", "clients:read"),
                ("permissions", "appointments:manage"),
            ],
        )
        .await;
    let list = b.follow(made).await;
    assert!(list.body.contains("Front desk lead"));
    let (_, roles) = app.tenant_get("acme", &admin, "/api/roles").await;
    let role = roles["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Front desk lead")
        .unwrap()
        .clone();
    assert_eq!(
        role["permissions"],
        json!(["appointments:manage", "clients:read"])
    );
    let rid = role["id"].as_str().unwrap();
    let edit = b.get(&format!("/administrator/roles/{rid}")).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert!(edit.body.contains("value=\"clients:read\" checked"));
    let saved = b
        .post(
            &format!("/administrator/roles/{rid}"),
            &[
                ("name", "Front desk lead"),
                ("permissions", "clients:manage"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let (_, r) = app
        .tenant_get("acme", &admin, &format!("/api/roles/{rid}"))
        .await;
    assert_eq!(r["permissions"], json!(["clients:manage"]));

    // Practices: a validation error beside its field, then one created and its settings saved.
    let bad = b
        .post(
            "/administrator/practices",
            &[("name", "North"), ("email", "nope")],
        )
        .await;
    bad.assert_field_error("email");
    let created = b
        .post(
            "/administrator/practices",
            &[("name", "North"), ("timeZone", "Europe/London")],
        )
        .await;
    let to = created.location.clone();
    let pid = to.rsplit('/').next().unwrap().to_owned();
    let settings = b.follow(created).await;
    assert!(settings.body.contains("id=\"settings-form\""));
    let mut fields = vec![
        ("name", "North Clinic"),
        ("phone", "+44 20 7946 0000"),
        ("timeZone", "Europe/London"),
        ("currency", "GBP"),
        ("taxRateBp", "2000"),
        ("allowClientSignup", "1"),
        ("recordLockHours", "48"),
        ("portalShowsNotes", "1"),
        ("hours-mon", "08:00-12:00, 13:00-18:00"),
    ];
    let bad_tz = b
        .post(&to, &[("name", "North"), ("timeZone", "Mars/Olympus")])
        .await;
    bad_tz.assert_field_error("timeZone");
    let bad_hours = b
        .post(&to, &[("name", "North"), ("hours-tue", "9 to 5")])
        .await;
    assert_eq!(bad_hours.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_hours.body.contains("id=\"f-hours-tue-error\""));
    let bad_lock = b
        .post(&to, &[("name", "North"), ("recordLockHours", "0")])
        .await;
    bad_lock.assert_field_error("recordLockHours");
    let ok = b.post(&to, &fields).await;
    let shown = b.follow(ok).await;
    assert!(shown.body.contains("were saved"), "{}", shown.body);
    let (_, p) = app
        .tenant_get("acme", &admin, &format!("/api/practices/{pid}"))
        .await;
    assert_eq!(p["name"], "North Clinic");
    assert_eq!(p["currency"], "GBP");
    assert_eq!(p["taxRateBp"], 2000);
    assert_eq!(p["allowClientSignup"], true);
    assert_eq!(p["recordLockHours"], 48);
    assert_eq!(p["portalShowsNotes"], true);
    assert_eq!(
        p["openingHours"]["mon"],
        json!([["08:00", "12:00"], ["13:00", "18:00"]])
    );
    assert_eq!(p["openingHours"]["sun"], json!([]));
    fields.retain(|(k, _)| *k != "allowClientSignup");
    b.post(&to, &fields).await;
    let (_, p) = app
        .tenant_get("acme", &admin, &format!("/api/practices/{pid}"))
        .await;
    assert_eq!(p["allowClientSignup"], false);

    // Closing goes through a confirm page.
    assert_eq!(b.get(&format!("{to}/close")).await.status, StatusCode::OK);
    let closed = b.post(&format!("{to}/close"), &[]).await;
    assert_eq!(closed.location.as_str(), "/administrator/practices");
    let (_, p) = app
        .tenant_get("acme", &admin, &format!("/api/practices/{pid}"))
        .await;
    assert_eq!(p["active"], false);

    // The audit log filters by entity and by date, and reports a bad filter beside it.
    let roles_only = b.get("/administrator/audit?entity=role").await;
    assert_eq!(roles_only.status, StatusCode::OK);
    assert!(roles_only.body.contains(rid) && !roles_only.body.contains(&pid));
    let practice_log = b
        .get(&format!(
            "/administrator/audit?entity=practice&entityId={pid}"
        ))
        .await;
    assert!(practice_log.body.contains(">close<") && !practice_log.body.contains(rid));
    let future = b.get("/administrator/audit?since=2099-01-01").await;
    assert!(future.body.contains("id=\"audit-empty\""));
    let bad = b.get("/administrator/audit?since=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("id=\"f-since-error\""));
}

both_backends!(
    admin_invites_a_vet_who_sets_a_password_and_signs_in,
    admin_changes_roles_overrides_and_deactivates,
    admin_manages_custom_roles_practices_and_reads_the_audit_log,
);
