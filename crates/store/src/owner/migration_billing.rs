//! Owner migrations of plans, subscriptions and platform billing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration_kit::{bare_table, drop_tables, migration, table};

migration!(pub(crate) CreatePlans, "m20261129_000101_create_plans");

impl CreatePlans {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("plans")
            .col(string_len_uniq("name", 100))
            .col(string_len("interval", 10))
            .col(big_integer("price_cents"))
            .col(string_len("currency", 3))
            .col(json("features"))
            .col(big_integer_null("max_practices"))
            .col(big_integer_null("max_users"))
            .col(big_integer_null("storage_bytes"))
            .col(big_integer_null("api_calls_per_month"))
            .col(boolean("active"))
            .timestamps()
            .create(m)
            .await?;
        // `companies.plan` now holds a plan id. Values written before plans existed were free
        // text naming no plan: each moves to `settings.legacyPlan`, kept for the operator,
        // and the company has no plan (nothing restricts it) until one is chosen.
        let db = m.get_connection();
        let rows = db
            .query_all(
                Query::select()
                    .columns(["id", "plan", "settings"])
                    .from("companies")
                    .and_where(Expr::col("plan").is_not_null()),
            )
            .await?;
        for r in rows {
            let id: sea_orm::prelude::Uuid = r.try_get("", "id")?;
            let plan: String = r.try_get("", "plan")?;
            let mut settings: serde_json::Value = r.try_get("", "settings")?;
            if let Some(o) = settings.as_object_mut() {
                o.insert("legacyPlan".into(), plan.into());
            }
            db.execute(
                Query::update()
                    .table("companies")
                    .value("plan", Option::<String>::None)
                    .value("settings", settings)
                    .and_where(Expr::col("id").eq(id)),
            )
            .await?;
        }
        Ok(())
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(m, &["plans"]).await
    }
}

migration!(pub(crate) CreateBilling, "m20261129_000102_create_billing");

impl CreateBilling {
    async fn apply(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        table("subscriptions")
            .col(uuid_uniq("company_id"))
            .col(uuid("plan_id"))
            .col(string_len("status", 20))
            .col(timestamp_with_time_zone("anchor"))
            .col(timestamp_with_time_zone("current_period_start"))
            .col(timestamp_with_time_zone("current_period_end"))
            .col(timestamp_with_time_zone_null("trial_end"))
            .col(boolean("cancel_at_period_end"))
            .col(timestamp_with_time_zone_null("canceled_at"))
            .col(string_len_null("cancel_reason", 30))
            .col(uuid_null("pending_plan_id"))
            .col(timestamp_with_time_zone_null("past_due_since"))
            .col(timestamp_with_time_zone_null("suspended_at"))
            .col(string_len_null("billing_email", 254))
            .col(string_len_null("billing_name", 200))
            .col(text_null("billing_address"))
            .col(string_len_null("tax_id", 50))
            .col(integer("version"))
            .timestamps()
            .references("company_id", "companies")
            .references("plan_id", "plans")
            .index(
                "idx_subscriptions_status_end",
                &["status", "current_period_end"],
            )
            .create(m)
            .await?;
        table("subscription_events")
            .col(uuid("company_id"))
            .col(uuid("subscription_id"))
            .col(timestamp_with_time_zone("at"))
            .col(string_len_null("from_status", 20))
            .col(string_len("to_status", 20))
            .col(uuid("plan_id"))
            .col(string_len("reason", 60))
            .col(string_len("actor", 300))
            .index("idx_subscription_events_company", &["company_id", "at"])
            .create(m)
            .await?;
        create_invoices(m).await?;
        create_payments(m).await
    }

    async fn revert(m: &SchemaManager<'_>) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "billing_webhook_events",
                "platform_payments",
                "billing_counters",
                "platform_credit_notes",
                "platform_invoice_lines",
                "platform_invoices",
                "subscription_events",
                "subscriptions",
            ],
        )
        .await
    }
}

async fn create_invoices(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    table("platform_invoices")
        .col(string_len_uniq("number", 30))
        .col(uuid("company_id"))
        .col(uuid_null("subscription_id"))
        .col(string_len("reason", 30))
        .col(string_len("status", 20))
        .col(string_len("currency", 3))
        .col(big_integer("subtotal_cents"))
        .col(integer("tax_rate_bp"))
        .col(big_integer("tax_cents"))
        .col(big_integer("total_cents"))
        .col(big_integer("amount_paid_cents"))
        .col(timestamp_with_time_zone_null("period_start"))
        .col(timestamp_with_time_zone_null("period_end"))
        .col(timestamp_with_time_zone("issued_at"))
        .col(timestamp_with_time_zone("due_at"))
        .col(timestamp_with_time_zone_null("paid_at"))
        .col(timestamp_with_time_zone_null("voided_at"))
        .col(timestamp_with_time_zone("created_at"))
        .references("company_id", "companies")
        .index(
            "idx_platform_invoices_company",
            &["company_id", "issued_at"],
        )
        .index("idx_platform_invoices_status_due", &["status", "due_at"])
        .create(m)
        .await?;
    table("platform_invoice_lines")
        .col(uuid("invoice_id"))
        .col(integer("position"))
        .col(string_len("kind", 30))
        .col(string_len("description", 300))
        .col(uuid_null("plan_id"))
        .col(timestamp_with_time_zone_null("period_start"))
        .col(timestamp_with_time_zone_null("period_end"))
        .col(big_integer("amount_cents"))
        .references("invoice_id", "platform_invoices")
        .index(
            "idx_platform_invoice_lines_invoice",
            &["invoice_id", "position"],
        )
        .create(m)
        .await?;
    table("platform_credit_notes")
        .col(string_len_uniq("number", 30))
        .col(uuid_uniq("invoice_id"))
        .col(uuid("company_id"))
        .col(string_len("currency", 3))
        .col(big_integer("subtotal_cents"))
        .col(big_integer("tax_cents"))
        .col(big_integer("total_cents"))
        .col(text("reason"))
        .col(string_len("issued_by", 300))
        .col(timestamp_with_time_zone("issued_at"))
        .references("invoice_id", "platform_invoices")
        .create(m)
        .await?;
    bare_table("billing_counters")
        .col(string_len("series", 10))
        .col(integer("year"))
        .col(big_integer("last"))
        .primary_key(&["series", "year"])
        .create(m)
        .await
}

async fn create_payments(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    table("platform_payments")
        .col(uuid("invoice_id"))
        .col(uuid("company_id"))
        .col(string_len("provider", 30))
        .col(string_len("reference", 200))
        .col(big_integer("amount_cents"))
        .col(string_len("currency", 3))
        .col(timestamp_with_time_zone("received_at"))
        .col(string_len("recorded_by", 300))
        .references("invoice_id", "platform_invoices")
        .unique_index(
            "idx_platform_payments_reference",
            &["provider", "reference"],
        )
        .create(m)
        .await?;
    table("billing_webhook_events")
        .col(string_len("provider", 30))
        .col(string_len("event_id", 200))
        .col(string_len("kind", 60))
        .col(string_len("outcome", 30))
        .col(timestamp_with_time_zone("received_at"))
        .unique_index(
            "idx_billing_webhook_events_event",
            &["provider", "event_id"],
        )
        .create(m)
        .await
}
