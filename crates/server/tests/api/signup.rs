//! Self-service sign-up end to end: the company on a trial of its plan, the hand-off that
//! lands the administrator signed in, email verification through the outbox (once), what an
//! unverified administrator may do, refused input with nothing created, and throttling.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, Options, PASSWORD, TestApp, json};
use crate::plans::{create_plan, plan_body};

both_backends!(
    a_signup_lands_its_administrator_in_a_trial_company,
    bad_signups_are_refused_and_create_nothing,
    signups_are_throttled_per_address,
);

fn form(subdomain: &str, email: &str, plan: &Value) -> Value {
    json!({"companyName": format!("Company {subdomain}"), "subdomain": subdomain,
           "email": email, "name": "Founding Vet", "password": PASSWORD, "plan": plan["id"]})
}

async fn sign_up(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    json(
        app.platform(Method::POST, "/api/signup")
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn handoff(app: &TestApp, sub: &str, token: &str) -> reqwest::Response {
    app.tenant(sub, Method::POST, "/api/auth/handoff")
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap()
}

/// The messages queued for an address.
async fn outbox(app: &TestApp, to: &str) -> Vec<smartdmv_store::owner::outbox::Model> {
    smartdmv_store::owner::outbox::to_address(app.state.platform.owner.conn(), to, 10)
        .await
        .unwrap()
}

async fn a_signup_lands_its_administrator_in_a_trial_company(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(
        &app,
        plan_body("Starter", 1900, &["client_portal"], Some(1), Some(5)),
    )
    .await;
    let other = app.create_company("other-vet").await;
    let (s, v) = sign_up(&app, &form("fresh-vet", "Founder@Fresh.Example", &plan)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["companyId"].as_str().unwrap().to_owned();
    let port = app.addr.port();
    assert_eq!(v["url"], format!("http://fresh-vet.localhost:{port}"));
    assert_eq!(v["status"], "TRIAL", "{v}");
    assert_eq!(v["plan"], plan["id"]);
    assert_eq!(v["emailVerified"], false);
    let token = v["handoff"]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        v["handoff"]["redeemUrl"],
        format!("http://fresh-vet.localhost:{port}/api/auth/handoff")
    );

    // The owner sees it on a trial of the plan.
    let c = app.company(&id).await;
    assert_eq!(
        (c["status"].as_str(), c["plan"].as_str()),
        (Some("TRIAL"), plan["id"].as_str())
    );
    assert_eq!(c["settings"]["signup"]["verifiedAt"], Value::Null);
    let (s, sub) = app
        .owner_get(&format!("/api/owner/companies/{id}/subscription"))
        .await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    assert_eq!(sub["status"], "TRIALING", "{sub}");

    // The hand-off works on the company's host only, once.
    assert_eq!(
        handoff(&app, "other-vet", &token).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = handoff(&app, "fresh-vet", &token).await;
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let landed: Value = r.json().await.unwrap();
    let session = landed["token"].as_str().unwrap().to_owned();
    assert_eq!(
        handoff(&app, "fresh-vet", &token).await.status(),
        StatusCode::NOT_FOUND
    );
    let (s, me) = app.tenant_get("fresh-vet", &session, "/api/auth/me").await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(
        (me["email"].as_str(), me["role"].as_str()),
        (Some("founder@fresh.example"), Some("ADMINISTRATOR"))
    );
    assert_eq!(me["emailVerified"], false);
    assert_eq!(
        me["features"],
        json!(["client_portal"]),
        "the plan's features"
    );
    // The administrator can also sign in with the password chosen at sign-up.
    let admin = app
        .login("fresh-vet", "founder@fresh.example", PASSWORD)
        .await;

    // Unverified: working is fine, adding users is not.
    let (s, v) = app
        .tenant_post(
            "fresh-vet",
            &admin,
            "/api/clients",
            json!({"firstName": "Ada", "lastName": "Early"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let new_vet = json!({"email": "vet@fresh.example", "name": "Vet", "password": PASSWORD, "role": "VETERINARIAN"});
    let (s, v) = app
        .tenant_post("fresh-vet", &admin, "/api/users", new_vet.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(v["code"], "email_unverified");

    // The verification message waits in the outbox with a link on the company's host.
    let mail = outbox(&app, "founder@fresh.example").await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].kind, "email_verification");
    assert_eq!(mail[0].company_id.map(|c| c.to_string()), Some(id.clone()));
    let prefix = format!("http://fresh-vet.localhost:{port}/signup/verify?token=");
    let at = mail[0].body.find(&prefix).expect("a verification link");
    let link_token: String = mail[0].body[at + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    assert_eq!(link_token.len(), 43);
    let verify = |sub: &str| {
        app.tenant(
            sub,
            Method::GET,
            &format!("/api/signup/verify?token={link_token}"),
        )
        .send()
    };
    let (s, _) = json(verify("other-vet").await.unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another company's host");
    let (s, v) = json(verify("fresh-vet").await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["emailVerified"].as_bool(), v["email"].as_str()),
        (Some(true), Some("founder@fresh.example"))
    );
    let (s, v) = json(verify("fresh-vet").await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT, "the link works once: {v}");
    assert_eq!(v["code"], "token_used");
    let (s, v) = json(
        app.platform(Method::POST, "/api/signup/verify?token=not-a-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");

    let (_, me) = app.tenant_get("fresh-vet", &admin, "/api/auth/me").await;
    assert_eq!(me["emailVerified"], true);
    let (s, v) = app
        .tenant_post("fresh-vet", &admin, "/api/users", new_vet)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Companies created by an operator have nothing to verify.
    let other_admin = app.admin_token("other-vet").await;
    let (_, me) = app
        .tenant_get("other-vet", &other_admin, "/api/auth/me")
        .await;
    assert_eq!(me["emailVerified"], true);
    let _ = other;
}

async fn bad_signups_are_refused_and_create_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let plan = create_plan(&app, plan_body("Starter", 1900, &[], None, None)).await;
    let retired = create_plan(&app, plan_body("Old", 900, &[], None, None)).await;
    let (s, v) = app
        .patch_plan(retired["id"].as_str().unwrap(), json!({"active": false}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    app.create_company("taken-vet").await;
    let companies_before = app.tenant_database_count().await;
    let good = form("new-vet", "new@new.example", &plan);
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("companyName", json!("  ")), 422, "companyName"),
        (with("subdomain", json!("admin")), 422, "subdomain"),
        (with("subdomain", json!("Bad_Name")), 422, "subdomain"),
        (with("email", json!("not-an-email")), 422, "email"),
        (with("name", json!("")), 422, "name"),
        (with("password", json!("short")), 422, "password"),
        (with("plan", json!("")), 422, "plan"),
        (
            with("plan", json!(uuid::Uuid::now_v7().to_string())),
            422,
            "plan",
        ),
        (with("plan", retired["id"].clone()), 422, "plan"),
        (with("subdomain", json!("taken-vet")), 409, ""),
    ];
    for (body, status, field) in cases {
        let (s, v) = sign_up(&app, &body).await;
        assert_eq!(s.as_u16(), status, "{body}: {v}");
        if !field.is_empty() {
            assert!(v["errors"][field].is_array(), "{field} named: {v}");
        }
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("plan");
    let (s, v) = sign_up(&app, &missing).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Sign-up lives on the platform host only.
    let r = app
        .tenant("taken-vet", Method::POST, "/api/signup")
        .json(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    assert_eq!(app.tenant_database_count().await, companies_before);
    let (_, list) = app.owner_get("/api/owner/companies").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert!(outbox(&app, "new@new.example").await.is_empty());
    // The same form, corrected, goes through.
    let (s, v) = sign_up(&app, &good).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

async fn signups_are_throttled_per_address(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            signups_per_address_per_hour: Some(1),
            ..Options::default()
        },
    )
    .await;
    let plan = create_plan(&app, plan_body("Starter", 1900, &[], None, None)).await;
    // Refused input does not use up the address's allowance.
    let (s, _) = sign_up(&app, &form("one-vet", "bad-email", &plan)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = sign_up(&app, &form("one-vet", "one@one.example", &plan)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let r = app
        .platform(Method::POST, "/api/signup")
        .json(&form("two-vet", "two@two.example", &plan))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "too_many_signups");
    let (_, list) = app.owner_get("/api/owner/companies").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}
