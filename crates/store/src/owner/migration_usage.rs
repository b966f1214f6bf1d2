//! Owner migrations of usage and onboarding: monthly usage per company, the outbox of
//! platform email, email verification tokens and one-time login hand-offs of sign-up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct CreateCompanyUsage;

impl MigrationName for CreateCompanyUsage {
    fn name(&self) -> &str {
        "m20261129_000201_create_company_usage"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateCompanyUsage {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("company_usage")
                .col(uuid("company_id"))
                .col(string_len("month", 7))
                .col(big_integer("active_users").default(0))
                .col(big_integer("practices").default(0))
                .col(big_integer("clients").default(0))
                .col(big_integer("patients").default(0))
                .col(big_integer("appointments").default(0))
                .col(big_integer("storage_bytes").default(0))
                .col(big_integer("api_calls").default(0))
                .col(timestamp_with_time_zone_null("gauges_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("company_id").col("month"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("company_usage").to_owned())
            .await
    }
}

/// Lets the owner's analytics read one month of every company without scanning the whole
/// history (the primary key leads with the company).
pub(crate) struct IndexCompanyUsageByMonth;

impl MigrationName for IndexCompanyUsageByMonth {
    fn name(&self) -> &str {
        "m20261129_000203_index_company_usage_by_month"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IndexCompanyUsageByMonth {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_company_usage_month")
                .table("company_usage")
                .col("month")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_company_usage_month")
                .table("company_usage")
                .to_owned(),
        )
        .await
    }
}

pub(crate) struct CreateSignupTables;

impl MigrationName for CreateSignupTables {
    fn name(&self) -> &str {
        "m20261129_000202_create_email_outbox_and_signup_tokens"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateSignupTables {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("email_outbox")
                .col(uuid("id").primary_key())
                .col(uuid_null("company_id"))
                .col(string_len("kind", 50))
                .col(string_len("to_address", 254))
                .col(string_len("subject", 300))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_email_outbox_unsent")
                .table("email_outbox")
                .col("sent_at")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        for table in ["email_verifications", "login_handoffs"] {
            m.create_table(
                Table::create()
                    .table(table)
                    .col(uuid("id").primary_key())
                    .col(uuid("company_id"))
                    .col(string_len("email", 254))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from(table, "company_id")
                            .to("companies", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["login_handoffs", "email_verifications", "email_outbox"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
