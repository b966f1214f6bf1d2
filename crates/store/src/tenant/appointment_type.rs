//! The `appointment_types` table. A kind of appointment with its default length.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::QueryTrait;
use sea_orm::entity::prelude::*;
use smartdmv_domain::AppointmentTypeId;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appointment_types")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AppointmentTypeId,
    pub name: String,
    pub duration_minutes: i32,
    /// `#rrggbb`.
    pub colour: String,
    pub active: bool,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(AppointmentTypeId);
find_many!(AppointmentTypeId);

/// One page of appointment types in creation order, after `cursor` when given; inactive ones
/// only with `include_inactive`.
pub async fn list_page(
    db: &impl TenantConn,
    include_inactive: bool,
    cursor: Option<AppointmentTypeId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    super::page_after::<Entity>(Column::Id, cursor, limit)
        .apply_if((!include_inactive).then_some(true), |q, a| {
            q.filter(Column::Active.eq(a))
        })
        .all(db)
        .await
}
