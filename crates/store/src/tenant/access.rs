//! Custom roles, extra role assignments, practice assignments and permission overrides of
//! company users.

use crate::TenantConn;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{OverrideId, PracticeId, RoleId, UserId};

use crate::StoreError;

pub mod role {
    //! The `roles` table: custom roles, each a named set of permissions.
    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::entity::prelude::*;
    use smartdmv_domain::RoleId;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "roles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: RoleId,
        #[sea_orm(unique)]
        pub name: String,
        pub description: Option<String>,
        /// A JSON array of `resource:action` strings.
        pub permissions: Json,
        pub created_at: Stamp,
        pub updated_at: Stamp,
    }

    record_rows!(RoleId);
}

pub mod user_role {
    //! The `user_roles` table: roles held by a user beyond their primary role. `role_key` is a
    //! built-in role name or `custom:<role id>`.
    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::entity::prelude::*;
    use smartdmv_domain::UserId;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_roles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: UserId,
        pub role_key: String,
    }

    no_relations!();
}

pub mod user_practice {
    //! The `user_practices` table: practices a user works in beyond their home practice.
    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::entity::prelude::*;
    use smartdmv_domain::{PracticeId, UserId};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_practices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: UserId,
        pub practice_id: PracticeId,
    }

    no_relations!();
}

pub mod permission_override {
    //! The `permission_overrides` table: per-user grants and denies, optionally expiring.
    //! `permission` stays text: a name this binary does not know is skipped, not an error.
    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::entity::prelude::*;
    use smartdmv_domain::{OverrideId, UserId};

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "permission_overrides")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: OverrideId,
        pub user_id: UserId,
        pub permission: String,
        pub grant: bool,
        pub expires_at: Option<Stamp>,
        pub reason: Option<String>,
        pub created_by: Option<UserId>,
        pub created_at: Stamp,
    }

    no_relations!();
}

/// Everything that decides a user's access, loaded in one go.
#[derive(Debug, Clone, Default)]
pub struct UserAccessRows {
    pub role_keys: Vec<String>,
    pub practice_ids: Vec<PracticeId>,
    pub overrides: Vec<permission_override::Model>,
    /// Custom roles named by `role_keys`.
    pub custom_roles: Vec<role::Model>,
}

pub async fn load_user_access(
    db: &impl TenantConn,
    user_id: UserId,
) -> Result<UserAccessRows, DbErr> {
    let role_keys: Vec<String> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .order_by_asc(user_role::Column::RoleKey)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role_key)
        .collect();
    let custom_ids: Vec<RoleId> = role_keys
        .iter()
        .filter_map(|k| k.strip_prefix("custom:"))
        .filter_map(|s| s.parse().ok())
        .collect();
    let custom_roles = if custom_ids.is_empty() {
        Vec::new()
    } else {
        role::Entity::find()
            .filter(role::Column::Id.is_in(custom_ids))
            .all(db)
            .await?
    };
    let practice_ids = user_practice::Entity::find()
        .filter(user_practice::Column::UserId.eq(user_id))
        .order_by_asc(user_practice::Column::PracticeId)
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.practice_id)
        .collect();
    let overrides = permission_override::Entity::find()
        .filter(permission_override::Column::UserId.eq(user_id))
        .order_by_asc(permission_override::Column::Id)
        .all(db)
        .await?;
    Ok(UserAccessRows {
        role_keys,
        practice_ids,
        overrides,
        custom_roles,
    })
}

/// Replaces a user's extra roles.
pub async fn set_user_roles(
    db: &impl TenantConn,
    user_id: UserId,
    keys: &[String],
) -> Result<(), DbErr> {
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    for k in keys {
        user_role::ActiveModel::from(user_role::Model {
            id: Uuid::now_v7(),
            user_id,
            role_key: k.clone(),
        })
        .reset_all()
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Replaces a user's extra practices.
pub async fn set_user_practices(
    db: &impl TenantConn,
    user_id: UserId,
    practices: &[PracticeId],
) -> Result<(), DbErr> {
    user_practice::Entity::delete_many()
        .filter(user_practice::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    for p in practices {
        user_practice::ActiveModel::from(user_practice::Model {
            id: Uuid::now_v7(),
            user_id,
            practice_id: *p,
        })
        .reset_all()
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn insert_override(
    db: &impl TenantConn,
    m: permission_override::Model,
) -> Result<permission_override::Model, DbErr> {
    permission_override::ActiveModel::from(m)
        .reset_all()
        .insert(db)
        .await
}

pub async fn find_override(
    db: &impl TenantConn,
    user_id: UserId,
    id: OverrideId,
) -> Result<permission_override::Model, StoreError> {
    permission_override::Entity::find_by_id(id)
        .filter(permission_override::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(StoreError::NotFound("override"))
}

pub async fn delete_override(db: &impl TenantConn, id: OverrideId) -> Result<(), DbErr> {
    permission_override::Entity::delete_by_id(id)
        .exec(db)
        .await?;
    Ok(())
}

pub async fn list_roles(db: &impl TenantConn) -> Result<Vec<role::Model>, DbErr> {
    role::Entity::find()
        .order_by_asc(role::Column::Name)
        .all(db)
        .await
}

/// Deletes a custom role and every assignment of it.
pub async fn delete_role(db: &impl TenantConn, id: RoleId) -> Result<(), DbErr> {
    user_role::Entity::delete_many()
        .filter(user_role::Column::RoleKey.eq(format!("custom:{id}")))
        .exec(db)
        .await?;
    role::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Users holding a role key (built-in name or `custom:<id>`) as an extra role.
pub async fn users_with_role_key(db: &impl TenantConn, key: &str) -> Result<Vec<UserId>, DbErr> {
    Ok(user_role::Entity::find()
        .filter(user_role::Column::RoleKey.eq(key))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect())
}
