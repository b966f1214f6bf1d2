//! The `client_contacts` table. One phone number or email address of a client.

use crate::Stamp;
use crate::TenantConn;
use sea_orm::entity::prelude::*;
use smartdmv_domain::contact::ContactKind;
use smartdmv_domain::{ClientId, ContactId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "client_contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ContactId,
    pub client_id: ClientId,
    pub kind: ContactKind,
    pub value: String,
    /// Digits only for phones, lower case for emails.
    pub normalized: String,
    /// home, mobile, work, billing, emergency, other.
    pub purpose: String,
    pub sms_consent: bool,
    pub email_consent: bool,
    pub is_primary: bool,
    pub created_at: Stamp,
}

record_rows!(ContactId);

/// A client's contacts in the order they were given.
pub async fn for_client(db: &impl TenantConn, client_id: ClientId) -> Result<Vec<Model>, DbErr> {
    for_clients(db, &[client_id]).await
}

/// The contacts of several clients, in the order they were given.
pub async fn for_clients(
    db: &impl TenantConn,
    client_ids: &[ClientId],
) -> Result<Vec<Model>, DbErr> {
    use sea_orm::QueryOrder;
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    Entity::find()
        .filter(Column::ClientId.is_in(client_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

pub async fn delete_for_client(db: &impl TenantConn, client_id: ClientId) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(())
}
