//! The `visits` table. One visit of a patient: opened by a check-in or as a walk-in, closed
//! once its notes are signed.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use smartdmv_domain::clinical::VisitStatus;
use smartdmv_domain::{AppointmentId, PatientId, PracticeId, UserId, VisitId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: VisitId,
    pub practice_id: PracticeId,
    pub patient_id: PatientId,
    pub appointment_id: Option<AppointmentId>,
    pub veterinarian_id: Option<UserId>,
    pub reason: Option<String>,
    pub status: VisitStatus,
    pub opened_by: Option<UserId>,
    pub closed_by: Option<UserId>,
    pub closed_at: Option<Stamp>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(VisitId);

/// The visit an appointment's check-in opened, if any.
pub async fn of_appointment(
    db: &impl TenantConn,
    appointment: AppointmentId,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::AppointmentId.eq(appointment))
        .one(db)
        .await
}

/// A patient's visits, newest first.
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
