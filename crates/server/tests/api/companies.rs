//! The owner companies API: create, list, show, update, archive, validation and guards.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, json, strs};

both_backends!(
    create_list_show_update_archive,
    invalid_bodies_are_refused_with_field_errors,
    taken_and_reserved_subdomains_are_refused,
    owner_routes_need_the_token_and_the_platform_host,
    malformed_requests_answer_4xx,
    explicit_database_url_is_encrypted_and_never_returned,
    non_empty_foreign_database_is_refused,
    health_and_readiness,
);

async fn create_list_show_update_archive(b: Backend) {
    let app = TestApp::spawn(b).await;
    let a = app.create_company("alpha-vet").await;
    let id = a["id"].as_str().unwrap();
    assert_eq!(a["subdomain"], "alpha-vet");
    assert_eq!(a["schemaVersion"], a["latestSchemaVersion"]);
    assert_eq!(a["database"]["managed"], true);
    assert_eq!(
        a["database"]["backend"],
        if app.backend.is_pg() {
            "postgres"
        } else {
            "sqlite"
        }
    );
    assert!(a["settings"].get("pendingSeed").is_none(), "{a}");
    app.create_company("beta-vet").await;
    app.create_company("gamma-clinic").await;

    let (s, page) = app.owner_get("/api/owner/companies?limit=2").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["nextCursor"].as_str().unwrap().to_owned();
    let (_, page2) = app
        .owner_get(&format!("/api/owner/companies?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    assert_eq!(page2["items"][0]["subdomain"], "gamma-clinic");
    assert!(page2["nextCursor"].is_null());

    let (_, q) = app.owner_get("/api/owner/companies?q=VET").await;
    let subs: Vec<&str> = strs(&q["items"], "subdomain");
    assert_eq!(subs, ["alpha-vet", "beta-vet"]);

    let (s, upd) = app
        .put_company(
            id,
            json!({"name": "Alpha Veterinary", "contactPhone": null, "status": "SUSPENDED"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{upd}");
    assert_eq!(upd["name"], "Alpha Veterinary");
    assert!(upd["contactPhone"].is_null());
    assert_eq!(upd["status"], "SUSPENDED");
    let (_, sus) = app.owner_get("/api/owner/companies?status=SUSPENDED").await;
    assert_eq!(sus["items"].as_array().unwrap().len(), 1);

    // A status the operator may not set by edit.
    let (s, e) = app.put_company(id, json!({"status": "PROVISIONING"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["errors"]["status"].is_array());

    let (s, arch) = app
        .owner_delete(&format!("/api/owner/companies/{id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(arch["status"], "ARCHIVED");
    assert!(arch["archivedAt"].is_string());
    // The database is kept.
    assert!(app.managed_database_exists(id).await);
    // Archived companies leave the default list, and their subdomain stays taken.
    let (_, all) = app.owner_get("/api/owner/companies").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let (s, _) = app
        .owner_post(
            "/api/owner/companies",
            json!({"name": "X", "subdomain": "alpha-vet", "contactEmail": "x@y.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Every change is in the owner audit log.
    let log = app.owner_audit(id, 50).await;
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "company.create",
        "company.provisioned",
        "company.status_change",
        "company.archive",
    ] {
        assert!(actions.contains(&a), "{actions:?} lacks {a}");
    }

    let (s, _) = app.owner_get("/api/owner/companies/not-a-uuid").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .owner_get(&format!("/api/owner/companies/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn invalid_bodies_are_refused_with_field_errors(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, e) = app.owner_post("/api/owner/companies", json!({"name": "", "subdomain": "Bad_Name", "contactEmail": "nope",
                          "contactPhone": "call me", "admin": {"email": "x", "name": "", "password": "short"}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["code"], "validation_failed");
    for f in [
        "name",
        "subdomain",
        "contactEmail",
        "contactPhone",
        "admin.email",
        "admin.name",
        "admin.password",
    ] {
        assert!(e["errors"][f].is_array(), "{f} missing in {e}");
    }
    // Nothing was registered or created.
    let (_, list) = app.owner_get("/api/owner/companies").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.tenant_database_count().await, 0);
}

async fn taken_and_reserved_subdomains_are_refused(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.create_company("abc-vet").await;
    let (s, e) = app
        .owner_post(
            "/api/owner/companies",
            json!({"name": "Other", "subdomain": "abc-vet", "contactEmail": "o@x.example"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["code"], "subdomain_taken");
    for bad in [
        "www", "api", "owner", "admin", "ab", "-abc", "abc-", "a.b.c", "ABC",
    ] {
        let (s, e) = app
            .owner_post(
                "/api/owner/companies",
                json!({"name": "N", "subdomain": bad, "contactEmail": "o@x.example"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        assert!(e["errors"]["subdomain"].is_array(), "{bad}: {e}");
    }
    assert_eq!(app.tenant_database_count().await, 1);
}

async fn owner_routes_need_the_token_and_the_platform_host(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = app.create_company("guarded").await;
    let r = app
        .platform(Method::GET, "/api/owner/companies")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .platform_send("wrong-token", Method::GET, "/api/owner/companies", None)
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, body) = app
        .tenant_get("guarded", &app.owner_token, "/api/owner/companies")
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "owner API must not answer on a company host"
    );
    assert!(!body.to_string().contains(c["id"].as_str().unwrap()));
    let r = app
        .platform(Method::POST, "/api/owner/companies")
        .json(&json!({"name": "N", "subdomain": "sneaky", "contactEmail": "o@x.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.tenant_database_count().await, 1);
}

async fn malformed_requests_answer_4xx(b: Backend) {
    let app = TestApp::spawn(b).await;
    let post = || app.owner(Method::POST, "/api/owner/companies");
    let r = post()
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = post()
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, e) = json(
        post()
            .json(&json!({"name": "N", "subdomain": "abc-vet", "contactEmail": "o@x.example", "colour": "red"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["detail"].as_str().unwrap().contains("colour"), "{e}");
    let (s, _) = json(post().json(&json!({"name": 5})).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let big = "x".repeat(2 * 1024 * 1024);
    // The server answers 413 before reading the whole body and closes the connection; a
    // client of its own keeps that closed connection out of the shared pool.
    let once = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let r = once
        .post(format!("http://{}/api/owner/companies", app.addr))
        .header("host", format!("localhost:{}", app.addr.port()))
        .bearer_auth(&app.owner_token)
        .json(&json!({"name": big, "subdomain": "abc-vet", "contactEmail": "o@x.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let c = app.create_company("shape-test").await;
    let (s, e) = app
        .owner_put(
            &format!("/api/owner/companies/{}", c["id"].as_str().unwrap()),
            json!({"status": "HIBERNATING"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["detail"].as_str().unwrap().contains("HIBERNATING"), "{e}");
    for q in [
        "limit=0",
        "limit=201",
        "limit=abc",
        "status=NOPE",
        "cursor=zzz",
    ] {
        let (s, _) = app.owner_get(&format!("/api/owner/companies?{q}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}");
    }
    let r = app
        .owner_send(Method::PATCH, "/api/owner/companies", None)
        .await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let r = app.owner_send(Method::GET, "/api/nothing-here", None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

/// An operator-supplied database: adopted when empty, its URL sealed at rest.
async fn explicit_database_url_is_encrypted_and_never_returned(b: Backend) {
    let app = TestApp::spawn(b.clone()).await;
    let (url, secret_part) = match &b {
        Backend::Sqlite => {
            let path = app.data_dir.path().join("byo-secret-name.db");
            std::fs::File::create(&path).unwrap();
            (
                format!("sqlite://{}", path.display()),
                "byo-secret-name".to_owned(),
            )
        }
        Backend::Postgres(server) => {
            let name = format!("{}byo", app.prefix);
            app.pg_exec(&format!("CREATE DATABASE \"{name}\"")).await;
            // Trust authentication ignores the password, so it only has to stay hidden.
            let with_pw = server.replacen("://postgres@", "://postgres:s3cret-pw-42@", 1);
            assert_ne!(
                &with_pw, server,
                "test URL must have the form postgres://postgres@host"
            );
            (format!("{with_pw}/{name}"), "s3cret-pw-42".to_owned())
        }
    };
    let r = app.owner_send(Method::POST, "/api/owner/companies", Some(json!({"name": "Byo", "subdomain": "byo-db", "contactEmail": "o@byo.example", "databaseUrl": url}))).await;
    let (s, c) = json(r).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["database"]["managed"], false);
    let id = c["id"].as_str().unwrap();
    let shown = app.company(id).await.to_string() + &c.to_string();
    let listed = app
        .owner_send(Method::GET, "/api/owner/companies", None)
        .await
        .text()
        .await
        .unwrap();
    if b.is_pg() {
        assert!(!shown.contains(&secret_part) && !listed.contains(&secret_part));
    }
    let row =
        smartdmv_store::owner::company::get(app.state.platform.owner.conn(), id.parse().unwrap())
            .await
            .unwrap();
    let sealed = row.db_url_enc.unwrap();
    assert!(!sealed.contains(&secret_part), "stored in clear: {sealed}");
    assert!(!sealed.contains("postgres://") && !sealed.contains("sqlite://"));
    // It serves.
    let r = app.public_practices("byo-db").await;
    assert_eq!(r.status(), StatusCode::OK);
    // Archiving never drops an operator's database.
    app.owner_send(Method::DELETE, &format!("/api/owner/companies/{id}"), None)
        .await;
    match &b {
        Backend::Sqlite => assert!(app.data_dir.path().join("byo-secret-name.db").exists()),
        Backend::Postgres(_) => {
            let n = app
                .pg_scalar(&format!(
                    "SELECT count(*) FROM pg_database WHERE datname = '{}byo'",
                    app.prefix
                ))
                .await;
            assert_eq!(n, 1);
        }
    }
}

async fn non_empty_foreign_database_is_refused(b: Backend) {
    let app = TestApp::spawn(b.clone()).await;
    // A database that already holds a table of its own.
    let (loc, url, table) = match &b {
        Backend::Sqlite => {
            let path = app.data_dir.path().join("legacy.db");
            std::fs::File::create(&path).unwrap();
            (
                smartdmv_tenancy::TenantLocation::Sqlite { path: path.clone() },
                format!("sqlite://{}", path.display()),
                "CREATE TABLE pets (id INTEGER PRIMARY KEY)",
            )
        }
        Backend::Postgres(server) => {
            let name = format!("{}legacy", app.prefix);
            app.pg_exec(&format!("CREATE DATABASE \"{name}\"")).await;
            let url = format!("{server}/{name}");
            (
                smartdmv_tenancy::TenantLocation::from_url(&url).unwrap(),
                url,
                "CREATE TABLE pets (id int PRIMARY KEY)",
            )
        }
    };
    let db = loc
        .connect(1, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(&db, table)
        .await
        .unwrap();
    let _ = db.close().await;
    let (s, e) = app.owner_post("/api/owner/companies", json!({"name": "Legacy", "subdomain": "legacy", "contactEmail": "o@l.example", "databaseUrl": url})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["errors"]["databaseUrl"].is_array());
    let (_, list) = app.owner_get("/api/owner/companies").await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "no row for a refused company"
    );
    let (s, _) = app
        .owner_post(
            "/api/owner/companies",
            json!({"name": "Bad", "subdomain": "bad-url", "contactEmail": "o@l.example",
                          "databaseUrl": "mysql://somewhere/db"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn health_and_readiness(b: Backend) {
    let app = TestApp::spawn(b).await;
    for host in ["localhost", "whatever.localhost", "unknown.example"] {
        let r = app
            .host(host, Method::GET, "/healthz")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (s, v) = json(app.host(host, Method::GET, "/readyz").send().await.unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["status"], "ready");
    }
    let r = app.platform(Method::GET, "/healthz").send().await.unwrap();
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

both_backends!(company_admins_neither_verify_domains_nor_touch_another_companys);

/// Verifying a domain is the operator's attestation; a COMPANY_ADMIN adds and removes their
/// own company's domains only (another company's answer 404 and stay).
async fn company_admins_neither_verify_domains_nor_touch_another_companys(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mine = app.create_company("dom-mine").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.create_company("dom-other").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let add = |company: String, domain: &'static str| {
        let r = app
            .owner(
                Method::POST,
                &format!("/api/owner/companies/{company}/domains"),
            )
            .json(&json!({ "domain": domain }));
        async move {
            let (s, d) = json(r.send().await.unwrap()).await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            d["id"].as_str().unwrap().to_owned()
        }
    };
    let my_domain = add(mine.clone(), "dom-mine.example").await;
    let other_domain = add(other.clone(), "dom-other.example").await;
    let ca = crate::plans::company_admin(&app, &mine, "ca@dom-mine.example").await;
    let call = |m: Method, path: String| {
        let r = app.platform(m, &path).bearer_auth(&ca);
        async move { r.send().await.unwrap().status() }
    };
    let verify = |c: &str, d: &str| format!("/api/owner/companies/{c}/domains/{d}/verify");
    let domain = |c: &str, d: &str| format!("/api/owner/companies/{c}/domains/{d}");

    assert_eq!(
        call(Method::POST, verify(&mine, &my_domain)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(Method::POST, verify(&other, &other_domain)).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(Method::DELETE, domain(&other, &other_domain)).await,
        StatusCode::NOT_FOUND
    );
    let domains = |c: &str| {
        let r = app.owner(Method::GET, &format!("/api/owner/companies/{c}/domains"));
        async move { json(r.send().await.unwrap()).await.1["items"].clone() }
    };
    let theirs = domains(&other).await;
    assert_eq!(theirs.as_array().unwrap().len(), 1, "{theirs}");
    let own = domains(&mine).await;
    assert_eq!(own[0]["verified"], false, "{own}");
    // Their own domain: they may remove it.
    assert_eq!(
        call(Method::DELETE, domain(&mine, &my_domain)).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(domains(&mine).await, json!([]));
}
