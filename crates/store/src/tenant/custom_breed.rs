//! The `custom_breeds` table. A breed the company added to a species' built-in list.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "custom_breeds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub species: String,
    pub name: String,
    pub created_at: Stamp,
}

record_rows!(Uuid);

/// Every custom breed, by species and name.
pub async fn all(db: &impl TenantConn) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    Entity::find()
        .order_by_asc(Column::Species)
        .order_by_asc(Column::Name)
        .all(db)
        .await
}

/// The custom breeds of one species.
pub async fn for_species(db: &impl TenantConn, species: &str) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    Entity::find()
        .filter(Column::Species.eq(species))
        .order_by_asc(Column::Name)
        .all(db)
        .await
}
