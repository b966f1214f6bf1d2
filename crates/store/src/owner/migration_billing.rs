//! Owner migrations of plans, subscriptions and platform billing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub(crate) struct CreatePlans;

impl MigrationName for CreatePlans {
    fn name(&self) -> &str {
        "m20261129_000101_create_plans"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreatePlans {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("plans")
                .col(uuid("id").primary_key())
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
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
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

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("plans").to_owned()).await
    }
}

pub(crate) struct CreateBilling;

impl MigrationName for CreateBilling {
    fn name(&self) -> &str {
        "m20261129_000102_create_billing"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateBilling {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("subscriptions")
                .col(uuid("id").primary_key())
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
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("subscriptions", "company_id")
                        .to("companies", "id"),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from("subscriptions", "plan_id")
                        .to("plans", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_subscriptions_status_end")
                .table("subscriptions")
                .col("status")
                .col("current_period_end")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("subscription_events")
                .col(uuid("id").primary_key())
                .col(uuid("company_id"))
                .col(uuid("subscription_id"))
                .col(timestamp_with_time_zone("at"))
                .col(string_len_null("from_status", 20))
                .col(string_len("to_status", 20))
                .col(uuid("plan_id"))
                .col(string_len("reason", 60))
                .col(string_len("actor", 300))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_subscription_events_company")
                .table("subscription_events")
                .col("company_id")
                .col("at")
                .to_owned(),
        )
        .await?;
        create_invoices(m).await?;
        create_payments(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "billing_webhook_events",
            "platform_payments",
            "billing_counters",
            "platform_credit_notes",
            "platform_invoice_lines",
            "platform_invoices",
            "subscription_events",
            "subscriptions",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_invoices(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("platform_invoices")
            .col(uuid("id").primary_key())
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
            .foreign_key(
                ForeignKey::create()
                    .from("platform_invoices", "company_id")
                    .to("companies", "id"),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_platform_invoices_company")
            .table("platform_invoices")
            .col("company_id")
            .col("issued_at")
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_platform_invoices_status_due")
            .table("platform_invoices")
            .col("status")
            .col("due_at")
            .to_owned(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("platform_invoice_lines")
            .col(uuid("id").primary_key())
            .col(uuid("invoice_id"))
            .col(integer("position"))
            .col(string_len("kind", 30))
            .col(string_len("description", 300))
            .col(uuid_null("plan_id"))
            .col(timestamp_with_time_zone_null("period_start"))
            .col(timestamp_with_time_zone_null("period_end"))
            .col(big_integer("amount_cents"))
            .foreign_key(
                ForeignKey::create()
                    .from("platform_invoice_lines", "invoice_id")
                    .to("platform_invoices", "id"),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_platform_invoice_lines_invoice")
            .table("platform_invoice_lines")
            .col("invoice_id")
            .col("position")
            .to_owned(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("platform_credit_notes")
            .col(uuid("id").primary_key())
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
            .foreign_key(
                ForeignKey::create()
                    .from("platform_credit_notes", "invoice_id")
                    .to("platform_invoices", "id"),
            )
            .to_owned(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("billing_counters")
            .col(string_len("series", 10))
            .col(integer("year"))
            .col(big_integer("last"))
            .primary_key(Index::create().col("series").col("year"))
            .to_owned(),
    )
    .await
}

async fn create_payments(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("platform_payments")
            .col(uuid("id").primary_key())
            .col(uuid("invoice_id"))
            .col(uuid("company_id"))
            .col(string_len("provider", 30))
            .col(string_len("reference", 200))
            .col(big_integer("amount_cents"))
            .col(string_len("currency", 3))
            .col(timestamp_with_time_zone("received_at"))
            .col(string_len("recorded_by", 300))
            .foreign_key(
                ForeignKey::create()
                    .from("platform_payments", "invoice_id")
                    .to("platform_invoices", "id"),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_platform_payments_reference")
            .table("platform_payments")
            .col("provider")
            .col("reference")
            .unique()
            .to_owned(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table("billing_webhook_events")
            .col(uuid("id").primary_key())
            .col(string_len("provider", 30))
            .col(string_len("event_id", 200))
            .col(string_len("kind", 60))
            .col(string_len("outcome", 30))
            .col(timestamp_with_time_zone("received_at"))
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_billing_webhook_events_event")
            .table("billing_webhook_events")
            .col("provider")
            .col("event_id")
            .unique()
            .to_owned(),
    )
    .await
}
