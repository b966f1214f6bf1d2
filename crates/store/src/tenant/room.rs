//! The `rooms` table. A bookable room of a practice (veterinarians are users).

use crate::Stamp;
use crate::TenantConn;
use sea_orm::QueryTrait;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{PracticeId, RoomId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rooms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RoomId,
    pub practice_id: PracticeId,
    pub name: String,
    pub active: bool,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(RoomId);
find_many!(RoomId);

/// One page of rooms in creation order, after `cursor` when given. `scope` limits to rooms
/// of those practices (a practice-bound user's), `practice` to one practice; inactive rooms
/// only with `include_inactive`.
pub async fn list_page(
    db: &impl TenantConn,
    scope: Option<&[PracticeId]>,
    practice: Option<PracticeId>,
    include_inactive: bool,
    cursor: Option<RoomId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    super::page_after::<Entity>(Column::Id, cursor, limit)
        .apply_if(scope, |q, ps| {
            q.filter(Column::PracticeId.is_in(ps.iter().copied()))
        })
        .apply_if(practice, |q, p| q.filter(Column::PracticeId.eq(p)))
        .apply_if((!include_inactive).then_some(true), |q, a| {
            q.filter(Column::Active.eq(a))
        })
        .all(db)
        .await
}

/// Whether an active room of the practice other than `except` already has this name
/// (compared case-insensitively).
pub async fn name_taken(
    db: &impl TenantConn,
    practice: PracticeId,
    name: &str,
    except: Option<RoomId>,
) -> Result<bool, DbErr> {
    let rooms = Entity::find()
        .filter(Column::PracticeId.eq(practice))
        .filter(Column::Active.eq(true))
        .all(db)
        .await?;
    Ok(rooms
        .iter()
        .any(|r| Some(r.id) != except && r.name.to_lowercase() == name.to_lowercase()))
}
