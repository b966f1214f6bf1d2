//! The `appointments` table. An appointment; `status` follows the state machine of `spec/practice.md`.

use crate::Stamp;
use crate::{TenantConn, TenantTransaction};
use sea_orm::entity::prelude::*;
use sea_orm::{
    Condition, DbBackend, QueryOrder, QuerySelect, QueryTrait, Select, SqliteTransactionMode,
    Statement, TransactionOptions,
};
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{
    AppointmentId, AppointmentTypeId, ClientId, PatientId, PracticeId, RoomId, TenantRole, UserId,
};

use super::{access, patient, patient_owner, user};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AppointmentId,
    pub practice_id: PracticeId,
    pub patient_id: PatientId,
    pub client_id: ClientId,
    pub type_id: Option<AppointmentTypeId>,
    pub veterinarian_id: Option<UserId>,
    pub room_id: Option<RoomId>,
    /// UTC.
    pub starts_at: Stamp,
    /// UTC.
    pub ends_at: Stamp,
    pub reason: Option<String>,
    pub status: AppointmentStatus,
    /// Staff allowed an overlap.
    pub double_booked: bool,
    pub requested_by_client: bool,
    pub cancel_reason: Option<String>,
    pub created_by: Option<UserId>,
    /// The visit its check-in opened.
    pub visit_id: Option<smartdmv_domain::VisitId>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(AppointmentId);

/// The statuses of appointments that keep their veterinarian and room from being booked
/// again ([`AppointmentStatus::blocks_resources`]).
fn blocking_statuses() -> impl Iterator<Item = AppointmentStatus> {
    AppointmentStatus::ALL
        .into_iter()
        .filter(|s| s.blocks_resources())
}

/// What a list of appointments may be narrowed to. Every set field must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The practices a practice-bound user reaches.
    pub scope: Option<Vec<PracticeId>>,
    pub practice: Option<PracticeId>,
    /// Appointments ending after this instant.
    pub from: Option<Stamp>,
    /// Appointments starting before this instant.
    pub to: Option<Stamp>,
    pub veterinarian: Option<UserId>,
    pub room: Option<RoomId>,
    pub patient: Option<PatientId>,
    pub client: Option<ClientId>,
    pub statuses: Option<Vec<AppointmentStatus>>,
}

/// One page of appointments by start time (then id), after the `(starts_at, id)` cursor.
pub async fn list_page(
    db: &impl TenantConn,
    f: &Filter,
    cursor: Option<(Stamp, AppointmentId)>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let after = |q: Select<Entity>, (at, id)| {
        q.filter(
            Condition::any().add(Column::StartsAt.gt(at)).add(
                Condition::all()
                    .add(Column::StartsAt.eq(at))
                    .add(Column::Id.gt(id)),
            ),
        )
    };
    Entity::find()
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
        .limit(limit)
        .apply_if(f.scope.as_ref(), |q, ps| {
            q.filter(Column::PracticeId.is_in(ps.iter().copied()))
        })
        .apply_if(f.practice, |q, p| q.filter(Column::PracticeId.eq(p)))
        .apply_if(f.from, |q, t| q.filter(Column::EndsAt.gt(t)))
        .apply_if(f.to, |q, t| q.filter(Column::StartsAt.lt(t)))
        .apply_if(f.veterinarian, |q, v| {
            q.filter(Column::VeterinarianId.eq(v))
        })
        .apply_if(f.room, |q, r| q.filter(Column::RoomId.eq(r)))
        .apply_if(f.patient, |q, p| q.filter(Column::PatientId.eq(p)))
        .apply_if(f.client, |q, c| q.filter(Column::ClientId.eq(c)))
        .apply_if(f.statuses.as_ref(), |q, st| {
            q.filter(Column::Status.is_in(st.iter().copied()))
        })
        .apply_if(cursor, after)
        .all(db)
        .await
}

/// Appointments blocking the veterinarian or the room (either may be absent) at some time
/// of `[start, end)`, other than `except`.
pub async fn conflicts(
    db: &impl TenantConn,
    veterinarian: Option<UserId>,
    room: Option<RoomId>,
    start: Stamp,
    end: Stamp,
    except: Option<AppointmentId>,
) -> Result<Vec<Model>, DbErr> {
    let mut who = Condition::any();
    if let Some(v) = veterinarian {
        who = who.add(Column::VeterinarianId.eq(v));
    }
    if let Some(r) = room {
        who = who.add(Column::RoomId.eq(r));
    }
    if veterinarian.is_none() && room.is_none() {
        return Ok(Vec::new());
    }
    let mut q = Entity::find()
        .filter(who)
        .filter(Column::Status.is_in(blocking_statuses()))
        .filter(Column::StartsAt.lt(end))
        .filter(Column::EndsAt.gt(start))
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id);
    if let Some(x) = except {
        q = q.filter(Column::Id.ne(x));
    }
    q.all(db).await
}

/// Blocking appointments of these veterinarians overlapping `[start, end)`.
pub async fn busy_veterinarians(
    db: &impl TenantConn,
    veterinarians: &[UserId],
    start: Stamp,
    end: Stamp,
) -> Result<Vec<Model>, DbErr> {
    if veterinarians.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::VeterinarianId.is_in(veterinarians.iter().copied()))
        .filter(Column::Status.is_in(blocking_statuses()))
        .filter(Column::StartsAt.lt(end))
        .filter(Column::EndsAt.gt(start))
        .all(db)
        .await
}

/// Every appointment of a practice starting in `[start, end)`, by start time.
pub async fn starting_between(
    db: &impl TenantConn,
    practice: PracticeId,
    start: Stamp,
    end: Stamp,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::PracticeId.eq(practice))
        .filter(Column::StartsAt.gte(start))
        .filter(Column::StartsAt.lt(end))
        .order_by_asc(Column::StartsAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The transaction options of a booking. On SQLite the transaction takes the write lock at
/// `BEGIN` (`BEGIN IMMEDIATE`), so that two bookings on two connections cannot both read
/// "free" and then both write; on PostgreSQL see [`lock_resources`].
pub fn booking_options() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    }
}

/// The advisory-lock key of a bookable resource (a veterinarian's or a room's id).
fn lock_key(id: Uuid) -> i64 {
    let b = id.as_u128();
    ((b >> 64) as u64 ^ b as u64) as i64
}

/// Serialises bookings per resource until the transaction ends: on PostgreSQL a
/// transaction-scoped advisory lock per veterinarian and room, taken in ascending key order
/// so that two bookings needing the same two resources cannot deadlock. SQLite needs
/// nothing more than [`booking_options`].
pub async fn lock_resources(txn: &TenantTransaction, ids: &[Uuid]) -> Result<(), DbErr> {
    if txn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut keys: Vec<i64> = ids.iter().map(|id| lock_key(*id)).collect();
    keys.sort_unstable();
    keys.dedup();
    for k in keys {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [k.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Active users holding the `VETERINARIAN` role (as their primary role or an extra one)
/// who work in the practice (their home practice or an assigned one), by name.
pub async fn veterinarians_of(
    db: &impl TenantConn,
    practice: PracticeId,
) -> Result<Vec<user::Model>, DbErr> {
    const VET: TenantRole = TenantRole::Veterinarian;
    let extra_role = access::users_with_role_key(db, VET.as_str()).await?;
    let assigned = user::assigned_to(db, &[practice]).await?;
    user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(
            Condition::any()
                .add(user::Column::Role.eq(VET))
                .add(user::Column::Id.is_in(extra_role)),
        )
        .filter(
            Condition::any()
                .add(user::Column::PracticeId.eq(practice))
                .add(user::Column::Id.is_in(assigned)),
        )
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await
}

/// Users by id, for naming veterinarians in answers.
pub async fn users_named(db: &impl TenantConn, ids: &[UserId]) -> Result<Vec<user::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// The current (not ended) ownerships of a patient, primary first.
pub async fn current_owners(
    db: &impl TenantConn,
    patient: PatientId,
) -> Result<Vec<patient_owner::Model>, DbErr> {
    patient_owner::Entity::find()
        .filter(patient_owner::Column::PatientId.eq(patient))
        .filter(patient_owner::Column::EndedAt.is_null())
        .order_by_desc(patient_owner::Column::IsPrimary)
        .order_by_asc(patient_owner::Column::StartedAt)
        .all(db)
        .await
}

/// Writes every column of `m` over the stored row if its status is still `expected`;
/// `false` when someone changed the status in between (or the row is gone).
pub async fn update_if_status(
    db: &impl TenantConn,
    m: Model,
    expected: AppointmentStatus,
) -> Result<bool, DbErr> {
    let id = m.id;
    let res = Entity::update_many()
        .set(ActiveModel::from(m).reset_all())
        .filter(Column::Id.eq(id))
        .filter(Column::Status.eq(expected))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Names of patients by id, for the day view.
pub async fn patient_names(
    db: &impl TenantConn,
    ids: &[PatientId],
) -> Result<Vec<(PatientId, String)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(patient::Entity::find()
        .filter(patient::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}
