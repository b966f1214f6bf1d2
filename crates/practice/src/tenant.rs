//! The resolved company of a request and a lease on its database.

use smartdmv_store::TenantConnection;
use smartdmv_tenancy::resolve::ResolvedCompany;
use smartdmv_tenancy::{TenancyError, TenantDb, TenantRegistry};
use std::sync::Arc;

/// A company and a lease on its database. Only [`Tenant::acquire`] builds one, from a company
/// the resolver returned: there is no other way to a tenant connection.
pub struct Tenant {
    pub company: Arc<ResolvedCompany>,
    db: TenantDb,
}

impl Tenant {
    /// Leases the database of an already resolved company.
    pub async fn acquire(
        registry: &TenantRegistry,
        company: Arc<ResolvedCompany>,
    ) -> Result<Self, TenancyError> {
        let target = company
            .target
            .as_ref()
            .ok_or_else(|| TenancyError::NotReady("its database location is not usable".into()))?;
        let db = registry.acquire(target).await?;
        Ok(Tenant { company, db })
    }

    /// The company's database (every failed statement on it is reported to the registry).
    pub fn db(&self) -> &TenantConnection {
        self.db.conn()
    }

    /// A database error of this tenant, classified (see [`crate::ServiceError`]).
    pub fn db_error(&self, e: sea_orm::DbErr) -> crate::ServiceError {
        e.into()
    }

    /// The tenant's schema version, as the owner database records it.
    pub fn schema_version(&self) -> i32 {
        self.company.target.as_ref().map_or(0, |t| t.schema_version)
    }

    /// Whether the tenant's schema is older than the one this binary writes.
    pub fn schema_behind(&self) -> bool {
        self.schema_version() < smartdmv_store::tenant::TenantMigrator::latest_version()
    }
}
