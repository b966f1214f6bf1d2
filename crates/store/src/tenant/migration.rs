//! The tenant migration set, recorded in `tenant_migrations` inside every company database.
//! A tenant's schema version is the number of migrations applied to it.

use sea_orm::{ConnectionTrait, DbErr};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Migrates one company database.
pub struct TenantMigrator;

#[async_trait::async_trait]
impl MigratorTrait for TenantMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreatePracticesAndUsers),
            Box::new(CreateSessionsAndAudit),
            Box::new(CreateRolesAndAccess),
        ]
    }

    fn migration_table_name() -> DynIden {
        "tenant_migrations".into_iden()
    }
}

impl TenantMigrator {
    /// The schema version this binary writes: every migration it knows.
    pub fn latest_version() -> i32 {
        Self::migrations().len() as i32
    }

    /// The oldest schema version this binary can still serve. Migrations are additive, so a
    /// tenant one version behind keeps working while the fleet migrator catches up.
    pub fn oldest_servable_version() -> i32 {
        Ord::max(Self::latest_version() - 1, 1)
    }

    /// The version a database is at, read from its `tenant_migrations` table (0 when it has
    /// none). Fails when the database records migrations this binary does not know.
    pub async fn current_version(db: &impl ConnectionTrait) -> Result<i32, DbErr> {
        let applied = Self::get_applied_migrations(db).await?;
        let known: Vec<String> = Self::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        for (i, m) in applied.iter().enumerate() {
            if known.get(i).map(String::as_str) != Some(m.name()) {
                return Err(DbErr::Custom(format!(
                    "database has migration {} which this binary does not know at position {}",
                    m.name(),
                    i + 1
                )));
            }
        }
        Ok(applied.len() as i32)
    }
}

struct CreatePracticesAndUsers;

impl MigrationName for CreatePracticesAndUsers {
    fn name(&self) -> &str {
        "m20261128_000001_create_practices_and_users"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreatePracticesAndUsers {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("practices")
                .col(uuid("id").primary_key())
                .col(string_len("name", 200))
                .col(text_null("address"))
                .col(string_len_null("phone", 40))
                .col(string_len_null("email", 254))
                .col(string_len("time_zone", 64))
                .col(string_len("currency", 3))
                .col(json("opening_hours"))
                .col(boolean("allow_client_signup"))
                .col(boolean("is_head_office"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("users")
                .col(uuid("id").primary_key())
                .col(string_len_uniq("email", 254))
                .col(string_len("name", 200))
                .col(text("password_hash"))
                .col(string_len("role", 40))
                .col(uuid_null("practice_id"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("users").to_owned())
            .await?;
        m.drop_table(Table::drop().table("practices").to_owned())
            .await
    }
}

struct CreateSessionsAndAudit;

impl MigrationName for CreateSessionsAndAudit {
    fn name(&self) -> &str {
        "m20261128_000002_create_sessions_and_audit"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateSessionsAndAudit {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sessions")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(uuid("id").primary_key())
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len("actor", 300))
                .col(string_len("action", 100))
                .col(string_len("entity", 60))
                .col(uuid_null("entity_id"))
                .col(uuid_null("practice_id"))
                .col(json_null("before"))
                .col(json_null("after"))
                .col(string_len_null("ip", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_entity")
                .table("audit_log")
                .col("entity")
                .col("entity_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_log").to_owned())
            .await?;
        m.drop_table(Table::drop().table("sessions").to_owned())
            .await
    }
}

struct CreateRolesAndAccess;

impl MigrationName for CreateRolesAndAccess {
    fn name(&self) -> &str {
        "m20261128_000003_create_roles_and_access"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateRolesAndAccess {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("roles")
                .col(uuid("id").primary_key())
                .col(string_len_uniq("name", 100))
                .col(text_null("description"))
                .col(json("permissions"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("user_roles")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(string_len("role_key", 80))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_user_roles_unique")
                .table("user_roles")
                .col("user_id")
                .col("role_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("user_practices")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(uuid("practice_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_user_practices_unique")
                .table("user_practices")
                .col("user_id")
                .col("practice_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("permission_overrides")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(string_len("permission", 80))
                .col(boolean("grant"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(text_null("reason"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_overrides_user")
                .table("permission_overrides")
                .col("user_id")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sessions")
                .add_column(string_len_null("impersonator", 300))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sessions")
                .add_column(boolean("read_only").default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(string_len_null("invitation_hash", 64))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(timestamp_with_time_zone_null("invitation_expires_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_sessions_user")
                .table("sessions")
                .col("user_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_sessions_user")
                .table("sessions")
                .to_owned(),
        )
        .await?;
        for col in ["invitation_expires_at", "invitation_hash"] {
            m.alter_table(Table::alter().table("users").drop_column(col).to_owned())
                .await?;
        }
        for col in ["read_only", "impersonator"] {
            m.alter_table(Table::alter().table("sessions").drop_column(col).to_owned())
                .await?;
        }
        for t in [
            "permission_overrides",
            "user_practices",
            "user_roles",
            "roles",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
