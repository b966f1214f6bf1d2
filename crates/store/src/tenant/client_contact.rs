//! The `client_contacts` table. One phone number or email address of a client.

use crate::TenantConn;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "client_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    /// `phone` or `email`.
    pub kind: String,
    pub value: String,
    /// Digits only for phones, lower case for emails.
    pub normalized: String,
    /// home, mobile, work, billing, emergency, other.
    pub purpose: String,
    pub sms_consent: bool,
    pub email_consent: bool,
    pub is_primary: bool,
    pub created_at: TimeDateTimeWithTimeZone,
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

/// A client's contacts in the order they were given.
pub async fn for_client(db: &impl TenantConn, client_id: Uuid) -> Result<Vec<Model>, DbErr> {
    for_clients(db, &[client_id]).await
}

/// The contacts of several clients, in the order they were given.
pub async fn for_clients(db: &impl TenantConn, client_ids: &[Uuid]) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::ClientId.is_in(client_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn delete_for_client(db: &impl TenantConn, client_id: Uuid) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(())
}
