//! The fleet migrator: brings every tenant database to this binary's schema version.
//!
//! Which tenants need work is read from the owner database (each company records its schema
//! version), so a no-op run opens no tenant database. Tenants run in parallel within a
//! bound; each attempt is recorded in the ledger with its versions, duration and error; a
//! failing tenant is reported and the run goes on. An interrupted run leaves `RUNNING`
//! ledger rows and old versions behind, and the next run simply picks those tenants up.

use sea_orm_migration::MigratorTrait;
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_store::owner::{company, ledger};
use smartdmv_store::tenant::TenantMigrator;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::{Tenancy, TenancyError};

/// Options of one fleet run.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Tenants migrated at once.
    pub concurrency: usize,
    /// Only this company.
    pub only: Option<CompanyId>,
    /// Open every tenant and check its recorded version, even when the ledger says it is
    /// up to date.
    pub verify_all: bool,
}

impl Default for FleetOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            only: None,
            verify_all: false,
        }
    }
}

/// The outcome for one tenant.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantOutcome {
    pub company_id: CompanyId,
    pub subdomain: String,
    pub from_version: i32,
    pub to_version: i32,
    pub error: Option<String>,
}

/// What a fleet run did.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetReport {
    pub run_id: Uuid,
    pub target_version: i32,
    /// Tenants already at the target version and not opened.
    pub up_to_date: usize,
    pub migrated: Vec<TenantOutcome>,
    pub failed: Vec<TenantOutcome>,
}

/// Statuses whose databases exist and are kept current.
const MIGRATED_STATUSES: [CompanyStatus; 5] = [
    CompanyStatus::Trial,
    CompanyStatus::Active,
    CompanyStatus::PastDue,
    CompanyStatus::Suspended,
    CompanyStatus::Maintenance,
];

/// Runs the fleet migration. `progress` is called after each tenant with (done, total).
pub async fn migrate_fleet(
    p: &Tenancy,
    opts: &FleetOptions,
    progress: impl Fn(usize, usize, &TenantOutcome) + Send + Sync + 'static,
) -> Result<FleetReport, TenancyError> {
    let target = TenantMigrator::latest_version();
    let run_id = Uuid::now_v7();
    let mut companies = company::list_with_status(p.owner.conn(), &MIGRATED_STATUSES).await?;
    if let Some(only) = opts.only {
        companies.retain(|c| c.id == only);
    }
    let total_known = companies.len();
    let todo: Vec<company::Model> = companies
        .into_iter()
        .filter(|c| opts.verify_all || c.schema_version < target)
        .collect();
    let up_to_date = total_known - todo.len();
    let total = todo.len();

    let sem = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let progress = Arc::new(progress);
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut set = tokio::task::JoinSet::new();
    for c in todo {
        let p = p.clone();
        let sem = sem.clone();
        let progress = progress.clone();
        let done = done.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let outcome = migrate_one(&p, run_id, &c, target).await;
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, total, &outcome);
            outcome
        });
    }
    let mut report = FleetReport {
        run_id,
        target_version: target,
        up_to_date,
        migrated: Vec::new(),
        failed: Vec::new(),
    };
    while let Some(res) = set.join_next().await {
        let outcome = res.map_err(|e| TenancyError::Internal(e.to_string()))?;
        if outcome.error.is_some() {
            report.failed.push(outcome);
        } else {
            report.migrated.push(outcome);
        }
    }
    report.migrated.sort_by_key(|o| o.company_id);
    report.failed.sort_by_key(|o| o.company_id);
    Ok(report)
}

async fn migrate_one(p: &Tenancy, run_id: Uuid, c: &company::Model, target: i32) -> TenantOutcome {
    let id = c.id;
    let mut outcome = TenantOutcome {
        company_id: id,
        subdomain: c.subdomain.clone(),
        from_version: c.schema_version,
        to_version: c.schema_version,
        error: None,
    };
    let row = match ledger::start(p.owner.conn(), run_id, id, c.schema_version, target).await {
        Ok(r) => r,
        Err(e) => {
            outcome.error = Some(format!("ledger: {e}"));
            return outcome;
        }
    };
    let result = async {
        let loc = p.provisioner.location_of(c)?;
        let db = tokio::time::timeout(
            Duration::from_secs(15),
            loc.connect(1, Duration::from_secs(10)),
        )
        .await
        .map_err(|_| TenancyError::Unavailable)??;
        let r = async {
            TenantMigrator::up(&db, None).await?;
            Ok::<_, TenancyError>(TenantMigrator::current_version(&db).await?)
        }
        .await;
        let _ = db.close().await;
        r
    }
    .await;
    match result {
        Ok(v) => {
            outcome.to_version = v;
            if let Err(e) = company::set_schema_version(p.owner.conn(), id, v).await {
                outcome.error = Some(format!("recording version: {e}"));
            }
        }
        Err(e) => outcome.error = Some(e.to_string().lines().next().unwrap_or("").to_owned()),
    }
    let _ = ledger::finish(
        p.owner.conn(),
        row,
        outcome.to_version,
        outcome.error.clone(),
    )
    .await;
    if outcome.error.is_none() && outcome.to_version != outcome.from_version {
        p.resolver.invalidate();
    }
    outcome
}
