//! The `appointments` table. An appointment; `status` follows the state machine of `spec/practice.md`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub practice_id: Uuid,
    pub patient_id: Uuid,
    pub client_id: Uuid,
    pub type_id: Option<Uuid>,
    /// A user id.
    pub veterinarian_id: Option<Uuid>,
    pub room_id: Option<Uuid>,
    /// UTC.
    pub starts_at: TimeDateTimeWithTimeZone,
    /// UTC.
    pub ends_at: TimeDateTimeWithTimeZone,
    pub reason: Option<String>,
    pub status: String,
    /// Staff allowed an overlap.
    pub double_booked: bool,
    pub requested_by_client: bool,
    pub cancel_reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl ConnectionTrait, m: Model) -> Result<Model, DbErr> {
    ActiveModel::from(m).reset_all().insert(db).await
}

/// Writes every column of `m` over the stored row.
pub async fn update(db: &impl ConnectionTrait, m: Model) -> Result<Model, DbErr> {
    ActiveModel::from(m).reset_all().update(db).await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}
