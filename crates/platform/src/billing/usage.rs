//! Usage counts a plan change is checked against: open practices and active staff users of
//! a company, counted exactly in its own database (two cheap `count(*)`s) at the moment of
//! the change. Everything that only shows usage (the owner's analytics, a company's usage
//! page) reads the `company_usage` table instead, which may trail by a recount interval.

use crate::PlatformError;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use smartdmv_domain::TenantRole;
use smartdmv_store::owner::{company, plan};
use smartdmv_store::tenant::{practice, user};
use smartdmv_tenancy::registry::TenantTarget;

use crate::Platform;

/// What a company uses now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Open practices.
    pub practices: u64,
    /// Active staff users (pet owners' portal accounts do not take a seat).
    pub users: u64,
}

/// Counts a company's usage in its database.
pub async fn current(p: &Platform, c: &company::Model) -> Result<Usage, PlatformError> {
    let target = TenantTarget {
        company: c.id,
        location: p.provisioner.location_of(c)?,
        schema_version: c.schema_version,
    };
    let tdb = p.registry.acquire(&target).await?;
    let db = tdb.conn();
    let counted = async {
        let practices = practice::count_active(db).await?;
        let users = user::Entity::find()
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::Role.ne(TenantRole::Client.as_str()))
            .count(db)
            .await?;
        Ok::<_, sea_orm::DbErr>(Usage { practices, users })
    }
    .await;
    counted.map_err(|e| {
        tdb.report_error(&e);
        e.into()
    })
}

/// Refuses a plan whose limits (with the company's own overrides) the company's current
/// usage already exceeds: 409 `plan_limits_exceeded` naming the limit.
pub fn check_fits(
    usage: &Usage,
    target: &plan::Model,
    settings: &serde_json::Value,
) -> Result<(), PlatformError> {
    let (limits, _) = smartdmv_tenancy::entitlements::effective(Some(target), settings);
    let checks = [
        (
            "maxPractices",
            "open practices",
            usage.practices,
            limits.max_practices,
        ),
        (
            "maxUsers",
            "active staff users",
            usage.users,
            limits.max_users,
        ),
    ];
    for (name, what, used, limit) in checks {
        if let Some(max) = limit
            && used > max
        {
            return Err(PlatformError::conflict(
                "plan_limits_exceeded",
                format!(
                    "the company has {used} {what} but plan {} allows {max} ({name}); \
                     reduce the usage first",
                    target.name
                ),
            ));
        }
    }
    Ok(())
}
