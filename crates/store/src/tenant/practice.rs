//! The `practices` table: the clinics of one company.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::QueryOrder;
use sea_orm::entity::prelude::*;
use smartdmv_domain::PracticeId;
use smartdmv_domain::schedule::AppointmentStatus;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "practices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PracticeId,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// IANA time zone name, e.g. `Europe/London`.
    pub time_zone: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Opening hours per weekday: `{"mon": [["08:00","18:00"]], ...}`.
    pub opening_hours: Json,
    pub allow_client_signup: bool,
    pub is_head_office: bool,
    /// Sales tax in basis points (2000 = 20 %).
    pub tax_rate_bp: i32,
    /// A closed practice keeps its records but takes no new appointments.
    pub active: bool,
    /// How long an unsigned SOAP note stays editable.
    pub record_lock_hours: i32,
    /// Whether clients see their pets' signed notes in the portal.
    pub portal_shows_notes: bool,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(PracticeId);

/// Every practice of the company, oldest first.
pub async fn list(db: &impl TenantConn) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

pub async fn count(db: &impl TenantConn) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}

/// One page of practices in creation order, after `cursor` when given.
pub async fn list_page(
    db: &impl TenantConn,
    cursor: Option<PracticeId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    super::page_after::<Entity>(Column::Id, cursor, limit)
        .all(db)
        .await
}

/// Open practices.
pub async fn count_active(db: &impl TenantConn) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::Active.eq(true))
        .count(db)
        .await
}

/// Appointments of a practice that start after `now` and still hold their slot.
pub async fn upcoming_appointments(
    db: &impl TenantConn,
    practice_id: PracticeId,
    now: Stamp,
) -> Result<u64, DbErr> {
    use super::appointment::{Column as A, Entity as Appointments};
    Appointments::find()
        .filter(A::PracticeId.eq(practice_id))
        .filter(A::StartsAt.gt(now))
        .filter(A::Status.is_not_in([
            AppointmentStatus::Cancelled,
            AppointmentStatus::NoShow,
            AppointmentStatus::Completed,
        ]))
        .count(db)
        .await
}

/// The tenant schema version that added `practices.active` and `tax_rate_bp`.
pub const ACTIVE_SINCE: i32 = 4;

/// What the public profile of a practice shows; columns present since the first schema.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub struct PublicProfile {
    pub id: PracticeId,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: String,
    pub opening_hours: Json,
}

/// One page of public practice profiles in creation order. With `filter_closed` (schema
/// [`ACTIVE_SINCE`] and later) closed practices are left out.
pub async fn public_page(
    db: &impl TenantConn,
    cursor: Option<PracticeId>,
    limit: u64,
    filter_closed: bool,
) -> Result<Vec<PublicProfile>, DbErr> {
    use sea_orm::QuerySelect;
    let mut q = super::page_after::<Entity>(Column::Id, cursor, limit)
        .select_only()
        .columns([
            Column::Id,
            Column::Name,
            Column::Address,
            Column::Phone,
            Column::Email,
            Column::TimeZone,
            Column::OpeningHours,
        ]);
    if filter_closed {
        q = q.filter(Column::Active.eq(true));
    }
    q.into_model::<PublicProfile>().all(db).await
}
