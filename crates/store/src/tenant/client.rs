//! The `clients` table. A client (pet owner) of the company.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use smartdmv_domain::{ClientId, PracticeId, UserId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ClientId,
    pub first_name: String,
    pub last_name: String,
    /// Lower-cased, accent-folded "last first", for sorting and search.
    pub name_key: String,
    /// Primary email (mirrors the primary email contact).
    pub email: Option<String>,
    /// Primary phone (mirrors the primary phone contact).
    pub phone: Option<String>,
    /// `{line1, line2, city, region, postalCode, country}`.
    pub address: Option<Json>,
    pub home_practice_id: Option<PracticeId>,
    pub balance_cents: i64,
    /// List of alert strings.
    pub alerts: Json,
    pub notes: Option<String>,
    /// The portal account (a `CLIENT` user), when there is one.
    pub user_id: Option<UserId>,
    pub active: bool,
    pub deactivated_at: Option<Stamp>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
}

record_rows!(ClientId);
find_many!(ClientId);

/// The client record linked to a portal user, if any.
pub async fn find_by_user(db: &impl TenantConn, user_id: UserId) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::UserId.eq(user_id))
        .one(db)
        .await
}

/// Filters of [`list_page`].
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub active: Option<bool>,
    pub home_practice_id: Option<PracticeId>,
}

/// One page of clients in creation order, after `cursor` when given.
pub async fn list_page(
    db: &impl TenantConn,
    f: &Filter,
    cursor: Option<ClientId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryTrait;
    super::page_after::<Entity>(Column::Id, cursor, limit)
        .apply_if(f.active, |q, a| q.filter(Column::Active.eq(a)))
        .apply_if(f.home_practice_id, |q, p| {
            q.filter(Column::HomePracticeId.eq(p))
        })
        .all(db)
        .await
}

/// Whether the client has records that must be retained: a patient they own or owned, or an
/// appointment.
pub async fn has_records(db: &impl TenantConn, id: ClientId) -> Result<bool, DbErr> {
    use super::{appointment, patient_owner};
    let owned = patient_owner::Entity::find()
        .filter(patient_owner::Column::ClientId.eq(id))
        .count(db)
        .await?;
    if owned > 0 {
        return Ok(true);
    }
    let booked = appointment::Entity::find()
        .filter(appointment::Column::ClientId.eq(id))
        .count(db)
        .await?;
    Ok(booked > 0)
}

/// Erases a client and their contacts. Only for a client without records
/// ([`has_records`]); everyone else is deactivated.
pub async fn erase(db: &impl TenantConn, id: ClientId) -> Result<(), DbErr> {
    super::client_contact::delete_for_client(db, id).await?;
    Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
