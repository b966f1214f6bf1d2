//! The `patient_owners` table. A dated ownership of a patient by a client; ended, never deleted.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{ClientId, OwnershipId, PatientId, UserId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "patient_owners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OwnershipId,
    pub patient_id: PatientId,
    pub client_id: ClientId,
    pub is_primary: bool,
    pub started_at: Stamp,
    pub ended_at: Option<Stamp>,
    pub end_reason: Option<String>,
    pub created_by: Option<UserId>,
}

record_rows!(OwnershipId);

/// Every ownership of a patient, current and ended, oldest first.
pub async fn history(db: &impl TenantConn, patient_id: PatientId) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .order_by_asc(Column::StartedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The current ownerships of several patients.
pub async fn current_for_patients(
    db: &impl TenantConn,
    patient_ids: &[PatientId],
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    if patient_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::PatientId.is_in(patient_ids.iter().copied()))
        .filter(Column::EndedAt.is_null())
        .order_by_asc(Column::StartedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The current ownerships of one patient.
pub async fn current(db: &impl TenantConn, patient_id: PatientId) -> Result<Vec<Model>, DbErr> {
    current_for_patients(db, &[patient_id]).await
}

/// Ids of the patients a client currently owns.
pub async fn current_patient_ids(
    db: &impl TenantConn,
    client_id: ClientId,
) -> Result<Vec<PatientId>, DbErr> {
    Ok(Entity::find()
        .filter(Column::ClientId.eq(client_id))
        .filter(Column::EndedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.patient_id)
        .collect())
}

/// Ends an ownership now, with a reason.
pub async fn end(
    db: &impl TenantConn,
    mut m: Model,
    at: Stamp,
    reason: &str,
) -> Result<Model, DbErr> {
    m.ended_at = Some(at);
    m.end_reason = Some(reason.to_owned());
    update(db, m).await
}
