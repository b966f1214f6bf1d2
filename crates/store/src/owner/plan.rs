//! The `plans` table: what a company may buy, at what price, with which features and limits.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::ids::PlanId;
use smartdmv_domain::plan::{Feature, PlanInterval, PlanPrice};
use std::collections::BTreeSet;

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PlanId,
    #[sea_orm(unique)]
    pub name: String,
    /// `monthly` or `yearly`.
    pub interval: PlanInterval,
    pub price_cents: i64,
    pub currency: String,
    /// Feature names (`smartdmv_domain::plan::Feature`), as a JSON array.
    pub features: Json,
    pub max_practices: Option<i64>,
    pub max_users: Option<i64>,
    pub storage_bytes: Option<i64>,
    pub api_calls_per_month: Option<i64>,
    /// Retired plans stay attached to their subscribers but cannot be chosen.
    pub active: bool,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn price(&self) -> PlanPrice {
        PlanPrice {
            cents: self.price_cents,
            interval: self.interval,
        }
    }

    /// The plan's features; names this binary does not know are skipped.
    pub fn feature_set(&self) -> BTreeSet<Feature> {
        self.features
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().and_then(Feature::parse))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn map_conflict(e: DbErr) -> StoreError {
    if crate::is_unique_violation(&e) {
        StoreError::Conflict("plan")
    } else {
        e.into()
    }
}

pub async fn insert(db: &impl OwnerConn, model: Model) -> Result<Model, StoreError> {
    ActiveModel::from(model)
        .reset_all()
        .insert(db)
        .await
        .map_err(map_conflict)
}

pub async fn find(db: &impl OwnerConn, id: PlanId) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn get(db: &impl OwnerConn, id: PlanId) -> Result<Model, StoreError> {
    find(db, id).await?.ok_or(StoreError::NotFound("plan"))
}

pub async fn find_by_name(db: &impl OwnerConn, name: &str) -> Result<Option<Model>, DbErr> {
    Entity::find().filter(Column::Name.eq(name)).one(db).await
}

/// One page of plans in creation order after `cursor`; only active ones when `active_only`.
pub async fn list(
    db: &impl OwnerConn,
    active_only: bool,
    cursor: Option<PlanId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = crate::page::page_after::<Entity>(Column::Id, cursor, limit);
    if active_only {
        q = q.filter(Column::Active.eq(true));
    }
    q.all(db).await
}

/// Every plan, in creation order.
pub async fn all(db: &impl OwnerConn) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

/// Saves every field of `model` (matched by id).
pub async fn update(db: &impl OwnerConn, model: Model) -> Result<Model, StoreError> {
    match ActiveModel::from(model).reset_all().update(db).await {
        Ok(m) => Ok(m),
        Err(DbErr::RecordNotUpdated) => Err(StoreError::NotFound("plan")),
        Err(e) => Err(map_conflict(e)),
    }
}

pub async fn delete(db: &impl OwnerConn, id: PlanId) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
