//! Owner migration of unapplied payments: money a provider collected that no invoice took.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration_kit::{drop_tables, migration, table};

migration!(
    pub(crate) CreateUnappliedPayments,
    "m20261130_000301_create_unapplied_payments"
);

impl CreateUnappliedPayments {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("unapplied_payments")
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
            .references("invoice_id", "platform_invoices")
            .unique_index("idx_unapplied_payments_event", &["provider", "event_id"])
            .index("idx_unapplied_payments_invoice", &["invoice_id"])
            .index("idx_unapplied_payments_state", &["state"])
            .create(m)
            .await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["unapplied_payments"]).await
    }
}
