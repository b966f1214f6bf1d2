//! Signing in and out through the pages, CSRF, flash messages, form errors and the owner's
//! company pages (create, suspend, archive, impersonate).

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, OWNER_EMAIL, PASSWORD, TestApp};
use crate::web::WebSession;

async fn owner_signs_in_and_out_through_the_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut web = WebSession::platform(&app);
    let r = web.get("/owner").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/login?next=/owner");
    let r = web.get("/login").await;
    assert!(r.body.contains("Platform sign in"), "{}", r.body);

    let r = web
        .post(
            "/login",
            &[("email", OWNER_EMAIL), ("password", "wrong-password-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("not correct"), "{}", r.body);
    assert!(
        r.body.contains(&format!("value=\"{OWNER_EMAIL}\"")),
        "the email is kept"
    );
    assert!(!web.has_cookie("smartdmv_owner_session"));

    let r = web
        .post(
            "/login",
            &[
                ("email", OWNER_EMAIL),
                ("password", PASSWORD),
                ("next", "/owner/users"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/owner/users");
    // A `next` that leaves the site is ignored.
    let r = web
        .post(
            "/login",
            &[
                ("email", OWNER_EMAIL),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(r.location, "/");
    let r = web.get("/").await;
    assert_eq!(r.location, "/owner");
    let r = web.get("/owner").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Platform dashboard"));

    let r = web.post("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!web.has_cookie("smartdmv_owner_session"));
    let r = web.get("/login").await;
    assert!(r.body.contains("You are signed out."), "the flash is shown");
    let r = web.get("/login").await;
    assert!(!r.body.contains("You are signed out."), "and only once");
    let r = web.get("/owner").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

async fn forms_without_csrf_or_from_elsewhere_change_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut web = WebSession::platform(&app);
    web.sign_in(OWNER_EMAIL, PASSWORD).await;
    let fields = [
        ("name", "Forged Vets"),
        ("subdomain", "forged"),
        ("contactEmail", "x@forged.example"),
    ];
    let r = web.post_without_csrf("/owner/companies", &fields).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let mut with_wrong = fields.to_vec();
    with_wrong.push(("_csrf", "not-the-cookie-value-at-all-000000000000"));
    let r = web.post_without_csrf("/owner/companies", &with_wrong).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The right token from another origin is refused too.
    let r = web
        .post_from("http://evil.example", "/owner/companies", &fields)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let (_, list) = app.owner_get("/api/owner/companies?q=forged").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");
}

async fn owner_creates_suspends_and_archives_a_company_through_the_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut web = WebSession::platform(&app);
    web.sign_in(OWNER_EMAIL, PASSWORD).await;
    let r = web.get("/owner/companies/new").await;
    assert_eq!(r.status, StatusCode::OK);

    // The API's validation, shown beside the field; nothing is created.
    let r = web
        .post(
            "/owner/companies",
            &[
                ("name", "Bad Sub"),
                ("subdomain", "Not Valid!"),
                ("contactEmail", "a@b.example"),
            ],
        )
        .await;
    r.assert_field_error("subdomain");
    assert!(
        r.body.contains("value=\"Bad Sub\""),
        "entered values are kept"
    );
    let (_, list) = app.owner_get("/api/owner/companies").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);

    let r = web
        .post(
            "/owner/companies",
            &[
                ("name", "Web Made Vets"),
                ("subdomain", "web-made"),
                ("contactEmail", "office@web-made.example"),
                ("adminEmail", "admin@web-made.example"),
                ("adminName", "Web Admin"),
                ("adminPassword", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location.clone();
    let id = page.rsplit('/').next().unwrap().to_owned();
    let r = web.get(&page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Web Made Vets was created."), "{}", r.body);
    assert!(r.body.contains(">ACTIVE<"), "{}", r.body);
    assert!(
        r.body.contains("id=\"usage-users\">1<"),
        "one user: the administrator"
    );

    // The company's host serves its sign-in page with its name.
    let mut company = WebSession::company(&app, "web-made");
    let r = company.get("/login").await;
    assert!(r.body.contains("Web Made Vets"));
    company.sign_in("admin@web-made.example", PASSWORD).await;

    let r = web
        .post(
            &format!("/owner/companies/{id}/status"),
            &[("status", "SUSPENDED")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = company.get("/account/password").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("suspended"));
    web.post(
        &format!("/owner/companies/{id}/status"),
        &[("status", "ACTIVE")],
    )
    .await;
    let r = company.get("/").await;
    assert_eq!(r.location, "/administrator");

    // Archiving needs the subdomain typed out.
    let r = web.get(&format!("/owner/companies/{id}/archive")).await;
    assert_eq!(r.status, StatusCode::OK);
    web.post(
        &format!("/owner/companies/{id}/archive"),
        &[("confirm", "web")],
    )
    .await;
    let c = app.company(&id).await;
    assert_eq!(c["status"], "ACTIVE", "{c}");
    let r = web
        .post(
            &format!("/owner/companies/{id}/archive"),
            &[("confirm", "web-made")],
        )
        .await;
    assert_eq!(r.location, "/owner/companies");
    let c = app.company(&id).await;
    assert_eq!(c["status"], "ARCHIVED", "{c}");
}

async fn branding_colour_and_impersonation_reach_the_company_host(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.create_company("brand-vet").await;
    let id = c["id"].as_str().unwrap().to_owned();
    let (s, v) = app
        .put_company(
            &id,
            json!({"settings": {"branding": {"primaryColor": "#7C3AED"}}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut company = WebSession::company(&app, "brand-vet");
    let r = company.get("/brand.css").await;
    assert!(r.body.contains("--brand: #7c3aed"), "{}", r.body);
    let r = WebSession::platform(&app).get("/brand.css").await;
    assert!(!r.body.contains("#7c3aed"));

    let mut web = WebSession::platform(&app);
    web.sign_in(OWNER_EMAIL, PASSWORD).await;
    let r = web
        .post(
            &format!("/owner/companies/{id}/impersonate"),
            &[("email", "admin@brand-vet.example"), ("reason", "ab")],
        )
        .await;
    assert_eq!(r.location, format!("/owner/companies/{id}"));
    let r = web
        .post(
            &format!("/owner/companies/{id}/impersonate"),
            &[
                ("email", "admin@brand-vet.example"),
                ("reason", "support ticket 42"),
                ("minutes", "10"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location.clone();
    let handoff = &to[to.find("/session/handoff").unwrap()..];
    assert!(to.contains("brand-vet.localhost"), "{to}");
    let r = company.get(handoff).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = company.get("/account/password").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Impersonated session"), "{}", r.body);
    assert!(
        r.body
            .contains("opened by owner@platform.example: support ticket 42"),
        "{}",
        r.body
    );
    assert!(r.body.contains("read-only"));

    // An ordinary session token is never accepted through the URL.
    let own = app.admin_token("brand-vet").await;
    let mut other = WebSession::company(&app, "brand-vet");
    let r = other.get(&format!("/session/handoff?token={own}")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!other.has_cookie("smartdmv_session"));
}

async fn users_change_their_password_through_the_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.create_company("pw-vet").await;
    let mut web = WebSession::company(&app, "pw-vet");
    web.sign_in("admin@pw-vet.example", PASSWORD).await;
    let r = web
        .post(
            "/account/password",
            &[
                ("currentPassword", "wrong-password-9"),
                ("newPassword", "another-long-password-2"),
            ],
        )
        .await;
    r.assert_field_error("currentPassword");
    let r = web
        .post(
            "/account/password",
            &[
                ("currentPassword", PASSWORD),
                ("newPassword", "another-long-password-2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut again = WebSession::company(&app, "pw-vet");
    let r = again
        .post(
            "/login",
            &[("email", "admin@pw-vet.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    again
        .sign_in("admin@pw-vet.example", "another-long-password-2")
        .await;

    // A platform user on the platform host: the other session is signed out.
    let mut owner = WebSession::platform(&app);
    owner.sign_in(OWNER_EMAIL, PASSWORD).await;
    let r = owner.get("/account/password").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = owner
        .post(
            "/account/password",
            &[("currentPassword", PASSWORD), ("newPassword", "short")],
        )
        .await;
    r.assert_field_error("newPassword");
    let r = owner
        .post(
            "/account/password",
            &[
                ("currentPassword", PASSWORD),
                ("newPassword", "owner-long-password-3"),
            ],
        )
        .await;
    assert_eq!(r.location, "/owner", "{}", r.body);
    assert_eq!(
        owner.get("/owner").await.status,
        StatusCode::OK,
        "this session is kept"
    );
    let (s, _) = app.owner_get("/api/owner/auth/me").await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the test's API session was signed out"
    );
    let mut again = WebSession::platform(&app);
    let r = again
        .post("/login", &[("email", OWNER_EMAIL), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    again.sign_in(OWNER_EMAIL, "owner-long-password-3").await;
}

both_backends!(
    owner_signs_in_and_out_through_the_pages,
    forms_without_csrf_or_from_elsewhere_change_nothing,
    owner_creates_suspends_and_archives_a_company_through_the_pages,
    branding_colour_and_impersonation_reach_the_company_host,
    users_change_their_password_through_the_page,
);
