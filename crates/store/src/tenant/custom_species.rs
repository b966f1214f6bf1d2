//! The `custom_species` table. A species the company added to the built-in list.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "custom_species")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub created_at: Stamp,
}

record_rows!(&str);

/// Every custom species, by code.
pub async fn all(db: &impl TenantConn) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    Entity::find().order_by_asc(Column::Code).all(db).await
}
