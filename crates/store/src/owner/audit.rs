//! The owner audit log: append-only record of what platform operators and the platform
//! itself did to companies.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};
use smartdmv_domain::CompanyId;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "owner_audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: Stamp,
    /// Who: `operator`, `cli`, `system`, or later a platform user id.
    pub actor: String,
    /// What happened, e.g. `company.create`, `company.suspend`.
    pub action: String,
    pub company_id: Option<CompanyId>,
    pub detail: Json,
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One audit entry to append.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub company: Option<CompanyId>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
}

pub async fn append(db: &impl OwnerConn, e: Entry<'_>) -> Result<(), DbErr> {
    let m = Model {
        id: Uuid::now_v7(),
        at: crate::now(),
        actor: e.actor.to_owned(),
        action: e.action.to_owned(),
        company_id: e.company,
        detail: e.detail,
        ip: e.ip,
    };
    ActiveModel::from(m).reset_all().insert(db).await?;
    Ok(())
}

/// The newest entries about one company, newest first.
pub async fn for_company(
    db: &impl OwnerConn,
    company: CompanyId,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CompanyId.eq(company))
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}
