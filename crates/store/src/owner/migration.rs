//! The owner migration set, recorded in `owner_migrations`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration_kit::{account_table, drop_tables, migration, session_table, table};

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

migration!(CreateCompanies, "m20261128_000001_create_companies");

impl CreateCompanies {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("companies")
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
            .timestamps()
            .col(timestamp_with_time_zone_null("archived_at"))
            .index("idx_companies_status", &["status"])
            .create(m)
            .await?;
        table("company_domains")
            .col(uuid("company_id"))
            .col(string_len_uniq("domain", 253))
            .col(boolean("verified"))
            .col(boolean("is_primary"))
            .col(string_len("verification_token", 64))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("verified_at"))
            .references("company_id", "companies")
            .index("idx_company_domains_company", &["company_id"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["company_domains", "companies"]).await
    }
}

migration!(
    CreatePlatformUsers,
    "m20261128_000002_create_platform_users"
);

impl CreatePlatformUsers {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        account_table("platform_users", 30, "company_id")
            .create(m)
            .await?;
        session_table("owner_sessions").create(m).await?;
        table("owner_audit_log")
            .col(timestamp_with_time_zone("at"))
            .col(string_len("actor", 300))
            .col(string_len("action", 100))
            .col(uuid_null("company_id"))
            .col(json("detail"))
            .col(string_len_null("ip", 64))
            .index("idx_owner_audit_company", &["company_id", "at"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["owner_audit_log", "owner_sessions", "platform_users"]).await
    }
}

migration!(
    CreateTenantMigrationLedger,
    "m20261128_000003_create_tenant_migration_ledger"
);

impl CreateTenantMigrationLedger {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("tenant_migration_ledger")
            .col(uuid("company_id"))
            .col(uuid("run_id"))
            .col(integer("from_version"))
            .col(integer("to_version"))
            .col(string_len("status", 20))
            .col(timestamp_with_time_zone("started_at"))
            .col(timestamp_with_time_zone_null("finished_at"))
            .col(big_integer_null("duration_ms"))
            .col(text_null("error"))
            .index("idx_ledger_company", &["company_id", "started_at"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["tenant_migration_ledger"]).await
    }
}
