//! The tenant audit log: append-only, written in the same transaction as the change it
//! records.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{PracticeId, UserId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: Stamp,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    /// The id of the record of `entity` the entry is about.
    pub entity_id: Option<Uuid>,
    pub practice_id: Option<PracticeId>,
    pub before: Option<Json>,
    pub after: Option<Json>,
    pub ip: Option<String>,
}

no_relations!();

/// One audit entry to append.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub actor_id: Option<UserId>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub practice_id: Option<PracticeId>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
}

pub async fn append(db: &impl TenantConn, e: Entry<'_>) -> Result<(), DbErr> {
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
        ip: e.ip,
    };
    ActiveModel::from(m).reset_all().insert(db).await?;
    Ok(())
}

/// Every entry, oldest first.
pub async fn all(db: &impl TenantConn) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

/// Filters of [`list_page`].
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub actor_id: Option<UserId>,
    pub entity_id: Option<Uuid>,
    /// Only entries of these practices (or of none) when given.
    pub practices: Option<Vec<PracticeId>>,
    pub since: Option<Stamp>,
    pub until: Option<Stamp>,
}

/// One page of entries, newest first, before `cursor` when given.
pub async fn list_page(
    db: &impl TenantConn,
    f: &Filter,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryTrait;
    super::page_before::<Entity>(Column::Id, cursor, limit)
        .apply_if(f.entity.clone(), |q, v| q.filter(Column::Entity.eq(v)))
        .apply_if(f.action.clone(), |q, v| q.filter(Column::Action.eq(v)))
        .apply_if(f.actor_id, |q, v| q.filter(Column::ActorId.eq(v)))
        .apply_if(f.entity_id, |q, v| q.filter(Column::EntityId.eq(v)))
        .apply_if(f.practices.as_ref(), |q, ps| {
            q.filter(Column::PracticeId.is_in(ps.iter().copied()))
        })
        .apply_if(f.since, |q, t| q.filter(Column::At.gte(t)))
        .apply_if(f.until, |q, t| q.filter(Column::At.lt(t)))
        .all(db)
        .await
}
