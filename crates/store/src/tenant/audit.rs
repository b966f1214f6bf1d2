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
    use sea_orm::{Condition, QuerySelect};
    let mut c = Condition::all();
    if let Some(v) = &f.entity {
        c = c.add(Column::Entity.eq(v.clone()));
    }
    if let Some(v) = &f.action {
        c = c.add(Column::Action.eq(v.clone()));
    }
    if let Some(v) = f.actor_id {
        c = c.add(Column::ActorId.eq(v));
    }
    if let Some(v) = f.entity_id {
        c = c.add(Column::EntityId.eq(v));
    }
    if let Some(ps) = &f.practices {
        c = c.add(Column::PracticeId.is_in(ps.iter().copied()));
    }
    if let Some(t) = f.since {
        c = c.add(Column::At.gte(t));
    }
    if let Some(t) = f.until {
        c = c.add(Column::At.lt(t));
    }
    if let Some(cur) = cursor {
        c = c.add(Column::Id.lt(cur));
    }
    Entity::find()
        .filter(c)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}
