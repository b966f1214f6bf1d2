//! Unapplied payments (`unapplied_payments`): money a payment provider collected that its
//! invoice did not take (already paid or void, another currency, more than was due), kept
//! until the owner refunds it or resolves it by hand. One row per provider event.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::Condition;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::{UnappliedReason, UnappliedState};
use smartdmv_domain::ids::{InvoiceId, UnappliedPaymentId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "unapplied_payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UnappliedPaymentId,
    pub provider: String,
    /// The provider's event that reported the payment; unique per provider.
    pub event_id: String,
    /// The provider's charge id.
    pub reference: String,
    /// What was kept: the whole payment, or what was left after paying the invoice.
    pub amount_cents: i64,
    pub currency: String,
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub company_id: CompanyId,
    pub reason: UnappliedReason,
    /// The reason in words, as of receipt (e.g. the invoice's status then).
    pub detail: String,
    pub received_at: Stamp,
    /// `open` until the owner marks it `refunded` or `resolved`.
    pub state: UnappliedState,
    pub note: Option<String>,
    pub resolved_at: Option<Stamp>,
    pub resolved_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl OwnerConn, model: Model) -> Result<Model, DbErr> {
    ActiveModel::from(model).reset_all().insert(db).await
}

/// Whether a payment with this provider reference was kept (in any state).
pub async fn reference_known(
    db: &impl OwnerConn,
    provider: &str,
    reference: &str,
) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .filter(Column::Provider.eq(provider))
        .filter(Column::Reference.eq(reference))
        .one(db)
        .await?
        .is_some())
}

pub async fn find(db: &impl OwnerConn, id: UnappliedPaymentId) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Filters of [`list`].
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub state: Option<UnappliedState>,
    pub invoice: Option<InvoiceId>,
}

/// One page, newest first, after `cursor` (an id).
pub async fn list(
    db: &impl OwnerConn,
    filter: &ListFilter,
    cursor: Option<UnappliedPaymentId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = Condition::all();
    if let Some(s) = filter.state {
        cond = cond.add(Column::State.eq(s));
    }
    if let Some(i) = filter.invoice {
        cond = cond.add(Column::InvoiceId.eq(i));
    }
    crate::page::page_before::<Entity>(Column::Id, cursor, limit)
        .filter(cond)
        .all(db)
        .await
}

/// Moves an open payment to `state` with the owner's note; `false` when it was no longer
/// open (resolved meanwhile).
pub async fn resolve(
    db: &impl OwnerConn,
    id: UnappliedPaymentId,
    state: UnappliedState,
    note: &str,
    by: &str,
    at: Stamp,
) -> Result<bool, DbErr> {
    let r = Entity::update_many()
        .col_expr(Column::State, Expr::value(state))
        .col_expr(Column::Note, Expr::value(note))
        .col_expr(Column::ResolvedBy, Expr::value(by))
        .col_expr(Column::ResolvedAt, Expr::value(at))
        .filter(Column::Id.eq(id))
        .filter(Column::State.eq(UnappliedState::Open))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}
