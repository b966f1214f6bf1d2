//! Resolving the company of a request: unknown, suspended, archived and unready companies
//! answer as specified and reach no database, not even the default company's.

use reqwest::{Method, StatusCode};
use serde_json::json;
use smartdmv_domain::{CompanyId, CompanyStatus};

use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp, json};

both_backends!(
    unservable_companies_never_reach_a_database,
    requests_without_context_use_the_default_company_or_are_refused,
    verified_custom_domains_route_and_unverified_do_not,
);

async fn unservable_companies_never_reach_a_database(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            default_company: Some("fallback".into()),
            ..Options::default()
        },
    )
    .await;
    let fallback = app.create_company("fallback").await;
    let fallback_id: CompanyId = fallback["id"].as_str().unwrap().parse().unwrap();
    let sus = app.create_company("paused-vet").await;
    let sus_id = sus["id"].as_str().unwrap();
    let gone = app.create_company("gone-vet").await;
    let gone_id = gone["id"].as_str().unwrap();
    let busy = app.create_company("busy-vet").await;
    let busy_id: CompanyId = busy["id"].as_str().unwrap().parse().unwrap();

    // Serve them once so their pools are live, then change their state.
    for s in ["paused-vet", "gone-vet"] {
        let r = app.public_practices(s).await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let (s, _) = app
        .owner_put(
            &format!("/api/owner/companies/{sus_id}"),
            json!({"status": "SUSPENDED"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .owner_delete(&format!("/api/owner/companies/{gone_id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    smartdmv_store::owner::company::set_status(
        app.state.platform.owner.conn(),
        busy_id,
        CompanyStatus::Provisioning,
        None,
    )
    .await
    .unwrap();
    app.state.platform.resolver.invalidate();

    let registry = &app.state.platform.registry;
    assert!(
        !registry.is_live(sus_id.parse().unwrap()),
        "suspending must retire the pool"
    );
    assert!(
        !registry.is_live(gone_id.parse().unwrap()),
        "archiving must retire the pool"
    );
    let opens_before = registry.metrics().opens;
    let port = app.addr.port();
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            app.tenant("nobody-here", Method::GET, "/api/public/practices"),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.host(
                &format!("a.b.localhost:{port}"),
                Method::GET,
                "/api/public/practices",
            ),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.host(
                "unknown-clinic.example",
                Method::GET,
                "/api/public/practices",
            ),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.host("bad_host.localhost", Method::GET, "/api/public/practices"),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.platform(Method::GET, "/api/public/practices")
                .header("x-company-id", CompanyId::new().to_string()),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.platform(Method::GET, "/api/public/practices")
                .header("x-company-id", "not-a-uuid"),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.tenant("paused-vet", Method::GET, "/api/public/practices"),
            StatusCode::FORBIDDEN,
            "company_suspended",
        ),
        (
            app.platform(Method::GET, "/api/public/practices")
                .header("x-company-id", sus_id),
            StatusCode::FORBIDDEN,
            "company_suspended",
        ),
        (
            app.tenant("gone-vet", Method::GET, "/api/public/practices"),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.platform(Method::GET, "/api/public/practices")
                .header("x-company-id", gone_id),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
        (
            app.tenant("busy-vet", Method::GET, "/api/public/practices"),
            StatusCode::SERVICE_UNAVAILABLE,
            "company_not_ready",
        ),
        // Tenant writes are refused the same way, credentials or not.
        (
            app.tenant("paused-vet", Method::POST, "/api/practices")
                .bearer_auth("t.00000000000000000000000000000000.x")
                .json(&json!({"name": "x"})),
            StatusCode::FORBIDDEN,
            "company_suspended",
        ),
        (
            app.tenant("nobody-here", Method::POST, "/api/practices")
                .bearer_auth("t.00000000000000000000000000000000.x")
                .json(&json!({"name": "x"})),
            StatusCode::NOT_FOUND,
            "unknown_company",
        ),
    ];
    for (i, (req, status, code)) in cases.into_iter().enumerate() {
        let r = req.send().await.unwrap();
        let retry_after = r.headers().get("retry-after").cloned();
        let (s, body) = json(r).await;
        assert_eq!(s, status, "case {i}: {body}");
        assert_eq!(body["code"], code, "case {i}: {body}");
        assert!(
            !body.to_string().contains("Company fallback"),
            "case {i} fell back: {body}"
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(retry_after.is_some(), "case {i}: 503 without Retry-After");
        }
    }
    let m = registry.metrics();
    assert_eq!(
        m.opens, opens_before,
        "a refused request opened a tenant database"
    );
    assert!(
        !registry.is_live(fallback_id),
        "a refused request reached the default company"
    );
    assert!(!registry.is_live(sus_id.parse().unwrap()));
    assert!(!registry.is_live(busy_id));

    // Reactivation serves again at once (the change clears the resolver cache).
    let (s, _) = app
        .owner_put(
            &format!("/api/owner/companies/{sus_id}"),
            json!({"status": "ACTIVE"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = json(app.public_practices("paused-vet").await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.to_string().contains("Company paused-vet"));
}

async fn requests_without_context_use_the_default_company_or_are_refused(b: Backend) {
    // No default company configured: tenant routes need a company.
    let app = TestApp::spawn(b.clone()).await;
    app.create_company("only-one").await;
    let (s, e) = json(
        app.platform(Method::GET, "/api/public/practices")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["code"], "tenant_required");
    let (s, _) = json(
        app.host("127.0.0.1", Method::GET, "/api/public/practices")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    drop(app);

    // With a default company, context-free requests go to it, and only those.
    let app = TestApp::spawn_with(
        b,
        Options {
            default_company: Some("main-clinic".into()),
            ..Options::default()
        },
    )
    .await;
    app.create_company("main-clinic").await;
    app.create_company("other-clinic").await;
    for req in [
        app.platform(Method::GET, "/api/public/practices"),
        app.host("127.0.0.1", Method::GET, "/api/public/practices"),
    ] {
        let (s, body) = json(req.send().await.unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.to_string().contains("Company main-clinic"), "{body}");
    }
    let (s, body) = json(app.public_practices("other-clinic").await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!body.to_string().contains("Company main-clinic"));
}

async fn verified_custom_domains_route_and_unverified_do_not(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.create_company("domain-vet").await;
    let id = c["id"].as_str().unwrap();
    let (s, d) = app
        .owner_post(
            &format!("/api/owner/companies/{id}/domains"),
            json!({"domain": "Domain-Vet.example."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["domain"], "domain-vet.example");
    assert_eq!(d["verified"], false);
    let domain_id = d["id"].as_str().unwrap();
    let r = app
        .host("domain-vet.example", Method::GET, "/api/public/practices")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "an unverified domain must not route"
    );

    let (s, _) = app
        .owner_action(&format!(
            "/api/owner/companies/{id}/domains/{domain_id}/verify"
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = json(
        app.host(
            "DOMAIN-VET.example:443",
            Method::GET,
            "/api/public/practices",
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.to_string().contains("Company domain-vet"));

    // Platform subdomains cannot be claimed, nor can another company's domain.
    for bad in ["x.localhost", "localhost", "not a domain"] {
        let (s, _) = app
            .owner_post(
                &format!("/api/owner/companies/{id}/domains"),
                json!({"domain": bad}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let other = app.create_company("other-vet").await;
    let (s, e) = app
        .owner_post(
            &format!(
                "/api/owner/companies/{}/domains",
                other["id"].as_str().unwrap()
            ),
            json!({"domain": "domain-vet.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["code"], "domain_taken");

    let (s, _) = app
        .owner_delete(&format!("/api/owner/companies/{id}/domains/{domain_id}"))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let r = app
        .host("domain-vet.example", Method::GET, "/api/public/practices")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
