//! The `patient_weights` table. One weighing of a patient.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use smartdmv_domain::patient::WeightUnit;
use smartdmv_domain::{PatientId, UserId, WeightId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "patient_weights")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: WeightId,
    pub patient_id: PatientId,
    pub value: f64,
    pub unit: WeightUnit,
    pub measured_at: Stamp,
    pub recorded_by: Option<UserId>,
}

record_rows!(WeightId);

/// Removes a weighing (one a draft note made).
pub async fn delete(db: &impl TenantConn, id: WeightId) -> Result<(), DbErr> {
    Entity::delete_by_id(id).exec(db).await.map(|_| ())
}

/// A patient's weighings, oldest first (for the history).
pub async fn of_patient(db: &impl TenantConn, patient: PatientId) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PatientId.eq(patient))
        .all(db)
        .await
}

/// One page of a patient's weighings, newest first, after `cursor` (a weighing id) when
/// given.
pub async fn history_page(
    db: &impl TenantConn,
    patient_id: PatientId,
    cursor: Option<WeightId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::{Condition, QueryOrder, QuerySelect};
    let mut q = Entity::find()
        .filter(Column::PatientId.eq(patient_id))
        .order_by_desc(Column::MeasuredAt)
        .order_by_desc(Column::Id)
        .limit(limit);
    if let Some(c) = cursor {
        let Some(after) = find(db, c).await?.filter(|w| w.patient_id == patient_id) else {
            return Ok(Vec::new());
        };
        q = q.filter(
            Condition::any()
                .add(Column::MeasuredAt.lt(after.measured_at))
                .add(
                    Condition::all()
                        .add(Column::MeasuredAt.eq(after.measured_at))
                        .add(Column::Id.lt(after.id)),
                ),
        );
    }
    q.all(db).await
}

/// The latest weighing of each of several patients (those that have one).
pub async fn latest_for_patients(
    db: &impl TenantConn,
    patient_ids: &[PatientId],
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    if patient_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = Entity::find()
        .filter(Column::PatientId.is_in(patient_ids.iter().copied()))
        .order_by_desc(Column::MeasuredAt)
        .order_by_desc(Column::Id)
        .all(db)
        .await?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows
        .into_iter()
        .filter(|w| seen.insert(w.patient_id))
        .collect())
}
