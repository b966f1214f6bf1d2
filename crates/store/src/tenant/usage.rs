//! Counts of one company's database for its monthly usage: the gauges recounted on demand
//! and from time to time, never on a request's path.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use sea_orm::{DbBackend, Statement};
use smartdmv_domain::TenantRole;

use super::{appointment, client, patient, practice, user};
use crate::owner::usage::Gauges;

/// Active staff users, invited ones included: the seats `maxUsers` limits. Portal logins of
/// clients (`CLIENT`) do not count.
pub async fn count_active_staff(db: &impl TenantConn) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.ne(TenantRole::Client))
        .count(db)
        .await
}

/// The gauges of a month that runs from `from` (inclusive) to `to` (exclusive), except the
/// database's size, which only its location knows.
pub async fn count(db: &impl TenantConn, from: Stamp, to: Stamp) -> Result<Gauges, DbErr> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    Ok(Gauges {
        active_users: n(count_active_staff(db).await?),
        practices: n(practice::count_active(db).await?),
        clients: n(client::Entity::find()
            .filter(client::Column::Active.eq(true))
            .count(db)
            .await?),
        patients: n(patient::Entity::find()
            .filter(patient::Column::Active.eq(true))
            .count(db)
            .await?),
        appointments: n(appointment::Entity::find()
            .filter(appointment::Column::CreatedAt.gte(from))
            .filter(appointment::Column::CreatedAt.lt(to))
            .count(db)
            .await?),
        storage_bytes: 0,
    })
}

/// The size of a PostgreSQL tenant database as the server reports it.
pub async fn postgres_database_size(db: &impl TenantConn) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_database_size(current_database())",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("pg_database_size returned no row".into()))?;
    row.try_get_by_index(0)
}
