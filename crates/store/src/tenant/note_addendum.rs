//! The `note_addenda` table. What became known after a note locked, written beside it; the
//! note itself never changes. Rows are only ever inserted.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{AddendumId, NoteId, PatientId, UserId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "note_addenda")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AddendumId,
    pub note_id: NoteId,
    pub patient_id: PatientId,
    pub author_id: UserId,
    pub text: String,
    pub reason: String,
    pub created_at: Stamp,
}

record_rows!(AddendumId);

/// The addenda of some notes, oldest first.
pub async fn of_notes(db: &impl TenantConn, notes: &[NoteId]) -> Result<Vec<Model>, DbErr> {
    if notes.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::NoteId.is_in(notes.iter().copied()))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// A patient's addenda.
pub async fn of_patient(db: &impl TenantConn, patient: PatientId) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PatientId.eq(patient))
        .all(db)
        .await
}
