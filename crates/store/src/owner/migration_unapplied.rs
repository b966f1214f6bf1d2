//! Owner migration of unapplied payments: money a provider collected that no invoice took.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct CreateUnappliedPayments;

impl MigrationName for CreateUnappliedPayments {
    fn name(&self) -> &str {
        "m20261130_000301_create_unapplied_payments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateUnappliedPayments {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("unapplied_payments")
                .col(uuid("id").primary_key())
                .col(string_len("provider", 30))
                .col(string_len("event_id", 200))
                .col(string_len("reference", 200))
                .col(big_integer("amount_cents"))
                .col(string_len("currency", 3))
                .col(uuid("invoice_id"))
                .col(string_len("invoice_number", 30))
                .col(uuid("company_id"))
                .col(string_len("reason", 30))
                .col(text("detail"))
                .col(timestamp_with_time_zone("received_at"))
                .col(string_len("state", 20))
                .col(text_null("note"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(string_len_null("resolved_by", 300))
                .foreign_key(
                    ForeignKey::create()
                        .from("unapplied_payments", "invoice_id")
                        .to("platform_invoices", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_unapplied_payments_event")
                .table("unapplied_payments")
                .col("provider")
                .col("event_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_unapplied_payments_invoice")
                .table("unapplied_payments")
                .col("invoice_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_unapplied_payments_state")
                .table("unapplied_payments")
                .col("state")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("unapplied_payments").to_owned())
            .await
    }
}
