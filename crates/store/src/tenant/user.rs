//! The `users` table: staff and client logins of one company.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::Condition;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{ExprTrait, Func, LikeExpr};

use crate::StoreError;
use smartdmv_domain::{PracticeId, TenantRole, UserId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UserId,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: String,
    /// The primary built-in role; more roles live in `user_roles`.
    pub role: TenantRole,
    /// The home practice; more practices live in `user_practices`.
    pub practice_id: Option<PracticeId>,
    pub active: bool,
    pub created_at: Stamp,
    pub updated_at: Stamp,
    /// SHA-256 of a pending invitation token.
    pub invitation_hash: Option<String>,
    pub invitation_expires_at: Option<Stamp>,
}

no_relations!();

pub async fn insert(db: &impl TenantConn, model: Model) -> Result<Model, StoreError> {
    match ActiveModel::from(model).reset_all().insert(db).await {
        Ok(m) => Ok(m),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Conflict("user email")),
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_email(db: &impl TenantConn, email: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Email.eq(email)).one(db).await
}

pub async fn find(db: &impl TenantConn, id: UserId) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn find_by_invitation(db: &impl TenantConn, hash: &str) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::InvitationHash.eq(hash))
        .one(db)
        .await
}

pub async fn count(db: &impl TenantConn) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}

/// Saves every field of a user and bumps `updated_at`.
pub async fn update(db: &impl TenantConn, mut model: Model) -> Result<Model, StoreError> {
    model.updated_at = crate::now();
    match ActiveModel::from(model).reset_all().update(db).await {
        Ok(m) => Ok(m),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Conflict("user email")),
        Err(DbErr::RecordNotUpdated) => Err(StoreError::NotFound("user")),
        Err(e) => Err(e.into()),
    }
}

/// One page of users in creation order; `practices` limits to users whose home practice is
/// one of them (or who are assigned to one, passed as `also_ids`); `search` to users whose
/// name or email contains it (ignoring case).
pub async fn list_page(
    db: &impl TenantConn,
    practices: Option<&[PracticeId]>,
    also_ids: &[UserId],
    search: Option<&str>,
    cursor: Option<UserId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = super::page_after::<Entity>(Column::Id, cursor, limit);
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = format!("%{}%", like_escape(&s.to_lowercase()));
        let like = |c: Column| {
            Expr::expr(Func::lower(Expr::col(c))).like(LikeExpr::new(pattern.as_str()).escape('\\'))
        };
        q = q.filter(
            Condition::any()
                .add(like(Column::Email))
                .add(like(Column::Name)),
        );
    }
    if let Some(ps) = practices {
        q = q.filter(
            Condition::any()
                .add(Column::PracticeId.is_in(ps.iter().copied()))
                .add(Column::Id.is_in(also_ids.iter().copied())),
        );
    }
    q.all(db).await
}

/// Ids of users assigned (beyond their home practice) to one of `practices`.
pub async fn assigned_to(
    db: &impl TenantConn,
    practices: &[PracticeId],
) -> Result<Vec<UserId>, DbErr> {
    use crate::tenant::access::user_practice;
    Ok(user_practice::Entity::find()
        .filter(user_practice::Column::PracticeId.is_in(practices.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect())
}

/// Escapes the `LIKE` wildcards of a search term (with `\\` as the escape character).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
