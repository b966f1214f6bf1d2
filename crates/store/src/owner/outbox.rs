//! The `email_outbox` table: messages the platform sends (email verification of sign-up).
//! A message is written in the same breath as what it announces and delivered later by a
//! mailer; in development nothing delivers it and the server logs it instead.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};
use smartdmv_domain::CompanyId;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "email_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub company_id: Option<CompanyId>,
    /// What the message is, e.g. `email_verification`.
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    pub created_at: Stamp,
    /// When a mailer delivered it; `None` while it waits.
    pub sent_at: Option<Stamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A message to queue.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub company: Option<CompanyId>,
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: String,
}

pub async fn enqueue(db: &impl OwnerConn, m: Message<'_>) -> Result<Model, DbErr> {
    ActiveModel::from(Model {
        id: Uuid::now_v7(),
        company_id: m.company,
        kind: m.kind.to_owned(),
        to_address: m.to.to_owned(),
        subject: m.subject.to_owned(),
        body: m.body,
        created_at: crate::now(),
        sent_at: None,
    })
    .reset_all()
    .insert(db)
    .await
}

/// Messages to one address, oldest first.
pub async fn to_address(db: &impl OwnerConn, to: &str, limit: u64) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::ToAddress.eq(to))
        .order_by_asc(Column::Id)
        .limit(limit)
        .all(db)
        .await
}
