//! The `soap_notes` table. A SOAP note of a visit with its vitals. A note is written whole
//! while it is a draft; once signed (or past its lock window) only its entered-in-error mark
//! is ever written.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{NoteId, PatientId, PracticeId, UserId, VisitId, WeightId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "soap_notes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: NoteId,
    pub visit_id: VisitId,
    pub patient_id: PatientId,
    pub practice_id: PracticeId,
    pub author_id: UserId,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub temperature_c: Option<f64>,
    pub heart_rate: Option<i32>,
    pub respiratory_rate: Option<i32>,
    pub weight_kg: Option<f64>,
    pub weight_id: Option<WeightId>,
    /// The practice's lock window (hours) when the note was written.
    pub lock_hours: i32,
    pub signed_by: Option<UserId>,
    pub signed_at: Option<Stamp>,
    pub error_by: Option<UserId>,
    pub error_at: Option<Stamp>,
    pub error_reason: Option<String>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(NoteId);

/// The notes of a visit, oldest first.
pub async fn of_visit(db: &impl TenantConn, visit: VisitId) -> Result<Vec<Model>, DbErr> {
    super::of_owner::<Entity>(Column::VisitId, visit, Column::CreatedAt, Column::Id, false)
        .all(db)
        .await
}

/// A patient's notes, newest first.
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

/// Deletes a note (a draft: the service checks).
pub async fn delete(db: &impl TenantConn, id: NoteId) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await.map(|_| ())
}
