//! The provisioning saga: a failure injected after each step leaves no active company and no
//! orphan database, and a retry completes the company.

use reqwest::StatusCode;
use serde_json::json;
use smartdmv_tenancy::provision::Step;

use crate::both_backends;
use crate::helpers::{Backend, TestApp, json};

both_backends!(failure_at_each_step_leaves_nothing_behind_and_retry_completes);

async fn failure_at_each_step_leaves_nothing_behind_and_retry_completes(b: Backend) {
    let app = TestApp::spawn(b).await;
    for (i, step) in [Step::Start, Step::Database, Step::Schema, Step::Seed]
        .into_iter()
        .enumerate()
    {
        let sub = format!("saga-{i}");
        app.state.platform.provisioner.faults.fail_once_at(step);
        let (s, e) = app.owner_post("/api/owner/companies", json!({
                    "name": format!("Saga {i}"), "subdomain": sub, "contactEmail": "o@saga.example",
                    "admin": {"email": "boss@saga.example", "name": "Boss", "password": "a-long-password-1"}
                })).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{step:?}: {e}");
        assert_eq!(e["code"], "provisioning_failed");
        assert!(
            !e["detail"].as_str().unwrap().contains("injected"),
            "internals leaked: {e}"
        );
        let id = e["companyId"].as_str().unwrap().to_owned();

        let c = app.company(&id).await;
        assert_eq!(c["status"], "FAILED", "{step:?}: {c}");
        assert!(
            c["provisioningError"]
                .as_str()
                .unwrap()
                .contains("injected")
        );
        assert!(
            !app.managed_database_exists(&id).await,
            "{step:?} left an orphan database"
        );
        let (s, body) = json(app.public_practices(&sub).await).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{step:?}: {body}");
        assert_eq!(body["code"], "company_not_ready");

        // The subdomain stays reserved for the failed company until it is retried or archived.
        let (s, _) = app
            .owner_post(
                "/api/owner/companies",
                json!({"name": "Dup", "subdomain": sub, "contactEmail": "o@saga.example"}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);

        let (s, done) = app
            .owner_action(&format!("/api/owner/companies/{id}/provision"))
            .await;
        assert_eq!(s, StatusCode::OK, "{step:?}: {done}");
        assert_eq!(done["status"], "ACTIVE");
        assert!(done["provisioningError"].is_null());
        assert!(app.managed_database_exists(&id).await);
        let (s, body) = json(app.public_practices(&sub).await).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            body["items"].as_array().unwrap().len(),
            1,
            "exactly one default practice: {body}"
        );

        // The first administrator exists exactly once, and the pending seed is gone.
        let db = app.open_tenant_db(&id).await;
        let admin = smartdmv_store::tenant::user::find_by_email(&db, "boss@saga.example")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(admin.role.as_str(), "ADMINISTRATOR");
        assert!(admin.password_hash.starts_with("$argon2id$"));
        assert_eq!(smartdmv_store::tenant::user::count(&db).await.unwrap(), 1);
        let _ = db.close().await;
        let row = smartdmv_store::owner::company::get(
            app.state.platform.owner.conn(),
            id.parse().unwrap(),
        )
        .await
        .unwrap();
        assert!(row.settings.get("pendingSeed").is_none());

        // Retrying an active company is refused.
        let (s, _) = app
            .owner_action(&format!("/api/owner/companies/{id}/provision"))
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
    assert_eq!(app.tenant_database_count().await, 4);
}
