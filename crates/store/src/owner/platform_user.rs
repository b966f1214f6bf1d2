//! Platform users (`OWNER`, `COMPANY_ADMIN`) and their sessions, in the owner database.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::{Condition, QueryOrder};
use smartdmv_domain::CompanyId;
use smartdmv_domain::ids::PlatformUserId;
use smartdmv_domain::platform::PlatformRole;

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "platform_users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PlatformUserId,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: PlatformRole,
    /// The one company of a `COMPANY_ADMIN`.
    pub company_id: Option<CompanyId>,
    pub active: bool,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl OwnerConn, m: Model) -> Result<Model, StoreError> {
    match ActiveModel::from(m).reset_all().insert(db).await {
        Ok(m) => Ok(m),
        Err(e) if crate::is_unique_violation(&e) => {
            Err(StoreError::Conflict("platform user email"))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_email(db: &impl OwnerConn, email: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Email.eq(email)).one(db).await
}

pub async fn find(db: &impl OwnerConn, id: PlatformUserId) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn list(db: &impl OwnerConn) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

pub mod session {
    //! `owner_sessions`: platform user sessions; only the token's SHA-256 is stored.
    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "owner_sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: smartdmv_domain::ids::PlatformUserId,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub created_at: Stamp,
        pub expires_at: Stamp,
        pub revoked_at: Option<Stamp>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub async fn insert_session(
    db: &impl OwnerConn,
    m: session::Model,
) -> Result<session::Model, DbErr> {
    session::ActiveModel::from(m).reset_all().insert(db).await
}

pub async fn find_live_session(
    db: &impl OwnerConn,
    token_hash: &str,
    now: Stamp,
) -> Result<Option<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::TokenHash.eq(token_hash))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

pub async fn revoke_session(db: &impl OwnerConn, id: Uuid) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(crate::now()))
        .filter(session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn revoke_all_sessions(
    db: &impl OwnerConn,
    user_id: PlatformUserId,
) -> Result<u64, DbErr> {
    Ok(session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(crate::now()))
        .filter(
            Condition::all()
                .add(session::Column::UserId.eq(user_id))
                .add(session::Column::RevokedAt.is_null()),
        )
        .exec(db)
        .await?
        .rows_affected)
}

/// Replaces a platform user's password hash.
pub async fn set_password(
    db: &impl OwnerConn,
    user_id: PlatformUserId,
    hash: &str,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::PasswordHash, Expr::value(hash))
        .filter(Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every live session of a user but `keep` (the one changing the password).
pub async fn revoke_other_sessions(
    db: &impl OwnerConn,
    user_id: PlatformUserId,
    keep: Uuid,
) -> Result<u64, DbErr> {
    Ok(session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(crate::now()))
        .filter(
            Condition::all()
                .add(session::Column::UserId.eq(user_id))
                .add(session::Column::Id.ne(keep))
                .add(session::Column::RevokedAt.is_null()),
        )
        .exec(db)
        .await?
        .rows_affected)
}
