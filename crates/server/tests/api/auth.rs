//! Sign-in, sessions, throttling, platform scoping, impersonation, CSRF and the guards on
//! handing out access.

use reqwest::{Method, StatusCode};
use sea_orm::EntityTrait;
use serde_json::json;
use std::sync::atomic::Ordering;

use crate::both_backends;
use crate::fixtures::Company;
use crate::helpers::{Backend, PASSWORD, TestApp, json, strs};
use crate::plans::company_admin;

both_backends!(
    sessions_are_revoked_by_logout_password_change_role_change_and_deactivation,
    expired_sessions_and_cookies,
    login_is_throttled_and_unknown_users_take_the_same_path,
    company_admins_see_only_their_company,
    impersonation_is_short_lived_read_only_and_audited,
    cookie_requests_from_other_sites_are_refused,
    clients_sign_up_and_see_only_themselves,
    nobody_hands_out_access_they_do_not_hold,
    practice_bound_users_reach_only_their_practices,
);

async fn status_of(app: &TestApp, sub: &str, token: &str) -> StatusCode {
    app.send(sub, token, Method::GET, "/api/auth/me", None)
        .await
        .status()
}

async fn sessions_are_revoked_by_logout_password_change_role_change_and_deactivation(b: Backend) {
    let c = Company::open(b, "sess-vet").await;
    let app = &c.app;
    let admin = &c.admin;
    let (s, me) = c.get("/api/auth/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["role"], "ADMINISTRATOR");
    assert!(
        me["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "users:create")
    );

    // Logout really revokes.
    let t = app.admin_token("sess-vet").await;
    let r = c.send(&t, Method::POST, "/api/auth/logout", None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        status_of(app, "sess-vet", &t).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status_of(app, "sess-vet", admin).await, StatusCode::OK);

    // A password change revokes the user's other sessions, keeps this one.
    let vet = app
        .create_user("sess-vet", admin, "vet@sess.example", "VETERINARIAN")
        .await;
    let v1 = app.login("sess-vet", "vet@sess.example", PASSWORD).await;
    let v2 = app.login("sess-vet", "vet@sess.example", PASSWORD).await;
    let (s, e) = c
        .post_as(
            &v1,
            "/api/auth/change-password",
            json!({"currentPassword": "wrong-password-9", "newPassword": "another-long-pass-2"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let r = c
        .send(
            &v1,
            Method::POST,
            "/api/auth/change-password",
            Some(json!({"currentPassword": PASSWORD, "newPassword": "password123"})),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "common passwords are refused"
    );
    let (s, _) = c
        .post_as(
            &v1,
            "/api/auth/change-password",
            json!({"currentPassword": PASSWORD, "newPassword": "another-long-pass-2"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(status_of(app, "sess-vet", &v1).await, StatusCode::OK);
    assert_eq!(
        status_of(app, "sess-vet", &v2).await,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .tenant("sess-vet", Method::POST, "/api/auth/login")
        .json(&json!({"email": "vet@sess.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v3 = app
        .login("sess-vet", "vet@sess.example", "another-long-pass-2")
        .await;

    // A role change revokes every session of the user.
    let (s, _) = c
        .patch_as(
            &c.admin,
            &format!("/api/users/{vet}"),
            json!({"role": "TECHNICIAN"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        status_of(app, "sess-vet", &v1).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status_of(app, "sess-vet", &v3).await,
        StatusCode::UNAUTHORIZED
    );

    // Deactivation revokes and stops sign-in.
    let v4 = app
        .login("sess-vet", "vet@sess.example", "another-long-pass-2")
        .await;
    let (s, _) = c.delete_as(&c.admin, &format!("/api/users/{vet}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        status_of(app, "sess-vet", &v4).await,
        StatusCode::UNAUTHORIZED
    );
    let r = app
        .tenant("sess-vet", Method::POST, "/api/auth/login")
        .json(&json!({"email": "vet@sess.example", "password": "another-long-pass-2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Every step is in the audit log.
    let (_, log) = c.get("/api/audit-logs?limit=200").await;
    let actions: Vec<String> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["entity"].as_str().unwrap(),
                e["action"].as_str().unwrap()
            )
        })
        .collect();
    for a in [
        "session:login",
        "session:logout",
        "session:login_failed",
        "user:change_password",
        "user:create",
        "user:update",
        "user:deactivate",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} missing from {actions:?}"
        );
    }
    let (_, only) = c
        .get(&format!("/api/audit-logs?entity=user&entityId={vet}"))
        .await;
    assert!(
        only["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["entityId"] == vet.as_str())
    );
}

async fn expired_sessions_and_cookies(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.create_company("exp-vet").await;
    let r = app
        .tenant("exp-vet", Method::POST, "/api/auth/login")
        .json(&json!({"email": "admin@exp-vet.example", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("smartdmv_session=t."), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(
        !cookie.to_lowercase().contains("domain="),
        "cookies are host-only: {cookie}"
    );
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("smartdmv_session=")
        .to_owned();
    // The cookie works for reads.
    let r = app
        .tenant("exp-vet", Method::GET, "/api/auth/me")
        .header("cookie", format!("smartdmv_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Expire it in the database.
    let db = app.open_tenant_db(c["id"].as_str().unwrap()).await;
    let s = smartdmv_store::tenant::session::find_live(
        &db,
        &smartdmv_server::auth::token::hash(&token),
        smartdmv_store::now(),
    )
    .await
    .unwrap()
    .unwrap();
    smartdmv_store::tenant::session::extend(
        &db,
        s,
        smartdmv_store::now() - jiff::SignedDuration::from_secs(1),
    )
    .await
    .unwrap();
    let _ = db.close().await;
    assert_eq!(
        status_of(&app, "exp-vet", &token).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn login_is_throttled_and_unknown_users_take_the_same_path(b: Backend) {
    let app = TestApp::spawn(b).await;
    let checks = app.state.password_checks.clone();
    app.create_company("thr-vet").await;
    let attempt = |email: &'static str, pw: &'static str| {
        app.tenant("thr-vet", Method::POST, "/api/auth/login")
            .json(&json!({"email": email, "password": pw}))
            .send()
    };
    // Unknown user and wrong password: the same answer, and one password check each.
    let before = checks.load(Ordering::Relaxed);
    let (s1, b1) = json(
        attempt("nobody@thr.example", "whatever-password")
            .await
            .unwrap(),
    )
    .await;
    let mid = checks.load(Ordering::Relaxed);
    let (s2, b2) = json(
        attempt("admin@thr-vet.example", "whatever-password")
            .await
            .unwrap(),
    )
    .await;
    let after = checks.load(Ordering::Relaxed);
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(b1, b2, "unknown and wrong answers must not differ");
    assert_eq!(b1["code"], "invalid_credentials");
    assert_eq!(
        (mid - before, after - mid),
        (1, 1),
        "both paths verify one password hash"
    );

    // Per account: after 5 failures even the right password waits.
    for _ in 0..3 {
        let r = attempt("admin@thr-vet.example", "wrong-password-x")
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = attempt("admin@thr-vet.example", "wrong-password-x")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = attempt("admin@thr-vet.example", PASSWORD).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    // Per address: many accounts from one address are throttled too.
    let mut last = StatusCode::OK;
    for i in 0..25 {
        let email: &'static str = Box::leak(format!("spray{i}@thr.example").into_boxed_str());
        last = attempt(email, "wrong-password-x").await.unwrap().status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

async fn company_admins_see_only_their_company(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mine = app.create_company("mine-vet").await;
    let other = app.create_company("other-vet").await;
    let mine_id = mine["id"].as_str().unwrap();
    let other_id = other["id"].as_str().unwrap();
    let ca = company_admin(&app, mine_id, "ca@mine.example").await;
    let req = |m: Method, p: &str| app.platform(m, p).bearer_auth(&ca);
    let (_, list) = json(
        req(Method::GET, "/api/owner/companies")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let ids: Vec<&str> = strs(&list["items"], "id");
    assert_eq!(ids, [mine_id]);
    assert_eq!(
        req(Method::GET, &format!("/api/owner/companies/{other_id}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        req(Method::GET, &format!("/api/owner/companies/{mine_id}"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let r = req(Method::PUT, &format!("/api/owner/companies/{mine_id}"))
        .json(&json!({"contactPhone": "+1 555 0199"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    for body in [
        json!({"name": "Renamed"}),
        json!({"status": "SUSPENDED"}),
        json!({"plan": "enterprise"}),
    ] {
        let r = req(Method::PUT, &format!("/api/owner/companies/{mine_id}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{body}");
    }
    let r = req(Method::PUT, &format!("/api/owner/companies/{other_id}"))
        .json(&json!({"contactPhone": "+1 555 0199"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = req(Method::POST, "/api/owner/companies")
        .json(&json!({"name": "X", "subdomain": "sneaky-co", "contactEmail": "x@y.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for (m, p) in [
        (Method::DELETE, format!("/api/owner/companies/{mine_id}")),
        (
            Method::POST,
            format!("/api/owner/companies/{mine_id}/impersonate"),
        ),
        (Method::GET, "/api/owner/users".to_owned()),
        (Method::GET, "/api/owner/metrics".to_owned()),
    ] {
        let r = req(m.clone(), &p)
            .json(&json!({"reason": "just looking", "email": "admin@mine-vet.example"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{m} {p}");
    }
    let (_, me) = json(req(Method::GET, "/api/owner/auth/me").send().await.unwrap()).await;
    assert_eq!(me["role"], "COMPANY_ADMIN");
    // Platform tokens are not company credentials.
    let r = app
        .send("mine-vet", &ca, Method::GET, "/api/users", None)
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Logout revokes.
    let r = req(Method::POST, "/api/owner/auth/logout")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        req(Method::GET, "/api/owner/auth/me")
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn impersonation_is_short_lived_read_only_and_audited(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.create_company("imp-vet").await;
    let cid = c["id"].as_str().unwrap();
    let path = format!("/api/owner/companies/{cid}/impersonate");
    let r = app
        .owner_send(
            Method::POST,
            &path,
            Some(json!({"email": "admin@imp-vet.example", "reason": ""})),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let (s, imp) = app.owner_post(&path, json!({"email": "admin@imp-vet.example", "reason": "ticket 4711: cannot see invoices", "minutes": 5})).await;
    assert_eq!(s, StatusCode::CREATED, "{imp}");
    assert_eq!(imp["readOnly"], true);
    let tok = imp["token"].as_str().unwrap().to_owned();
    let (s, me) = app.tenant_get("imp-vet", &tok, "/api/auth/me").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        me["impersonatedBy"]
            .as_str()
            .unwrap()
            .contains("owner@platform.example")
    );
    assert_eq!(me["readOnly"], true);
    let r = app
        .send(
            "imp-vet",
            &tok,
            Method::POST,
            "/api/practices",
            Some(json!({"name": "Nope"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("read_only_session"));
    // Writable when asked, and only on that company's host.
    let (_, w) = app.owner_post(&path, json!({"email": "admin@imp-vet.example", "reason": "fixing a practice name", "writable": true})).await;
    let wtok = w["token"].as_str().unwrap();
    let r = app
        .send(
            "imp-vet",
            wtok,
            Method::POST,
            "/api/practices",
            Some(json!({"name": "Branch"})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // Both logs record it.
    let owner_log = app.owner_audit(cid, 50).await;
    assert_eq!(
        owner_log
            .iter()
            .filter(|e| e.action == "company.impersonate")
            .count(),
        2
    );
    assert!(
        owner_log
            .iter()
            .any(|e| e.detail.to_string().contains("ticket 4711"))
    );
    let db = app.open_tenant_db(cid).await;
    let tenant_log = smartdmv_store::tenant::audit::all(&db).await.unwrap();
    assert_eq!(
        tenant_log
            .iter()
            .filter(|e| e.action == "impersonation_start")
            .count(),
        2
    );
    assert!(
        tenant_log.iter().any(|e| e.entity == "practice"
            && e.actor.contains("impersonated by owner@platform.example"))
    );
    // Expiry: push the session's end into the past.
    let s = smartdmv_store::tenant::session::find_live(
        &db,
        &smartdmv_server::auth::token::hash(&tok),
        smartdmv_store::now(),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(s.expires_at <= smartdmv_store::now() + jiff::SignedDuration::from_mins(5));
    smartdmv_store::tenant::session::extend(
        &db,
        s,
        smartdmv_store::now() - jiff::SignedDuration::from_secs(1),
    )
    .await
    .unwrap();
    let _ = db.close().await;
    assert_eq!(
        status_of(&app, "imp-vet", &tok).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn cookie_requests_from_other_sites_are_refused(b: Backend) {
    let c = Company::open(b, "csrf-vet").await;
    let app = &c.app;
    let tok = &c.admin;
    let port = app.addr.port();
    let cookie = format!("smartdmv_session={tok}");
    let post = || {
        app.tenant("csrf-vet", Method::POST, "/api/practices")
            .header("cookie", cookie.clone())
            .json(&json!({"name": "Via cookie"}))
    };
    let (s, e) = json(post().send().await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(e["code"], "csrf_failed");
    let r = post()
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post()
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post()
        .header("origin", format!("http://csrf-vet.localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = post()
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // Reads by cookie and writes by bearer token need no such proof.
    let r = app
        .tenant("csrf-vet", Method::GET, "/api/practices")
        .header("cookie", cookie.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, _) = c
        .post_as(&c.admin, "/api/practices", json!({"name": "Via bearer"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let r = app.platform(Method::GET, "/healthz").send().await.unwrap();
    assert!(r.headers().contains_key("content-security-policy"));
}

async fn clients_sign_up_and_see_only_themselves(b: Backend) {
    let app = TestApp::spawn(b).await;
    let company = app.create_company("portal-vet").await;
    let admin = app.admin_token("portal-vet").await;
    let reg = |email: &str| {
        app.tenant("portal-vet", Method::POST, "/api/auth/register")
            .json(&json!({"email": email, "name": "Pat Owner", "password": "a-long-password-9"}))
            .send()
    };
    let (s, e) = json(reg("pat@owner.example").await.unwrap()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(e["code"], "signup_disabled");
    let (_, ps) = app.tenant_get("portal-vet", &admin, "/api/practices").await;
    let pid = ps["items"][0]["id"].as_str().unwrap();
    let r = app
        .send(
            "portal-vet",
            &admin,
            Method::PATCH,
            &format!("/api/practices/{pid}"),
            Some(json!({"allowClientSignup": true})),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (s, c) = json(reg("pat@owner.example").await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["user"]["role"], "CLIENT");
    let client = c["token"].as_str().unwrap();
    let (s, _) = json(reg("pat@owner.example").await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let my_id = c["user"]["id"].as_str().unwrap();
    // Signing up made one client record, linked to the account, with the email as its
    // primary contact; the refused second attempt left nothing behind.
    let db = app.open_tenant_db(company["id"].as_str().unwrap()).await;
    let clients = smartdmv_store::tenant::client::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(clients.len(), 1, "{clients:?}");
    let rec = &clients[0];
    assert_eq!(rec.user_id.map(|u| u.to_string()).as_deref(), Some(my_id));
    assert_eq!(
        (rec.first_name.as_str(), rec.last_name.as_str()),
        ("Pat", "Owner")
    );
    assert_eq!(rec.email.as_deref(), Some("pat@owner.example"));
    assert_eq!(
        rec.home_practice_id.map(|u| u.to_string()).as_deref(),
        Some(pid)
    );
    let contacts = smartdmv_store::tenant::client_contact::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert_eq!(contacts.len(), 1);
    assert!(contacts[0].is_primary && contacts[0].email_consent);
    let _ = db.close().await;
    let r = app
        .send(
            "portal-vet",
            client,
            Method::GET,
            &format!("/api/users/{my_id}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (_, me) = app.tenant_get("portal-vet", &admin, "/api/auth/me").await;
    let admin_id = me["id"].as_str().unwrap();
    let r = app
        .send(
            "portal-vet",
            client,
            Method::GET,
            &format!("/api/users/{admin_id}"),
            None,
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "others' ids answer 404 to a client"
    );
    let r = app
        .send("portal-vet", client, Method::GET, "/api/users", None)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn nobody_hands_out_access_they_do_not_hold(b: Backend) {
    let c = Company::open(b, "esc-vet").await;
    let app = &c.app;
    let admin = &c.admin;
    let (_, ps) = c.get("/api/practices").await;
    let pid = ps["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, pa) = c.post("/api/users", json!({"email": "pa@esc.example", "name": "PA", "password": PASSWORD, "role": "PRACTICE_ADMINISTRATOR", "practiceIds": [pid]})).await;
    assert_eq!(s, StatusCode::CREATED, "{pa}");
    let pa_tok = app.login("esc-vet", "pa@esc.example", PASSWORD).await;
    // A practice administrator cannot mint company administrators.
    let (s, e) = c.post_as(&pa_tok, "/api/users", json!({"email": "boss2@esc.example", "name": "B", "password": PASSWORD, "role": "ADMINISTRATOR", "practiceIds": [pid]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["code"], "cannot_grant");
    // Nor touch someone who holds more than they do.
    let (_, me) = c.get("/api/auth/me").await;
    let admin_id = me["id"].as_str().unwrap().to_owned();
    let (s, _) = c
        .patch_as(
            &pa_tok,
            &format!("/api/users/{admin_id}"),
            json!({"name": "Demoted"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c
        .post_as(
            &pa_tok,
            &format!("/api/users/{admin_id}/overrides"),
            json!({"permission": "users:read", "effect": "deny"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c
        .delete_as(&pa_tok, &format!("/api/users/{admin_id}"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Nor a custom role with practices:create.
    let (s, _) = c
        .post_as(
            &pa_tok,
            "/api/roles",
            json!({"name": "Opener", "permissions": ["practices:create"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Custom roles and overrides do change what a user may do, at the next request.
    let rec = app
        .create_user("esc-vet", admin, "rec@esc.example", "RECEPTIONIST")
        .await;
    let rec_tok = app.login("esc-vet", "rec@esc.example", PASSWORD).await;
    let audit = || {
        app.tenant("esc-vet", Method::GET, "/api/audit-logs")
            .bearer_auth(&rec_tok)
            .send()
    };
    assert_eq!(audit().await.unwrap().status(), StatusCode::FORBIDDEN);
    let (s, role) = c
        .post(
            "/api/roles",
            json!({"name": "Auditor", "permissions": ["audit-logs:read"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let key = role["key"].as_str().unwrap();
    let (s, _) = c
        .patch_as(
            &c.admin,
            &format!("/api/users/{rec}"),
            json!({"roles": [key]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let rec_tok2 = app.login("esc-vet", "rec@esc.example", PASSWORD).await;
    let (s, _) = c.get_as(&rec_tok2, "/api/audit-logs").await;
    assert_eq!(s, StatusCode::OK);
    // A deny override wins over the role, and can expire.
    let (s, o) = c.post(&format!("/api/users/{rec}/overrides"), json!({"permission": "audit-logs:read", "effect": "deny", "reason": "audit in progress"})).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let (s, _) = c.get_as(&rec_tok2, "/api/audit-logs").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c
        .delete_as(
            &c.admin,
            &format!("/api/users/{rec}/overrides/{}", o["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = c.get_as(&rec_tok2, "/api/audit-logs").await;
    assert_eq!(s, StatusCode::OK);
    let past = (smartdmv_store::Stamp::now() - jiff::SignedDuration::from_hours(1)).rfc3339();
    let (s, _) = c
        .post_as(
            &c.admin,
            &format!("/api/users/{rec}/overrides"),
            json!({"permission": "reports:read", "effect": "grant", "expiresAt": past}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Invited users set their own password.
    let (s, inv) = c.post("/api/users", json!({"email": "new@esc.example", "name": "New", "role": "VETERINARIAN", "practiceIds": [pid]})).await;
    assert_eq!(s, StatusCode::CREATED, "{inv}");
    assert_eq!(inv["invited"], true);
    let r = app
        .tenant("esc-vet", Method::POST, "/api/auth/login")
        .json(&json!({"email": "new@esc.example", "password": "anything-long-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, acc) = json(
        app.tenant("esc-vet", Method::POST, "/api/auth/accept-invitation")
            .json(&json!({"token": inv["invitation"]["token"], "password": "my-own-password-7"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{acc}");
    app.login("esc-vet", "new@esc.example", "my-own-password-7")
        .await;
    let r = app
        .tenant("esc-vet", Method::POST, "/api/auth/accept-invitation")
        .json(&json!({"token": inv["invitation"]["token"], "password": "my-own-password-8"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "an invitation works once"
    );
}

async fn practice_bound_users_reach_only_their_practices(b: Backend) {
    let c = Company::open(b, "two-sites").await;
    let app = &c.app;
    let admin = &c.admin;
    let (_, ps) = c.get("/api/practices").await;
    let north = ps["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, south) = c
        .post("/api/practices", json!({"name": "South Branch"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let south = south["id"].as_str().unwrap().to_owned();
    let mk = |email: &'static str, role: &'static str, practice: String| {
        app.tenant("two-sites", Method::POST, "/api/users")
            .bearer_auth(admin)
            .json(&json!({"email": email, "name": email, "password": PASSWORD, "role": role, "practiceIds": [practice]}))
            .send()
    };
    let (s, pa) = json(
        mk("pa@north.example", "PRACTICE_ADMINISTRATOR", north.clone())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{pa}");
    let (_, vs) = json(
        mk("vet@south.example", "VETERINARIAN", south.clone())
            .await
            .unwrap(),
    )
    .await;
    let south_vet = vs["id"].as_str().unwrap().to_owned();
    let pa_tok = app.login("two-sites", "pa@north.example", PASSWORD).await;
    let (_, list) = c.get_as(&pa_tok, "/api/practices").await;
    let names: Vec<&str> = strs(&list["items"], "name");
    assert_eq!(names, ["Company two-sites"]);
    let (s, _) = c.get_as(&pa_tok, &format!("/api/practices/{south}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = c.get_as(&pa_tok, &format!("/api/users/{south_vet}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, users) = c.get_as(&pa_tok, "/api/users").await;
    let emails: Vec<&str> = strs(&users["items"], "email");
    assert!(
        emails.contains(&"pa@north.example") && !emails.contains(&"vet@south.example"),
        "{emails:?}"
    );
    let r = c.send(&pa_tok, Method::POST, "/api/users", Some(json!({"email": "x@south.example", "name": "X", "password": PASSWORD, "role": "RECEPTIONIST", "practiceIds": [south]}))).await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "cannot staff another practice"
    );
    let (_, log) = c.get_as(&pa_tok, "/api/audit-logs?limit=200").await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["practiceId"] == north.as_str()),
        "a practice administrator reads their practice's audit entries only"
    );
    // The company administrator sees both.
    let (_, all) = c.get("/api/practices").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}
