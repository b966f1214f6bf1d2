//! The tenant audit log: append-only, written in the same transaction as the change it
//! records.

use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: TimeDateTimeWithTimeZone,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub practice_id: Option<Uuid>,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub ip: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One audit entry to append.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_id: Option<Uuid>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub practice_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn append(db: &impl ConnectionTrait, e: Entry<'_>) -> Result<(), DbErr> {
    let m = Model {
        id: Uuid::now_v7(),
        at: crate::now(),
        actor_id: e.actor_id,
        actor: e.actor.to_owned(),
        action: e.action.to_owned(),
        entity: e.entity.to_owned(),
        entity_id: e.entity_id,
        practice_id: e.practice_id,
        before: e.before,
        after: e.after,
        ip: None,
    };
    ActiveModel::from(m).reset_all().insert(db).await?;
    Ok(())
}

/// Every entry, oldest first.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}
