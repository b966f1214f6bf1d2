//! The `patients` table. A patient (pet).

use crate::TenantConn;
use crate::{Day, Stamp};
use sea_orm::entity::prelude::*;
use smartdmv_domain::PatientId;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "patients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PatientId,
    pub name: String,
    pub name_key: String,
    /// Species code, e.g. `dog`.
    pub species: String,
    pub breed: Option<String>,
    /// male, female, unknown.
    pub sex: String,
    pub neutered: bool,
    pub date_of_birth: Option<Day>,
    pub dob_estimated: bool,
    pub colour: Option<String>,
    pub microchip: Option<String>,
    /// `iso` or a legacy kind.
    pub microchip_type: Option<String>,
    pub alerts: Json,
    pub deceased_on: Option<Day>,
    pub notes: Option<String>,
    pub active: bool,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(PatientId);
find_many!(PatientId);

/// Filters of [`list_page`].
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub active: Option<bool>,
    /// Only these patients (the current pets of an owner).
    pub ids: Option<Vec<PatientId>>,
}

/// One page of patients in creation order, after `cursor` when given.
pub async fn list_page(
    db: &impl TenantConn,
    f: &Filter,
    cursor: Option<PatientId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryTrait;
    if f.ids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    super::page_after::<Entity>(Column::Id, cursor, limit)
        .apply_if(f.active, |q, a| q.filter(Column::Active.eq(a)))
        .apply_if(f.ids.as_ref(), |q, ids| {
            q.filter(Column::Id.is_in(ids.iter().copied()))
        })
        .all(db)
        .await
}

/// Other patients of the company carrying the same microchip code.
pub async fn with_microchip(
    db: &impl TenantConn,
    code: &str,
    except: Option<PatientId>,
) -> Result<Vec<PatientId>, DbErr> {
    use sea_orm::QueryOrder;
    let mut q = Entity::find()
        .filter(Column::Microchip.eq(code))
        .order_by_asc(Column::Id);
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    Ok(q.all(db).await?.into_iter().map(|p| p.id).collect())
}

/// The patient's appointments starting after `now` that still hold their slot and may
/// still be cancelled (requested, booked, confirmed or checked in), soonest first.
pub async fn cancellable_future_appointments(
    db: &impl TenantConn,
    patient_id: PatientId,
    now: Stamp,
) -> Result<Vec<super::appointment::Model>, DbErr> {
    use super::appointment::{Column as A, Entity as Appointments};
    use sea_orm::QueryOrder;
    use smartdmv_domain::schedule::AppointmentStatus;
    let cancellable = AppointmentStatus::ALL
        .into_iter()
        .filter(|s| s.holds_slot() && s.can_move_to(AppointmentStatus::Cancelled));
    Appointments::find()
        .filter(A::PatientId.eq(patient_id))
        .filter(A::StartsAt.gt(now))
        .filter(A::Status.is_in(cancellable))
        .order_by_asc(A::StartsAt)
        .all(db)
        .await
}
