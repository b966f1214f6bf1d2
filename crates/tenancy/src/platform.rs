//! The platform: everything the HTTP server and the CLI share, built once from
//! configuration.

use std::sync::Arc;
use std::time::Duration;

use crate::billing::{BillingConfig, Clock, SystemClock};
use crate::provision::Provisioner;
use crate::secret::SecretBox;
use crate::usage::UsageMeter;
use crate::{OwnerDb, Resolver, TenancyConfig, TenancyError, TenantRegistry};

/// Settings needed to build a [`Platform`].
#[derive(Debug, Clone)]
pub struct PlatformConfig {
    pub owner_database_url: String,
    pub secret_key: String,
    pub base_domain: String,
    pub platform_host: String,
    /// How long a resolved host stays cached.
    pub resolve_ttl: Duration,
    pub tenancy: TenancyConfig,
    pub billing: BillingConfig,
}

/// The owner database, tenant registry, resolver, provisioner and usage meter.
#[derive(Clone)]
pub struct Platform {
    pub owner: OwnerDb,
    pub registry: TenantRegistry,
    pub resolver: Resolver,
    pub provisioner: Provisioner,
    /// API calls counted in this process, not yet all in the owner database.
    pub usage: UsageMeter,
    pub base_domain: String,
    pub platform_host: String,
    /// The time billing runs on.
    pub clock: Arc<dyn Clock>,
    pub billing: BillingConfig,
}

impl Platform {
    /// Connects to the owner database (creating it if needed) without migrating it.
    pub async fn open(cfg: &PlatformConfig) -> Result<Self, TenancyError> {
        let owner = OwnerDb::connect(&cfg.owner_database_url).await?;
        let provisioner = Provisioner::new(cfg.tenancy.clone(), SecretBox::new(&cfg.secret_key));
        let resolver = Resolver::new(
            owner.clone(),
            provisioner.clone(),
            &cfg.base_domain,
            &cfg.platform_host,
            cfg.resolve_ttl,
        );
        Ok(Self {
            registry: TenantRegistry::new(cfg.tenancy.registry.clone()),
            owner,
            resolver,
            provisioner,
            usage: UsageMeter::default(),
            base_domain: cfg.base_domain.clone(),
            platform_host: cfg.platform_host.clone(),
            clock: Arc::new(SystemClock),
            billing: cfg.billing.clone(),
        })
    }

    /// The same platform with billing on another clock (tests, replays).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Records the API calls still counted only in memory, then closes every pool and the
    /// owner database.
    pub async fn shutdown(&self) {
        self.usage.flush(&self.owner).await;
        self.registry.close_all().await;
        self.owner.close().await;
    }
}
