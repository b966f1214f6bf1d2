//! Platform invoices to companies (`platform_invoices`), their lines, credit notes and the
//! document number counters. There is no function that changes an issued invoice's lines
//! or amounts: only its status, payments received and the paid/void instants move.

use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{Condition, ExprTrait, QueryOrder, QuerySelect};
use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::InvoiceStatus;
use smartdmv_domain::ids::{InvoiceId, SubscriptionId};

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "platform_invoices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InvoiceId,
    #[sea_orm(unique)]
    pub number: String,
    pub company_id: CompanyId,
    pub subscription_id: Option<SubscriptionId>,
    /// `subscription_start`, `renewal` or `plan_change`.
    pub reason: String,
    pub status: InvoiceStatus,
    pub currency: String,
    pub subtotal_cents: i64,
    pub tax_rate_bp: i32,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub amount_paid_cents: i64,
    pub period_start: Option<Stamp>,
    pub period_end: Option<Stamp>,
    pub issued_at: Stamp,
    pub due_at: Stamp,
    pub paid_at: Option<Stamp>,
    pub voided_at: Option<Stamp>,
    pub created_at: Stamp,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl crate::OwnerConn, model: Model) -> Result<Model, DbErr> {
    ActiveModel::from(model).reset_all().insert(db).await
}

pub async fn find(db: &impl crate::OwnerConn, id: InvoiceId) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn get(db: &impl crate::OwnerConn, id: InvoiceId) -> Result<Model, StoreError> {
    find(db, id).await?.ok_or(StoreError::NotFound("invoice"))
}

pub async fn find_by_number(
    db: &impl crate::OwnerConn,
    number: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Number.eq(number))
        .one(db)
        .await
}

/// Filters of [`list`].
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub company: Option<CompanyId>,
    pub status: Option<InvoiceStatus>,
}

/// One page of invoices, newest first, after `cursor` (an invoice id).
pub async fn list(
    db: &impl crate::OwnerConn,
    filter: &ListFilter,
    cursor: Option<InvoiceId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = Condition::all();
    if let Some(c) = filter.company {
        cond = cond.add(Column::CompanyId.eq(c));
    }
    if let Some(s) = filter.status {
        cond = cond.add(Column::Status.eq(s.as_str()));
    }
    crate::page::page_before::<Entity>(Column::Id, cursor, limit)
        .filter(cond)
        .all(db)
        .await
}

/// Issued invoices of a company still to be paid, oldest due first.
pub async fn unpaid_for(
    db: &impl crate::OwnerConn,
    company: CompanyId,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::CompanyId.eq(company))
        .filter(Column::Status.eq(InvoiceStatus::Open.as_str()))
        .order_by_asc(Column::DueAt)
        .all(db)
        .await
}

/// Companies with an open invoice due at or before `now`.
pub async fn companies_overdue(
    db: &impl crate::OwnerConn,
    now: Stamp,
) -> Result<Vec<CompanyId>, DbErr> {
    Entity::find()
        .select_only()
        .column(Column::CompanyId)
        .distinct()
        .filter(Column::Status.eq(InvoiceStatus::Open.as_str()))
        .filter(Column::DueAt.lte(now))
        .into_tuple()
        .all(db)
        .await
}

/// Moves an invoice from `from` to `to` with its payment and settlement fields; `false` when
/// it was no longer in `from` (a concurrent change won).
pub async fn settle(
    db: &impl crate::OwnerConn,
    inv: &Model,
    from: InvoiceStatus,
) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(Column::Status, Expr::value(inv.status))
        .col_expr(Column::AmountPaidCents, Expr::value(inv.amount_paid_cents))
        .col_expr(Column::PaidAt, Expr::value(inv.paid_at))
        .col_expr(Column::VoidedAt, Expr::value(inv.voided_at))
        .filter(Column::Id.eq(inv.id))
        .filter(Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The next number of a document series in a year (`INV`, `CN`): sequential without gaps
/// among committed transactions, because the counter row is locked by the update until the
/// caller's transaction ends.
pub async fn next_number(
    db: &impl crate::OwnerConn,
    series: &str,
    year: i32,
) -> Result<i64, DbErr> {
    db.execute(
        Query::insert()
            .into_table("billing_counters")
            .columns(["series", "year", "last"])
            .values_panic([series.into(), year.into(), 0i64.into()])
            .on_conflict(
                OnConflict::columns(["series", "year"])
                    .do_nothing()
                    .to_owned(),
            ),
    )
    .await?;
    db.execute(
        Query::update()
            .table("billing_counters")
            .value("last", Expr::col("last").add(1))
            .and_where(Expr::col("series").eq(series))
            .and_where(Expr::col("year").eq(year)),
    )
    .await?;
    let row = db
        .query_one(
            Query::select()
                .column("last")
                .from("billing_counters")
                .and_where(Expr::col("series").eq(series))
                .and_where(Expr::col("year").eq(year)),
        )
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("billing counter".into()))?;
    row.try_get("", "last")
}

pub mod line {
    //! Lines of a platform invoice, in order.

    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::QueryOrder;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "platform_invoice_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub invoice_id: smartdmv_domain::ids::InvoiceId,
        pub position: i32,
        pub kind: smartdmv_domain::billing::LineKind,
        pub description: String,
        pub plan_id: Option<smartdmv_domain::ids::PlanId>,
        pub period_start: Option<Stamp>,
        pub period_end: Option<Stamp>,
        pub amount_cents: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn insert_all(db: &impl crate::OwnerConn, lines: Vec<Model>) -> Result<(), DbErr> {
        if lines.is_empty() {
            return Ok(());
        }
        Entity::insert_many(lines.into_iter().map(|l| ActiveModel::from(l).reset_all()))
            .exec(db)
            .await?;
        Ok(())
    }

    pub async fn of(
        db: &impl crate::OwnerConn,
        invoice: smartdmv_domain::ids::InvoiceId,
    ) -> Result<Vec<Model>, DbErr> {
        Entity::find()
            .filter(Column::InvoiceId.eq(invoice))
            .order_by_asc(Column::Position)
            .all(db)
            .await
    }
}

pub mod credit_note {
    //! Credit notes: each voids one invoice by crediting its total.

    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "platform_credit_notes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub number: String,
        #[sea_orm(unique)]
        pub invoice_id: smartdmv_domain::ids::InvoiceId,
        pub company_id: smartdmv_domain::CompanyId,
        pub currency: String,
        /// Amounts credited: the negated amounts of the invoice.
        pub subtotal_cents: i64,
        pub tax_cents: i64,
        pub total_cents: i64,
        pub reason: String,
        pub issued_by: String,
        pub issued_at: Stamp,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn insert(db: &impl crate::OwnerConn, model: Model) -> Result<Model, DbErr> {
        ActiveModel::from(model).reset_all().insert(db).await
    }

    pub async fn for_invoice(
        db: &impl crate::OwnerConn,
        invoice: smartdmv_domain::ids::InvoiceId,
    ) -> Result<Option<Model>, DbErr> {
        Entity::find()
            .filter(Column::InvoiceId.eq(invoice))
            .one(db)
            .await
    }
}
