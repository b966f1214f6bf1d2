//! The state every handler shares: the platform, the configuration and the in-process
//! throttles. Kept apart from the router so that handlers, extractors and pages get the state
//! without importing the router's module.

use smartdmv_platform::Platform;
use smartdmv_platform::service::{Cx, Links, PlatformPrincipal};
use smartdmv_tenancy::resolve::normalize_host;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;

/// On a development domain the server is reached directly over HTTP, port included;
/// elsewhere a proxy fronts it with HTTPS on the standard port.
fn links(platform: &Platform, config: &Config) -> Links {
    let local = platform.base_domain == "localhost";
    let secure = !matches!(platform.base_domain.as_str(), "localhost" | "127.0.0.1");
    Links {
        scheme: if secure { "https" } else { "http" },
        port: if local {
            config
                .listen
                .rsplit_once(':')
                .map(|(_, p)| format!(":{p}"))
                .unwrap_or_default()
        } else {
            String::new()
        },
    }
}

/// Shared state of every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub platform: Platform,
    pub config: Arc<Config>,
    pub default_company: Option<String>,
    /// Failed sign-in counters.
    pub throttle: Arc<crate::auth::throttle::Throttle>,
    /// Password verifications run by sign-ins (both for known and unknown users).
    pub password_checks: Arc<std::sync::atomic::AtomicU64>,
    /// Accepted sign-ups per address and in all, within the hour.
    pub signups: Arc<crate::auth::throttle::Throttle>,
    /// How a company's address looks (scheme and port), for the owner services.
    pub links: Arc<Links>,
}

impl AppState {
    pub fn new(platform: Platform, config: Config) -> Self {
        use crate::auth::throttle::{Limits, Throttle};
        let signups = Throttle::new(Limits {
            per_account: config.signups_per_hour,
            per_address: config.signups_per_address_per_hour,
            window: Duration::from_secs(3600),
        });
        let links = Arc::new(links(&platform, &config));
        Self {
            links,
            platform,
            default_company: config.default_company.clone().filter(|s| !s.is_empty()),
            config: Arc::new(config),
            throttle: Arc::new(Throttle::default()),
            password_checks: Arc::default(),
            signups: Arc::new(signups),
        }
    }

    /// The context of an owner service call by `who`.
    pub fn owner<'a>(&'a self, who: &'a PlatformPrincipal) -> Cx<'a> {
        Cx::new(&self.platform, who, &self.links)
    }

    /// The address of a company's host.
    pub fn company_url(&self, subdomain: &str) -> String {
        self.links
            .company_url(&self.platform.base_domain, subdomain)
    }

    /// Cookies are `Secure` except on a development domain served over plain HTTP.
    pub fn cookie_secure(&self) -> bool {
        !matches!(
            self.platform.base_domain.as_str(),
            "localhost" | "127.0.0.1"
        )
    }

    /// Whether a Host header names the platform host (owner API and owner UI live there).
    pub fn is_platform_host(&self, host: Option<&str>) -> bool {
        host.map(normalize_host)
            .is_some_and(|h| h == self.platform.platform_host.to_ascii_lowercase())
    }
}
