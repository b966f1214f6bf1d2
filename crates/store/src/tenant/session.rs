//! Company user sessions, stored server-side; the token itself is never stored, only its
//! SHA-256.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Condition};
use smartdmv_domain::{SessionId, UserId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SessionId,
    pub user_id: UserId,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: Stamp,
    pub expires_at: Stamp,
    pub revoked_at: Option<Stamp>,
    /// Set on sessions a platform operator opened by impersonation: who and why.
    pub impersonator: Option<String>,
    pub read_only: bool,
}

no_relations!();

pub async fn insert(db: &impl TenantConn, m: Model) -> Result<Model, DbErr> {
    ActiveModel::from(m).reset_all().insert(db).await
}

/// The live (not revoked, not expired) session with this token hash.
pub async fn find_live(
    db: &impl TenantConn,
    token_hash: &str,
    now: Stamp,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::TokenHash.eq(token_hash))
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

pub async fn revoke(db: &impl TenantConn, id: SessionId) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(crate::now()))
        .filter(Column::Id.eq(id))
        .filter(Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every live session of a user, except `keep` when given; returns how many.
pub async fn revoke_all_for_user(
    db: &impl TenantConn,
    user_id: UserId,
    keep: Option<SessionId>,
) -> Result<u64, DbErr> {
    let mut cond = Condition::all()
        .add(Column::UserId.eq(user_id))
        .add(Column::RevokedAt.is_null());
    if let Some(k) = keep {
        cond = cond.add(Column::Id.ne(k));
    }
    let res = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(crate::now()))
        .filter(cond)
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Moves a session's expiry (sliding sessions).
pub async fn extend(db: &impl TenantConn, m: Model, expires_at: Stamp) -> Result<(), DbErr> {
    let mut am = ActiveModel::from(m);
    am.expires_at = Set(expires_at);
    am.update(db).await?;
    Ok(())
}
