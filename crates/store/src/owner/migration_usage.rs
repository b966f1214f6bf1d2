//! Owner migrations of usage and onboarding: monthly usage per company, the outbox of
//! platform email, email verification tokens and one-time login hand-offs of sign-up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration_kit::{bare_table, drop_index, drop_tables, index, migration, table};

migration!(
    pub(crate) CreateCompanyUsage,
    "m20261129_000201_create_company_usage"
);

impl CreateCompanyUsage {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        bare_table("company_usage")
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
            .primary_key(&["company_id", "month"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["company_usage"]).await
    }
}

migration!(
    /// Lets the owner's analytics read one month of every company without scanning the whole
    /// history (the primary key leads with the company).
    pub(crate) IndexCompanyUsageByMonth,
    "m20261129_000203_index_company_usage_by_month"
);

impl IndexCompanyUsageByMonth {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        index(m, "idx_company_usage_month", "company_usage", &["month"]).await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_index(m, "idx_company_usage_month", "company_usage").await
    }
}

migration!(
    pub(crate) CreateSignupTables,
    "m20261129_000202_create_email_outbox_and_signup_tokens"
);

impl CreateSignupTables {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("email_outbox")
            .col(uuid_null("company_id"))
            .col(string_len("kind", 50))
            .col(string_len("to_address", 254))
            .col(string_len("subject", 300))
            .col(text("body"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("sent_at"))
            .index("idx_email_outbox_unsent", &["sent_at", "created_at"])
            .create(m)
            .await?;
        for name in ["email_verifications", "login_handoffs"] {
            table(name)
                .col(uuid("company_id"))
                .col(string_len("email", 254))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .references("company_id", "companies")
                .create(m)
                .await?;
        }
        Ok(())
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(
            m,
            &["login_handoffs", "email_verifications", "email_outbox"],
        )
        .await
    }
}
