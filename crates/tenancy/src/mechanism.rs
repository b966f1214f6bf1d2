//! The tenancy mechanism as one value: the owner database, the tenant registry, the resolver
//! and the provisioner, built once from configuration and shared by the HTTP server, the CLI
//! and the platform services (which add billing and usage on top, in `smartdmv-platform`).

use std::time::Duration;

use crate::provision::Provisioner;
use crate::secret::SecretBox;
use crate::{OwnerDb, Resolver, TenancyConfig, TenancyError, TenantRegistry};

/// Settings needed to build a [`Tenancy`].
#[derive(Debug, Clone)]
pub struct TenancySettings {
    pub owner_database_url: String,
    pub secret_key: String,
    pub base_domain: String,
    pub platform_host: String,
    /// How long a resolved host stays cached.
    pub resolve_ttl: Duration,
    /// Where tenant databases go and how the registry treats them.
    pub tenants: TenancyConfig,
}

/// The owner database, tenant registry, resolver and provisioner.
#[derive(Clone)]
pub struct Tenancy {
    pub owner: OwnerDb,
    pub registry: TenantRegistry,
    pub resolver: Resolver,
    pub provisioner: Provisioner,
    pub base_domain: String,
    pub platform_host: String,
}

impl Tenancy {
    /// Connects to the owner database (creating it if needed) without migrating it.
    pub async fn open(cfg: &TenancySettings) -> Result<Self, TenancyError> {
        let owner = OwnerDb::connect(&cfg.owner_database_url).await?;
        let provisioner = Provisioner::new(cfg.tenants.clone(), SecretBox::new(&cfg.secret_key));
        let resolver = Resolver::new(
            owner.clone(),
            provisioner.clone(),
            &cfg.base_domain,
            &cfg.platform_host,
            cfg.resolve_ttl,
        );
        Ok(Self {
            registry: TenantRegistry::new(cfg.tenants.registry.clone()),
            owner,
            resolver,
            provisioner,
            base_domain: cfg.base_domain.clone(),
            platform_host: cfg.platform_host.clone(),
        })
    }

    /// Closes every tenant pool, then the owner database.
    pub async fn shutdown(&self) {
        self.registry.close_all().await;
        self.owner.close().await;
    }
}
