//! The `clients` table. A client (pet owner) of the company.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub first_name: String,
    pub last_name: String,
    /// Lower-cased, accent-folded "last first", for sorting and search.
    pub name_key: String,
    /// Primary email (mirrors the primary email contact).
    pub email: Option<String>,
    /// Primary phone (mirrors the primary phone contact).
    pub phone: Option<String>,
    /// `{line1, line2, city, region, postalCode, country}`.
    pub address: Option<Json>,
    pub home_practice_id: Option<Uuid>,
    pub balance_cents: i64,
    /// List of alert strings.
    pub alerts: Json,
    pub notes: Option<String>,
    /// The portal account (a `CLIENT` user), when there is one.
    pub user_id: Option<Uuid>,
    pub active: bool,
    pub deactivated_at: Option<TimeDateTimeWithTimeZone>,
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

/// The client record linked to a portal user, if any.
pub async fn find_by_user(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await
}
