//! The `lab_orders` table. A laboratory order of a patient; its results are versions in
//! `lab_results`.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use smartdmv_domain::clinical::LabOrderStatus;
use smartdmv_domain::{LabOrderId, PatientId, PracticeId, UserId, VisitId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "lab_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LabOrderId,
    pub patient_id: PatientId,
    pub practice_id: PracticeId,
    pub visit_id: Option<VisitId>,
    /// `[{code, name}]`.
    pub tests: Json,
    pub status: LabOrderStatus,
    pub ordered_by: Option<UserId>,
    pub reviewed_by: Option<UserId>,
    pub reviewed_at: Option<Stamp>,
    pub review_note: Option<String>,
    /// The version of the results the review was of.
    pub reviewed_version: Option<i32>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(LabOrderId);

/// A patient's lab orders, newest first.
pub async fn of_patient(db: &impl TenantConn, patient: PatientId) -> Result<Vec<Model>, DbErr> {
    super::of_owner::<Entity>(
        Column::PatientId,
        patient,
        Column::CreatedAt,
        Column::Id,
        true,
    )
    .all(db)
    .await
}

/// A visit's lab orders, oldest first.
pub async fn of_visit(db: &impl TenantConn, visit: VisitId) -> Result<Vec<Model>, DbErr> {
    super::of_owner::<Entity>(Column::VisitId, visit, Column::CreatedAt, Column::Id, false)
        .all(db)
        .await
}
