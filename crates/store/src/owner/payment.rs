//! Payments received against platform invoices (`platform_payments`) and the webhook events
//! of payment providers already processed (`billing_webhook_events`).

use crate::Stamp;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::CompanyId;
use smartdmv_domain::ids::InvoiceId;

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "platform_payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub invoice_id: InvoiceId,
    pub company_id: CompanyId,
    /// `manual`, or the name of a card provider.
    pub provider: String,
    /// The bank transfer's or the provider's reference; unique per provider.
    pub reference: String,
    pub amount_cents: i64,
    pub currency: String,
    pub received_at: Stamp,
    pub recorded_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records a payment; the same provider reference twice is a conflict.
pub async fn insert(db: &impl crate::OwnerConn, model: Model) -> Result<Model, StoreError> {
    match ActiveModel::from(model).reset_all().insert(db).await {
        Ok(m) => Ok(m),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Conflict("payment")),
        Err(e) => Err(e.into()),
    }
}

/// Whether a payment with this provider reference is recorded.
pub async fn reference_known(
    db: &impl crate::OwnerConn,
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

pub async fn of(db: &impl crate::OwnerConn, invoice: InvoiceId) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::InvoiceId.eq(invoice))
        .order_by_asc(Column::ReceivedAt)
        .all(db)
        .await
}

pub mod webhook_event {
    //! Provider events already applied, so that a redelivered event changes nothing.

    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "billing_webhook_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub provider: String,
        pub event_id: String,
        pub kind: String,
        /// `applied`, `partly_applied`, `unapplied`, `ignored`, or `duplicate` (a charge
        /// already placed, delivered again under a new event id).
        pub outcome: String,
        pub received_at: Stamp,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    /// Records an event; `false` when it was recorded before (a replay).
    pub async fn record(db: &impl crate::OwnerConn, model: Model) -> Result<bool, DbErr> {
        match ActiveModel::from(model).reset_all().insert(db).await {
            Ok(_) => Ok(true),
            Err(e) if crate::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn find(
        db: &impl crate::OwnerConn,
        provider: &str,
        event_id: &str,
    ) -> Result<Option<Model>, DbErr> {
        Entity::find()
            .filter(Column::Provider.eq(provider))
            .filter(Column::EventId.eq(event_id))
            .one(db)
            .await
    }
}
