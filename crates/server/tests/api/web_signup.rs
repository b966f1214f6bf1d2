//! Sign-up through the pages: the form on the platform host creates a company on a trial of
//! the chosen plan and lands its administrator signed in on the company's host; the
//! hand-off works on that host only; the verification link asks before it verifies and
//! works once; refused input shows beside its field and creates nothing.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestApp};
use crate::plans::{create_plan, plan_body};
use crate::web::WebSession;

both_backends!(
    a_visitor_signs_up_and_lands_as_the_administrator,
    a_handoff_of_one_company_is_refused_on_another,
    the_verification_link_asks_before_it_verifies,
    refused_signups_show_errors_beside_their_fields,
);

fn fields<'a>(sub: &'a str, email: &'a str, plan: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("companyName", "Form Made Vets"),
        ("subdomain", sub),
        ("email", email),
        ("name", "Founding Vet"),
        ("password", PASSWORD),
        ("plan", plan),
    ]
}

/// Signs up through the form; answers the redirect's path and query on the company host.
async fn sign_up(app: &TestApp, sub: &str, email: &str, plan: &str) -> String {
    let mut web = WebSession::platform(app);
    let r = web.get("/signup").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = web.post("/signup", &fields(sub, email, plan)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let origin = format!("http://{sub}.localhost:{}", app.addr.port());
    let path = r
        .location
        .strip_prefix(&origin)
        .unwrap_or_else(|| panic!("a redirect to {origin}: {}", r.location));
    assert!(path.starts_with("/signup/welcome?token="), "{path}");
    path.to_owned()
}

async fn companies(app: &TestApp) -> Vec<Value> {
    let (_, list) = app.owner_get("/api/owner/companies").await;
    list["items"].as_array().unwrap().clone()
}

async fn a_visitor_signs_up_and_lands_as_the_administrator(b: Backend) {
    let app = TestApp::spawn(b).await;
    let _basic = create_plan(&app, plan_body("Basic", 4900, &[], None, None)).await;
    let pro = create_plan(&app, plan_body("Pro", 14900, &[], None, None)).await;
    let pro_id = pro["id"].as_str().unwrap();

    // The platform's sign-in page offers the trial; a company's does not.
    let mut visitor = WebSession::platform(&app);
    let r = visitor.get("/login").await;
    assert!(
        r.has("<a href=\"/signup\">Start a free trial</a>"),
        "{}",
        r.body
    );
    app.create_company("plain-vet").await;
    let r = WebSession::company(&app, "plain-vet").get("/login").await;
    assert!(!r.has("/signup"), "{}", r.body);

    // `?plan=` preselects the plan; every active plan is offered with its price.
    let r = visitor.get(&format!("/signup?plan={pro_id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.has(&format!(
            "<option value=\"{pro_id}\" selected>Pro: USD 149.00 a month</option>"
        )),
        "{}",
        r.body
    );
    assert!(r.has("Basic: USD 49.00 a month</option>"));
    assert!(r.has("name=\"_csrf\""), "the form carries the CSRF field");

    let welcome = sign_up(&app, "form-vet", "Founder@Form.Example", pro_id).await;
    let c = companies(&app)
        .await
        .into_iter()
        .find(|c| c["subdomain"] == "form-vet")
        .expect("the company was created");
    assert_eq!(c["status"], "TRIAL");
    assert_eq!(c["plan"], pro["id"]);
    let (s, sub) = app
        .owner_get(&format!(
            "/api/owner/companies/{}/subscription",
            c["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    assert_eq!(sub["status"], "TRIALING");

    // The hand-off signs the administrator in on the company's host.
    let mut admin = WebSession::company(&app, "form-vet");
    let r = admin.get(&welcome).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location, "/administrator");
    assert!(admin.has_cookie("smartdmv_session"));
    let r = admin.get("/administrator").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.has("Founding Vet"), "the signed-in user is shown");
    assert!(r.has("your company is ready"), "the welcome flash");
    assert!(
        r.has("id=\"notice\">Please verify your email address"),
        "the unverified banner: {}",
        r.body
    );
    // The link works once: a second visit lands on the sign-in page, signed out.
    let mut again = WebSession::company(&app, "form-vet");
    let r = again.get(&welcome).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/login");
    assert!(!again.has_cookie("smartdmv_session"));
    let r = again.get("/login").await;
    assert!(r.has("This sign-in link has expired"), "{}", r.body);
    // The password chosen in the form signs in too.
    again.sign_in("founder@form.example", PASSWORD).await;
    assert!(again.has_cookie("smartdmv_session"));

    // Sign-up is the platform host's; the landing is a company host's.
    let r = WebSession::company(&app, "form-vet").get("/signup").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = WebSession::platform(&app).get(&welcome).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn a_handoff_of_one_company_is_refused_on_another(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(&app, plan_body("Starter", 1900, &[], None, None)).await;
    app.create_company("other-vet").await;
    let welcome = sign_up(
        &app,
        "first-vet",
        "first@first.example",
        plan["id"].as_str().unwrap(),
    )
    .await;

    // Company B's host refuses company A's token and sets no session.
    let mut elsewhere = WebSession::company(&app, "other-vet");
    let r = elsewhere.get(&welcome).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/login");
    assert!(!elsewhere.has_cookie("smartdmv_session"));
    let r = elsewhere.get("/administrator").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "still signed out");
    assert!(r.location.starts_with("/login"), "{}", r.location);

    // The refusal did not use the token up: it still works on its own host.
    let mut home = WebSession::company(&app, "first-vet");
    let r = home.get(&welcome).await;
    assert_eq!(r.location, "/administrator");
    let r = home.get("/administrator").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // And that session is company A's only.
    home.on_host("other-vet");
    let r = home.get("/administrator").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// The token of the verification link queued for `to`, checking the link's address.
async fn verification_token(app: &TestApp, sub: &str, to: &str) -> String {
    let mail = smartdmv_store::owner::outbox::to_address(app.state.platform.owner.conn(), to, 10)
        .await
        .unwrap();
    assert_eq!(mail.len(), 1);
    let prefix = format!(
        "http://{sub}.localhost:{}/signup/verify?token=",
        app.addr.port()
    );
    let at = mail[0].body.find(&prefix).expect("a link to the page");
    mail[0].body[at + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

async fn the_verification_link_asks_before_it_verifies(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(&app, plan_body("Starter", 1900, &[], None, None)).await;
    app.create_company("other-vet").await;
    let welcome = sign_up(
        &app,
        "check-vet",
        "check@check.example",
        plan["id"].as_str().unwrap(),
    )
    .await;
    let mut admin = WebSession::company(&app, "check-vet");
    admin.get(&welcome).await;
    let token = verification_token(&app, "check-vet", "check@check.example").await;
    let link = format!("/signup/verify?token={token}");

    // Opening the link (as a mail scanner would) verifies nothing: it asks.
    let mut reader = WebSession::company(&app, "check-vet");
    for _ in 0..2 {
        let r = reader.get(&link).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.has("Confirm my address"), "{}", r.body);
        assert!(r.has(&format!("name=\"token\" value=\"{token}\"")));
    }
    let r = admin.get("/administrator").await;
    assert!(r.has("id=\"notice\""), "still unverified");
    let r = reader.get("/signup/verify").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.has("role=\"alert\""), "{}", r.body);

    // A confirmation without the CSRF field, or on another company's host, changes nothing.
    let r = reader
        .post_without_csrf("/signup/verify", &[("token", &token)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut other = WebSession::company(&app, "other-vet");
    let r = other.post("/signup/verify", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.has("id=\"verify-error\""), "{}", r.body);
    assert!(r.has("not valid here"), "{}", r.body);

    let r = reader.post("/signup/verify", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.has("check@check.example is verified"),
        "the outcome: {}",
        r.body
    );
    // The banner is gone; adding users is allowed now.
    let r = admin.get("/administrator").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.has("id=\"notice\""), "{}", r.body);

    // The link works once; an unknown token is refused too.
    let r = reader.post("/signup/verify", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.has("This verification link was already used."),
        "{}",
        r.body
    );
    let r = reader
        .post("/signup/verify", &[("token", "not-a-real-token")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(r.has("role=\"alert\""));
}

async fn refused_signups_show_errors_beside_their_fields(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(&app, plan_body("Starter", 1900, &[], None, None)).await;
    let plan_id = plan["id"].as_str().unwrap();
    app.create_company("taken-vet").await;
    let mut web = WebSession::platform(&app);
    web.get("/signup").await;

    let mut bad = fields("Bad Name!", "founder@bad.example", plan_id);
    bad[4] = ("password", "short-pw");
    let r = web.post("/signup", &bad).await;
    r.assert_field_error("subdomain");
    assert!(r.has("id=\"f-password-error\""), "{}", r.body);
    assert!(r.has("role=\"alert\""));
    assert!(r.has("value=\"Form Made Vets\""), "entered values are kept");
    assert!(r.has("value=\"founder@bad.example\""));
    assert!(
        r.has(&format!("<option value=\"{plan_id}\" selected>")),
        "the plan stays chosen"
    );
    assert!(!r.has("short-pw"), "the password is never shown again");

    let r = web
        .post("/signup", &fields("new-vet", "founder@new.example", ""))
        .await;
    r.assert_field_error("plan");
    assert!(!r.has(PASSWORD));

    let r = web
        .post(
            "/signup",
            &fields("taken-vet", "founder@new.example", plan_id),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.has("<span class=\"error\" id=\"f-subdomain-error\">subdomain taken-vet is already taken</span>"),
        "{}",
        r.body
    );

    // A form without its CSRF field, or from another site, is refused.
    let good = fields("new-vet", "founder@new.example", plan_id);
    let r = web.post_without_csrf("/signup", &good).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = web.post_from("http://evil.example", "/signup", &good).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    assert_eq!(companies(&app).await.len(), 1, "nothing was created");
    assert!(
        smartdmv_store::owner::outbox::to_address(
            app.state.platform.owner.conn(),
            "founder@new.example",
            10
        )
        .await
        .unwrap()
        .is_empty()
    );
    // The same form, corrected, goes through.
    let r = web.post("/signup", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
