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
