//! The `company_domains` table: custom domains of companies. Only verified domains route
//! requests.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::CompanyId;
use smartdmv_domain::ids::DomainId;

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "company_domains")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DomainId,
    pub company_id: CompanyId,
    #[sea_orm(unique)]
    pub domain: String,
    pub verified: bool,
    pub is_primary: bool,
    pub verification_token: String,
    pub created_at: Stamp,
    pub verified_at: Option<Stamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl OwnerConn, model: Model) -> Result<Model, StoreError> {
    match ActiveModel::from(model).reset_all().insert(db).await {
        Ok(m) => Ok(m),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Conflict("domain")),
        Err(e) => Err(e.into()),
    }
}

pub async fn list_for(db: &impl OwnerConn, company: CompanyId) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CompanyId.eq(company))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn find_by_domain(db: &impl OwnerConn, domain: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Domain.eq(domain))
        .one(db)
        .await
}

pub async fn find_for(
    db: &impl OwnerConn,
    company: CompanyId,
    id: DomainId,
) -> Result<Model, StoreError> {
    Entity::find_by_id(id)
        .filter(Column::CompanyId.eq(company))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("domain"))
}

pub async fn mark_verified(db: &impl OwnerConn, model: Model) -> Result<Model, DbErr> {
    let mut am = ActiveModel::from(model);
    am.verified = sea_orm::ActiveValue::Set(true);
    am.verified_at = sea_orm::ActiveValue::Set(Some(crate::now()));
    am.update(db).await
}

pub async fn delete(db: &impl OwnerConn, company: CompanyId, id: DomainId) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::CompanyId.eq(company))
        .exec(db)
        .await?
        .rows_affected)
}
