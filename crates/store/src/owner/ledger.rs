//! The tenant migration ledger: one row per tenant per fleet-migration attempt.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder};
use smartdmv_domain::CompanyId;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_migration_ledger")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Uuid,
    pub run_id: Uuid,
    pub from_version: i32,
    pub to_version: i32,
    /// `RUNNING`, `SUCCEEDED` or `FAILED`.
    pub status: String,
    pub started_at: Stamp,
    pub finished_at: Option<Stamp>,
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Opens a ledger row in `RUNNING` state; a crash leaves it so, which the next run reports.
pub async fn start(
    db: &impl OwnerConn,
    run_id: Uuid,
    company: CompanyId,
    from_version: i32,
    to_version: i32,
) -> Result<Model, DbErr> {
    let m = Model {
        id: Uuid::now_v7(),
        company_id: company.0,
        run_id,
        from_version,
        to_version,
        status: "RUNNING".into(),
        started_at: crate::now(),
        finished_at: None,
        duration_ms: None,
        error: None,
    };
    ActiveModel::from(m).reset_all().insert(db).await
}

/// Closes a ledger row with its outcome.
pub async fn finish(
    db: &impl OwnerConn,
    row: Model,
    reached_version: i32,
    error: Option<String>,
) -> Result<Model, DbErr> {
    let now = crate::now();
    let ms = (now - row.started_at).as_millis() as i64;
    let mut am = ActiveModel::from(row);
    am.status = Set(if error.is_some() {
        "FAILED"
    } else {
        "SUCCEEDED"
    }
    .into());
    am.to_version = Set(reached_version);
    am.finished_at = Set(Some(now));
    am.duration_ms = Set(Some(ms));
    am.error = Set(error);
    am.update(db).await
}

/// Every ledger row of one company, oldest first.
pub async fn for_company(db: &impl OwnerConn, company: CompanyId) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CompanyId.eq(company.0))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Every ledger row of one run.
pub async fn for_run(db: &impl OwnerConn, run_id: Uuid) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::RunId.eq(run_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
