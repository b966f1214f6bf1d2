//! `smartdmv migrate tenants`: brings every tenant to the latest schema, records each in the
//! ledger, and goes on past a tenant that fails.

use reqwest::{Method, StatusCode};
use sea_orm_migration::MigratorTrait;
use smartdmv_domain::CompanyId;
use smartdmv_store::owner::{company, ledger};
use smartdmv_store::tenant::TenantMigrator;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(fleet_migration_brings_tenants_current_and_reports_failures);

async fn fleet_migration_brings_tenants_current_and_reports_failures(b: Backend) {
    let app = TestApp::spawn(b.clone()).await;
    let latest = TenantMigrator::latest_version();
    let mut ids = Vec::new();
    for s in ["fleet-a", "fleet-b", "fleet-c"] {
        ids.push(
            app.create_company(s).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let owner = app.state.platform.owner.conn();

    // A no-op run opens nothing and records nothing.
    let out = app.cli(&["migrate", "tenants"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("0 migrated, 3 already current, 0 failed"),
        "{text}"
    );

    // Put a and b one version behind, as a binary upgrade would find them.
    for id in &ids[..2] {
        let db = app.open_tenant_db(id).await;
        TenantMigrator::down(db.raw(), Some(1)).await.unwrap();
        assert_eq!(
            TenantMigrator::current_version(&db).await.unwrap(),
            latest - 1
        );
        let _ = db.close().await;
        company::set_schema_version(owner, id.parse().unwrap(), latest - 1)
            .await
            .unwrap();
    }
    // And make b's database unreachable.
    let b_id: CompanyId = ids[1].parse().unwrap();
    let moved = match &b {
        Backend::Sqlite => {
            let smartdmv_tenancy::TenantLocation::Sqlite { path } = app.location(&ids[1]).await
            else {
                panic!()
            };
            let to = path.with_extension("away");
            std::fs::rename(&path, &to).unwrap();
            Some((path, to))
        }
        Backend::Postgres(_) => {
            let name = app.state.platform.provisioner.managed_db_name(b_id);
            app.pg_exec(&format!(
                "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false"
            ))
            .await;
            None
        }
    };

    let out = app.cli(&["migrate", "tenants", "--concurrency", "2"]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success(),
        "a failed tenant must fail the command"
    );
    assert!(
        stdout.contains("1 migrated, 1 already current, 1 failed"),
        "{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("fleet-b") && stderr.contains("FAILED"),
        "{stderr}"
    );

    // a is current, in the owner database and in its own.
    let a = company::get(owner, ids[0].parse().unwrap()).await.unwrap();
    assert_eq!(a.schema_version, latest);
    let db = app.open_tenant_db(&ids[0]).await;
    assert_eq!(TenantMigrator::current_version(&db).await.unwrap(), latest);
    let _ = db.close().await;
    let rows = ledger::for_company(owner, a.id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "SUCCEEDED");
    assert_eq!(
        (rows[0].from_version, rows[0].to_version),
        (latest - 1, latest)
    );
    assert!(rows[0].duration_ms.is_some());

    // b failed, is recorded so, and is still behind.
    let brow = company::get(owner, b_id).await.unwrap();
    assert_eq!(brow.schema_version, latest - 1);
    let rows = ledger::for_company(owner, b_id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "FAILED");
    assert!(rows[0].error.as_deref().is_some_and(|e| !e.is_empty()));
    // c was never touched.
    assert!(
        ledger::for_company(owner, ids[2].parse().unwrap())
            .await
            .unwrap()
            .is_empty()
    );

    // While b is one version behind it is still served (migrations are additive): public
    // routes read only what every version has, and a route that needs the newer schema
    // answers 503 `tenant_upgrading` (never a 500) until b is migrated.
    match moved {
        Some((path, to)) => std::fs::rename(to, path).unwrap(),
        None => {
            let name = app.state.platform.provisioner.managed_db_name(b_id);
            app.pg_exec(&format!(
                "ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true"
            ))
            .await;
        }
    }
    app.state.platform.resolver.invalidate();
    let r = app.public_practices("fleet-b").await;
    assert_eq!(r.status(), StatusCode::OK);
    let admin_b = app.admin_token("fleet-b").await;
    // `/api/visits/{id}` reads the medical record, which the latest migration (6) adds.
    let r = app
        .send(
            "fleet-b",
            &admin_b,
            Method::GET,
            &format!("/api/visits/{}", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "5");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "tenant_upgrading", "{body}");

    // The next run picks b up.
    let out = app.cli(&["migrate", "tenants"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 migrated, 2 already current, 0 failed")
    );
    assert_eq!(
        company::get(owner, b_id).await.unwrap().schema_version,
        latest
    );
    let rows = ledger::for_company(owner, b_id).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
        ["FAILED", "SUCCEEDED"]
    );
    app.state.platform.resolver.invalidate();
    for path in ["/api/practices", "/api/search?q=rex"] {
        let r = app.send("fleet-b", &admin_b, Method::GET, path, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
}
