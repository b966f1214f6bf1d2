//! The `appointment_types` table. A kind of appointment with its default length.

use crate::TenantConn;
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_types")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub duration_minutes: i32,
    /// `#rrggbb`.
    pub colour: String,
    pub active: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl TenantConn, m: Model) -> Result<Model, DbErr> {
    ActiveModel::from(m).reset_all().insert(db).await
}

/// Writes every column of `m` over the stored row.
pub async fn update(db: &impl TenantConn, m: Model) -> Result<Model, DbErr> {
    ActiveModel::from(m).reset_all().update(db).await
}

pub async fn find(db: &impl TenantConn, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// One page of appointment types in creation order, after `cursor` when given; inactive ones
/// only with `include_inactive`.
pub async fn list_page(
    db: &impl TenantConn,
    include_inactive: bool,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = Entity::find().order_by_asc(Column::Id).limit(limit);
    if !include_inactive {
        q = q.filter(Column::Active.eq(true));
    }
    if let Some(c) = cursor {
        q = q.filter(Column::Id.gt(c));
    }
    q.all(db).await
}

/// Types by id (active or not), for naming them in answers.
pub async fn find_many(db: &impl TenantConn, ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
