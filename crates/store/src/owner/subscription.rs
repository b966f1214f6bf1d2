//! The `subscriptions` table (one per company) and its history, `subscription_events`.

use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::{Condition, QueryOrder};
use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::SubscriptionStatus;
use smartdmv_domain::ids::{PlanId, SubscriptionId};

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SubscriptionId,
    #[sea_orm(unique)]
    pub company_id: CompanyId,
    pub plan_id: PlanId,
    pub status: SubscriptionStatus,
    /// Periods are counted in whole months or years from this instant.
    pub anchor: Stamp,
    pub current_period_start: Stamp,
    /// End of the current period; of the trial while trialing.
    pub current_period_end: Stamp,
    pub trial_end: Option<Stamp>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<Stamp>,
    pub cancel_reason: Option<String>,
    /// A downgrade (or interval change) taking effect at the period end.
    pub pending_plan_id: Option<PlanId>,
    pub past_due_since: Option<Stamp>,
    /// Suspended for non-payment since.
    pub suspended_at: Option<Stamp>,
    pub billing_email: Option<String>,
    pub billing_name: Option<String>,
    pub billing_address: Option<String>,
    pub tax_id: Option<String>,
    /// Bumped by every change; a writer that read an older version loses.
    pub version: i32,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(db: &impl crate::OwnerConn, model: Model) -> Result<Model, StoreError> {
    match ActiveModel::from(model).reset_all().insert(db).await {
        Ok(m) => Ok(m),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Conflict("subscription")),
        Err(e) => Err(e.into()),
    }
}

pub async fn find(db: &impl crate::OwnerConn, id: SubscriptionId) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn for_company(
    db: &impl crate::OwnerConn,
    company: CompanyId,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::CompanyId.eq(company))
        .one(db)
        .await
}

/// Saves `model` if nobody changed the row since it was read at `model.version`; bumps the
/// version. `Ok(None)`: someone else won, read again.
pub async fn save_if_unchanged(
    db: &impl crate::OwnerConn,
    mut model: Model,
) -> Result<Option<Model>, DbErr> {
    let read_version = model.version;
    model.version += 1;
    let am = ActiveModel::from(model.clone()).reset_all();
    let res = Entity::update_many()
        .set(am)
        .filter(Column::Id.eq(model.id))
        .filter(Column::Version.eq(read_version))
        .exec(db)
        .await?;
    Ok((res.rows_affected == 1).then_some(model))
}

/// Subscriptions the billing tick may have work for at `now`: live ones whose period ended,
/// and every past-due one.
pub async fn due(db: &impl crate::OwnerConn, now: Stamp) -> Result<Vec<Model>, DbErr> {
    let live = [
        SubscriptionStatus::Trialing.as_str(),
        SubscriptionStatus::Active.as_str(),
    ];
    Entity::find()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(Column::Status.is_in(live))
                        .add(Column::CurrentPeriodEnd.lte(now)),
                )
                .add(Column::Status.eq(SubscriptionStatus::PastDue.as_str())),
        )
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn all(db: &impl crate::OwnerConn) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

/// How many subscriptions are on a plan now or from their next period.
pub async fn count_on_plan(db: &impl crate::OwnerConn, plan: PlanId) -> Result<u64, DbErr> {
    Entity::find()
        .filter(
            Condition::any()
                .add(Column::PlanId.eq(plan))
                .add(Column::PendingPlanId.eq(plan)),
        )
        .count(db)
        .await
}

pub mod event {
    //! `subscription_events`: every status change of a subscription at the clock's time,
    //! for history and analytics (new, churned, trial conversion).

    #[allow(unused_imports)]
    use crate::{Day, Stamp};
    use sea_orm::QueryOrder;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "subscription_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub company_id: smartdmv_domain::CompanyId,
        pub subscription_id: smartdmv_domain::ids::SubscriptionId,
        pub at: Stamp,
        pub from_status: Option<smartdmv_domain::billing::SubscriptionStatus>,
        pub to_status: smartdmv_domain::billing::SubscriptionStatus,
        pub plan_id: smartdmv_domain::ids::PlanId,
        /// Why: `subscribed`, `trial_ended`, `payment_overdue`, `grace_expired`, `paid`,
        /// `canceled_requested`, `canceled_non_payment`, ...
        pub reason: String,
        pub actor: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    pub async fn insert(db: &impl crate::OwnerConn, model: Model) -> Result<(), DbErr> {
        ActiveModel::from(model).reset_all().insert(db).await?;
        Ok(())
    }

    /// Every event since `from`, oldest first.
    pub async fn since(db: &impl crate::OwnerConn, from: Stamp) -> Result<Vec<Model>, DbErr> {
        Entity::find()
            .filter(Column::At.gte(from))
            .order_by_asc(Column::At)
            .order_by_asc(Column::Id)
            .all(db)
            .await
    }

    /// Every event, oldest first.
    pub async fn all(db: &impl crate::OwnerConn) -> Result<Vec<Model>, DbErr> {
        Entity::find()
            .order_by_asc(Column::At)
            .order_by_asc(Column::Id)
            .all(db)
            .await
    }
}
