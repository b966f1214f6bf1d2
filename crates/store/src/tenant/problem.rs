//! The `problems` table. A patient's problem list, spanning visits.

use crate::TenantConn;
use crate::{Day, Stamp};
use sea_orm::entity::prelude::*;
use smartdmv_domain::clinical::ProblemStatus;
use smartdmv_domain::{PatientId, PracticeId, ProblemId, UserId, VisitId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "problems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ProblemId,
    pub patient_id: PatientId,
    pub practice_id: PracticeId,
    pub visit_id: Option<VisitId>,
    pub name: String,
    pub status: ProblemStatus,
    pub onset_on: Option<Day>,
    pub resolved_on: Option<Day>,
    pub notes: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(ProblemId);

/// A patient's problems, oldest first.
pub async fn of_patient(db: &impl TenantConn, patient: PatientId) -> Result<Vec<Model>, DbErr> {
    super::of_owner::<Entity>(
        Column::PatientId,
        patient,
        Column::CreatedAt,
        Column::Id,
        false,
    )
    .all(db)
    .await
}
