//! The `lab_results` table. Every posting of a lab order's results is a new row with the
//! next version; rows are only ever inserted, so earlier versions stay readable.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{LabOrderId, LabResultId, PatientId, UserId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lab_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LabResultId,
    pub order_id: LabOrderId,
    pub patient_id: PatientId,
    pub version: i32,
    /// `[{analyte, value, unit, referenceLow, referenceHigh, flag}]`.
    pub results: Json,
    pub posted_by: Option<UserId>,
    pub created_at: Stamp,
}

record_rows!(LabResultId);

/// The versions of some orders' results, oldest first.
pub async fn of_orders(db: &impl TenantConn, orders: &[LabOrderId]) -> Result<Vec<Model>, DbErr> {
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::OrderId.is_in(orders.iter().copied()))
        .order_by_asc(Column::OrderId)
        .order_by_asc(Column::Version)
        .all(db)
        .await
}
