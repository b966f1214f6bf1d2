//! The platform: the tenancy mechanism plus what the owner's business adds to it (the usage
//! meter, the billing clock and billing settings), built once from configuration and shared
//! by the HTTP server and the CLI.

use std::ops::Deref;
use std::sync::Arc;

use smartdmv_tenancy::{Tenancy, TenancyError, TenancySettings};

use crate::billing::{BillingConfig, Clock, SystemClock};
use crate::usage::UsageMeter;

/// Settings needed to build a [`Platform`].
#[derive(Debug, Clone)]
pub struct PlatformConfig {
    pub tenancy: TenancySettings,
    pub billing: BillingConfig,
}

/// The tenancy mechanism (owner database, tenant registry, resolver, provisioner), which it
/// dereferences to, with the usage meter and the billing clock and settings.
#[derive(Clone)]
pub struct Platform {
    pub tenancy: Tenancy,
    /// API calls counted in this process, not yet all in the owner database.
    pub usage: UsageMeter,
    /// The time billing runs on.
    pub clock: Arc<dyn Clock>,
    pub billing: BillingConfig,
}

impl Deref for Platform {
    type Target = Tenancy;

    fn deref(&self) -> &Tenancy {
        &self.tenancy
    }
}

impl Platform {
    /// Connects to the owner database (creating it if needed) without migrating it.
    pub async fn open(cfg: &PlatformConfig) -> Result<Self, TenancyError> {
        Ok(Self {
            tenancy: Tenancy::open(&cfg.tenancy).await?,
            usage: UsageMeter::default(),
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
        self.tenancy.shutdown().await;
    }
}
