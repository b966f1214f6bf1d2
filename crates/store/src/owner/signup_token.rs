//! One-time tokens of sign-up, stored as SHA-256 hashes: email verification
//! (`email_verifications`) and the login hand-off that lands a new administrator signed in
//! on their company's host (`login_handoffs`). Both tables have the same shape; a token is
//! used at most once, by a conditional update that only one caller can win.

use crate::OwnerConn;
use sea_orm::ExprTrait;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, Query};
use smartdmv_domain::CompanyId;

/// Which kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    EmailVerification,
    LoginHandoff,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Self::EmailVerification => "email_verifications",
            Self::LoginHandoff => "login_handoffs",
        }
    }
}

/// A stored token (its hash, never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: Uuid,
    pub company_id: CompanyId,
    pub email: String,
    pub expires_at: crate::Stamp,
    pub used_at: Option<crate::Stamp>,
}

/// Stores a token's hash for a company and an email address, valid until `expires_at`.
pub async fn insert(
    db: &impl OwnerConn,
    kind: Kind,
    company: CompanyId,
    email: &str,
    token_hash: &str,
    expires_at: crate::Stamp,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let mut q = Query::insert();
    q.into_table(kind.table())
        .columns([
            "id",
            "company_id",
            "email",
            "token_hash",
            "created_at",
            "expires_at",
        ])
        .values_panic([
            id.into(),
            company.0.into(),
            email.into(),
            token_hash.into(),
            crate::now().into(),
            expires_at.into(),
        ]);
    db.execute(&q).await?;
    Ok(id)
}

/// The token with this hash, used or not.
pub async fn find(
    db: &impl OwnerConn,
    kind: Kind,
    token_hash: &str,
) -> Result<Option<Token>, DbErr> {
    let mut q = Query::select();
    q.columns(["id", "company_id", "email", "expires_at", "used_at"])
        .from(kind.table())
        .and_where(Expr::col("token_hash").eq(token_hash));
    let Some(row) = db.query_one(&q).await? else {
        return Ok(None);
    };
    Ok(Some(Token {
        id: row.try_get("", "id")?,
        company_id: CompanyId(row.try_get("", "company_id")?),
        email: row.try_get("", "email")?,
        expires_at: row.try_get("", "expires_at")?,
        used_at: row.try_get("", "used_at")?,
    }))
}

/// Marks a token used at `now` if it is still unused and unexpired; `false` when another
/// caller used it first or it has expired.
pub async fn consume(
    db: &impl OwnerConn,
    kind: Kind,
    id: Uuid,
    now: crate::Stamp,
) -> Result<bool, DbErr> {
    let mut q = Query::update();
    q.table(kind.table())
        .value("used_at", now)
        .and_where(Expr::col("id").eq(id))
        .and_where(Expr::col("used_at").is_null())
        .and_where(Expr::col("expires_at").gt(now));
    Ok(db.execute(&q).await?.rows_affected() == 1)
}
