//! The owner migration set, recorded in `owner_migrations`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Migrates the owner database.
pub struct OwnerMigrator;

#[async_trait::async_trait]
impl MigratorTrait for OwnerMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateCompanies),
            Box::new(CreatePlatformUsers),
            Box::new(CreateTenantMigrationLedger),
            Box::new(super::migration_billing::CreatePlans),
            Box::new(super::migration_billing::CreateBilling),
            Box::new(super::migration_usage::CreateCompanyUsage),
            Box::new(super::migration_usage::CreateSignupTables),
            Box::new(super::migration_usage::IndexCompanyUsageByMonth),
            Box::new(super::migration_unapplied::CreateUnappliedPayments),
        ]
    }

    fn migration_table_name() -> DynIden {
        "owner_migrations".into_iden()
    }
}

struct CreateCompanies;

impl MigrationName for CreateCompanies {
    fn name(&self) -> &str {
        "m20261128_000001_create_companies"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateCompanies {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("companies")
                .col(uuid("id").primary_key())
                .col(string_len("name", 200))
                .col(string_len_uniq("subdomain", 63))
                .col(string_len("contact_email", 254))
                .col(string_len_null("contact_phone", 40))
                .col(string_len("status", 20))
                .col(string_len_null("plan", 100))
                .col(json("settings"))
                .col(string_len("db_backend", 20))
                .col(string_len_null("db_server", 300))
                .col(string_len("db_name", 300))
                .col(text_null("db_url_enc"))
                .col(integer("schema_version"))
                .col(text_null("provision_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("archived_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_companies_status")
                .table("companies")
                .col("status")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("company_domains")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(string_len_uniq("domain", 253))
                .col(boolean("verified"))
                .col(boolean("is_primary"))
                .col(string_len("verification_token", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("verified_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("company_domains", "company_id")
                        .to("companies", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_company_domains_company")
                .table("company_domains")
                .col("company_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("company_domains").to_owned())
            .await?;
        m.drop_table(Table::drop().table("companies").to_owned())
            .await
    }
}

struct CreatePlatformUsers;

impl MigrationName for CreatePlatformUsers {
    fn name(&self) -> &str {
        "m20261128_000002_create_platform_users"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreatePlatformUsers {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("platform_users")
                .col(uuid("id").primary_key())
                .col(string_len_uniq("email", 254))
                .col(string_len("name", 200))
                .col(text("password_hash"))
                .col(string_len("role", 30))
                .col(uuid_null("company_id"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("owner_sessions")
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
                .table("owner_audit_log")
                .col(uuid("id").primary_key())
                .col(timestamp_with_time_zone("at"))
                .col(string_len("actor", 300))
                .col(string_len("action", 100))
                .col(uuid_null("company_id"))
                .col(json("detail"))
                .col(string_len_null("ip", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_owner_audit_company")
                .table("owner_audit_log")
                .col("company_id")
                .col("at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["owner_audit_log", "owner_sessions", "platform_users"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

struct CreateTenantMigrationLedger;

impl MigrationName for CreateTenantMigrationLedger {
    fn name(&self) -> &str {
        "m20261128_000003_create_tenant_migration_ledger"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateTenantMigrationLedger {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tenant_migration_ledger")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("run_id"))
                .col(integer("from_version"))
                .col(integer("to_version"))
                .col(string_len("status", 20))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(big_integer_null("duration_ms"))
                .col(text_null("error"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_ledger_company")
                .table("tenant_migration_ledger")
                .col("company_id")
                .col("started_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("tenant_migration_ledger").to_owned())
            .await
    }
}
