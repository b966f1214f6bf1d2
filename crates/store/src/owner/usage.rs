//! The `company_usage` table: one row per company and calendar month (`YYYY-MM`, UTC).
//! API calls are added in batches as they happen; the gauges (users, practices, clients,
//! patients, appointments, storage) are overwritten by each recount of the tenant database.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{QueryOrder, QuerySelect};
use smartdmv_domain::CompanyId;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "company_usage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub company_id: CompanyId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    /// Active staff users (invited ones included); portal logins of clients do not count.
    pub active_users: i64,
    /// Open practices.
    pub practices: i64,
    /// Active clients.
    pub clients: i64,
    /// Active patients.
    pub patients: i64,
    /// Appointments booked (created) during the month.
    pub appointments: i64,
    /// Size of the company's database.
    pub storage_bytes: i64,
    /// Calls to the company's `/api/` routes during the month.
    pub api_calls: i64,
    /// When the gauges were last counted; `None` when only API calls were recorded.
    pub gauges_at: Option<Stamp>,
    pub updated_at: Stamp,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What a recount of a tenant database finds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gauges {
    pub active_users: i64,
    pub practices: i64,
    pub clients: i64,
    pub patients: i64,
    pub appointments: i64,
    pub storage_bytes: i64,
}

const TABLE: &str = "company_usage";
const GAUGES: [&str; 6] = [
    "active_users",
    "practices",
    "clients",
    "patients",
    "appointments",
    "storage_bytes",
];

pub async fn get(
    db: &impl OwnerConn,
    company: CompanyId,
    month: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id((company, month.to_owned()))
        .one(db)
        .await
}

/// The latest months of a company, newest first.
pub async fn recent(
    db: &impl OwnerConn,
    company: CompanyId,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CompanyId.eq(company))
        .order_by_desc(Column::Month)
        .limit(limit)
        .all(db)
        .await
}

/// Every company's row of a month, in one query (the owner's analytics). Companies with
/// neither calls nor a count in the month have no row.
pub async fn of_month(db: &impl OwnerConn, month: &str) -> Result<Vec<Model>, DbErr> {
    Entity::find().filter(Column::Month.eq(month)).all(db).await
}

/// Adds `calls` to a month's API calls, creating the row when it is the month's first.
pub async fn add_api_calls(
    db: &impl OwnerConn,
    company: CompanyId,
    month: &str,
    calls: i64,
) -> Result<(), DbErr> {
    let now = crate::now();
    let mut q = Query::insert();
    q.into_table(TABLE)
        .columns(["company_id", "month", "api_calls", "updated_at"])
        .values_panic([company.0.into(), month.into(), calls.into(), now.into()])
        .on_conflict(
            OnConflict::columns(["company_id", "month"])
                .value(
                    "api_calls",
                    Expr::col((TABLE, "api_calls")).add(Expr::col(("excluded", "api_calls"))),
                )
                .value("updated_at", Expr::col(("excluded", "updated_at")))
                .to_owned(),
        );
    db.execute(&q).await?;
    Ok(())
}

/// Writes a month's gauges as counted at `at`, leaving its API calls alone.
pub async fn set_gauges(
    db: &impl OwnerConn,
    company: CompanyId,
    month: &str,
    g: Gauges,
    at: Stamp,
) -> Result<(), DbErr> {
    let mut q = Query::insert();
    let mut update = OnConflict::columns(["company_id", "month"]);
    for c in GAUGES.into_iter().chain(["gauges_at", "updated_at"]) {
        update.value(c, Expr::col(("excluded", c)));
    }
    q.into_table(TABLE)
        .columns(
            ["company_id", "month", "api_calls"]
                .into_iter()
                .chain(GAUGES)
                .chain(["gauges_at", "updated_at"]),
        )
        .values_panic([
            company.0.into(),
            month.into(),
            0i64.into(),
            g.active_users.into(),
            g.practices.into(),
            g.clients.into(),
            g.patients.into(),
            g.appointments.into(),
            g.storage_bytes.into(),
            at.into(),
            at.into(),
        ])
        .on_conflict(update.to_owned());
    db.execute(&q).await?;
    Ok(())
}
