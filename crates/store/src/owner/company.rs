//! The `companies` table and its repository functions.

use crate::OwnerConn;
use crate::Stamp;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Func, LikeExpr};
use sea_orm::{Condition, ExprTrait, QueryOrder};
use smartdmv_domain::{CompanyId, CompanyStatus};

use crate::StoreError;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "companies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CompanyId,
    pub name: String,
    #[sea_orm(unique)]
    pub subdomain: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub status: CompanyStatus,
    pub plan: Option<String>,
    pub settings: Json,
    /// `sqlite` or `postgres`.
    pub db_backend: String,
    /// For PostgreSQL, the server the database lives on, without credentials.
    pub db_server: Option<String>,
    /// The SQLite file name under the tenants folder, or the PostgreSQL database name.
    pub db_name: String,
    /// An explicit connection URL given at creation, encrypted; `None` when the platform
    /// created the database itself.
    pub db_url_enc: Option<String>,
    pub schema_version: i32,
    pub provision_error: Option<String>,
    pub created_at: Stamp,
    pub updated_at: Stamp,
    pub archived_at: Option<Stamp>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Filters for [`list`].
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub status: Option<CompanyStatus>,
    /// Case-insensitive substring of name, subdomain or contact email.
    pub q: Option<String>,
    /// Only this company (a `COMPANY_ADMIN`'s view).
    pub only: Option<CompanyId>,
    /// Exclude archived companies unless the status filter asks for them.
    pub include_archived: bool,
}

pub async fn insert(db: &impl OwnerConn, model: Model) -> Result<Model, StoreError> {
    let am = ActiveModel::from(model).reset_all();
    match am.insert(db).await {
        Ok(m) => Ok(m),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Conflict("subdomain")),
        Err(e) => Err(e.into()),
    }
}

pub async fn find(db: &impl OwnerConn, id: CompanyId) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

pub async fn get(db: &impl OwnerConn, id: CompanyId) -> Result<Model, StoreError> {
    find(db, id).await?.ok_or(StoreError::NotFound("company"))
}

pub async fn find_by_subdomain(
    db: &impl OwnerConn,
    subdomain: &str,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::Subdomain.eq(subdomain))
        .one(db)
        .await
}

/// One page of companies in creation order, after `cursor` when given.
pub async fn list(
    db: &impl OwnerConn,
    filter: &ListFilter,
    cursor: Option<CompanyId>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut cond = Condition::all();
    if let Some(st) = filter.status {
        cond = cond.add(Column::Status.eq(st.as_str()));
    } else if !filter.include_archived {
        cond = cond.add(Column::Status.ne(CompanyStatus::Archived.as_str()));
    }
    if let Some(only) = filter.only {
        cond = cond.add(Column::Id.eq(only));
    }
    if let Some(q) = filter.q.as_deref().filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        let like = |col: Column| {
            Expr::expr(Func::lower(Expr::col(col)))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        cond = cond.add(
            Condition::any()
                .add(like(Column::Name))
                .add(like(Column::Subdomain))
                .add(like(Column::ContactEmail)),
        );
    }
    crate::page::page_after::<Entity>(Column::Id, cursor, limit)
        .filter(cond)
        .all(db)
        .await
}

/// Every company in one of `statuses`, in creation order.
pub async fn list_with_status(
    db: &impl OwnerConn,
    statuses: &[CompanyStatus],
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// Number of companies per database server (PostgreSQL placement).
pub async fn count_on_server(db: &impl OwnerConn, server: &str) -> Result<u64, DbErr> {
    Entity::find()
        .filter(Column::DbServer.eq(server))
        .count(db)
        .await
}

pub async fn count_all(db: &impl OwnerConn) -> Result<u64, DbErr> {
    Entity::find().count(db).await
}

/// Saves every field of `model` (matched by id) and bumps `updated_at`.
pub async fn update(db: &impl OwnerConn, mut model: Model) -> Result<Model, StoreError> {
    model.updated_at = crate::now();
    let am: ActiveModel = model.into();
    let am = am.reset_all();
    match am.update(db).await {
        Ok(m) => Ok(m),
        Err(DbErr::RecordNotUpdated) => Err(StoreError::NotFound("company")),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Conflict("subdomain")),
        Err(e) => Err(e.into()),
    }
}

/// Sets the status (and the provisioning error) of one company.
pub async fn set_status(
    db: &impl OwnerConn,
    id: CompanyId,
    status: CompanyStatus,
    provision_error: Option<String>,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::ProvisionError, Expr::value(provision_error))
        .col_expr(Column::UpdatedAt, Expr::value(crate::now()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets the plan and the status of one company (billing's changes), leaving every other
/// field to concurrent writers.
pub async fn set_plan_and_status(
    db: &impl OwnerConn,
    id: CompanyId,
    plan: Option<String>,
    status: CompanyStatus,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Plan, Expr::value(plan))
        .col_expr(Column::Status, Expr::value(status))
        .col_expr(Column::UpdatedAt, Expr::value(crate::now()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets the settings of one company, leaving its status, plan and other fields to
/// concurrent writers.
pub async fn set_settings(
    db: &impl OwnerConn,
    id: CompanyId,
    settings: serde_json::Value,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Settings, Expr::value(settings))
        .col_expr(Column::UpdatedAt, Expr::value(crate::now()))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records the tenant schema version a company's database is at.
pub async fn set_schema_version(
    db: &impl OwnerConn,
    id: CompanyId,
    version: i32,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::SchemaVersion, Expr::value(version))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Moves a company into `PROVISIONING` for a retry, atomically: only from `FAILED`, or from a
/// `PROVISIONING` whose last change is older than `stale_before` (an attempt that died with
/// its process). Returns whether this caller won the claim; a concurrent retry loses.
pub async fn claim_for_provisioning(
    db: &impl OwnerConn,
    id: CompanyId,
    stale_before: Stamp,
) -> Result<bool, DbErr> {
    let res = Entity::update_many()
        .col_expr(
            Column::Status,
            Expr::value(CompanyStatus::Provisioning.as_str()),
        )
        .col_expr(Column::ProvisionError, Expr::value(Option::<String>::None))
        .col_expr(Column::UpdatedAt, Expr::value(crate::now()))
        .filter(Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(Column::Status.eq(CompanyStatus::Failed.as_str()))
                .add(
                    Condition::all()
                        .add(Column::Status.eq(CompanyStatus::Provisioning.as_str()))
                        .add(Column::UpdatedAt.lt(stale_before)),
                ),
        )
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
