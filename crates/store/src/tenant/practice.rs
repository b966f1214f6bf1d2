//! The `practices` table: the clinics of one company.

use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "practices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// IANA time zone name, e.g. `Europe/London`.
    pub time_zone: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Opening hours per weekday: `{"mon": [["08:00","18:00"]], ...}`.
    pub opening_hours: Json,
    pub allow_client_signup: bool,
    pub is_head_office: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl ConnectionTrait, model: Model) -> Result<Model, DbErr> {
    ActiveModel::from(model).reset_all().insert(db).await
}

/// Every practice of the company, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}

/// One page of practices in creation order, after `cursor` when given.
pub async fn list_page(
    db: &impl ConnectionTrait,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QuerySelect;
    let mut q = Entity::find().order_by_asc(Column::Id).limit(limit);
    if let Some(c) = cursor {
        q = q.filter(Column::Id.gt(c));
    }
    q.all(db).await
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn update(db: &impl ConnectionTrait, m: Model) -> Result<Model, DbErr> {
    ActiveModel::from(m).reset_all().update(db).await
}
