//! Configuration: defaults, then an optional `smartdmv.toml`, then the environment, then
//! command-line flags. Environment names follow the product guide (`OWNER_DATABASE_URL`,
//! `DATABASE_URL`) and the deployment (`BASE_DOMAIN`, `DATA_DIR`, `TENANT_DATABASE_SERVER`);
//! every other setting is `SMARTDMV_<NAME>`.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use smartdmv_platform::PlatformConfig;
use smartdmv_platform::billing::BillingConfig;
use smartdmv_tenancy::{RegistryConfig, TenancyConfig, TenancySettings};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every setting of the server and the CLI.
#[derive(Clone, Serialize, Deserialize)]
pub struct Config {
    /// `OWNER_DATABASE_URL`; default `sqlite://<DATA_DIR>/owner.db`.
    pub owner_database_url: Option<String>,
    /// `DATABASE_URL`: an existing single-tenant database, registered with
    /// `smartdmv company adopt`.
    pub database_url: Option<String>,
    /// `BASE_DOMAIN`: companies live at `<subdomain>.<BASE_DOMAIN>`.
    pub base_domain: String,
    /// `OWNER_HOST`: the platform host, default `BASE_DOMAIN`.
    pub owner_host: Option<String>,
    /// `DATA_DIR`: SQLite files and templates.
    pub data_dir: PathBuf,
    /// `TENANT_DATABASE_SERVER`: PostgreSQL server URL(s), comma-separated, for new companies.
    pub tenant_database_server: Option<String>,
    /// `SMARTDMV_SECRET_KEY`: encrypts database credentials at rest. When unset, a random key
    /// is kept in `<DATA_DIR>/secret.key`.
    pub secret_key: Option<String>,
    /// `SMARTDMV_LISTEN`.
    pub listen: String,
    /// `SMARTDMV_DEFAULT_COMPANY`: subdomain or id of the company serving requests that name
    /// no company (single-practice installs).
    pub default_company: Option<String>,
    /// `SMARTDMV_TENANT_DB_PREFIX`: prefix of databases created on PostgreSQL servers.
    pub tenant_db_prefix: String,
    /// `SMARTDMV_PG_CONNECTION_BUDGET`: tenant connections per PostgreSQL server.
    pub pg_connection_budget: usize,
    /// `SMARTDMV_SQLITE_CONNECTION_BUDGET`: open SQLite tenant connections.
    pub sqlite_connection_budget: usize,
    /// `SMARTDMV_CONNECTIONS_PER_TENANT`.
    pub connections_per_tenant: u32,
    /// `SMARTDMV_CONNECTION_OPEN_CONCURRENCY`: concurrent connection opens per server.
    pub connection_open_concurrency: usize,
    /// `SMARTDMV_TENANT_IDLE_TIMEOUT_SECS`.
    pub tenant_idle_timeout_secs: u64,
    /// `SMARTDMV_TENANT_MAX_LIFETIME_SECS`.
    pub tenant_max_lifetime_secs: u64,
    /// `SMARTDMV_REAPER_INTERVAL_SECS`: how often idle and expired tenant pools are closed
    /// (0 turns the reaper off).
    pub reaper_interval_secs: u64,
    /// `SMARTDMV_ACQUIRE_TIMEOUT_MS`: how long a request waits for a tenant connection.
    pub acquire_timeout_ms: u64,
    /// `SMARTDMV_RESOLVE_TTL_MS`: how long a resolved host is cached (cross-instance delay).
    pub resolve_ttl_ms: u64,
    /// `SMARTDMV_LOG_FORMAT`: `pretty` or `json`.
    pub log_format: String,
    /// `SMARTDMV_USAGE_FLUSH_INTERVAL_SECS`: how often counted API calls are written to the
    /// owner database (they are also written at shutdown).
    pub usage_flush_interval_secs: u64,
    /// `SMARTDMV_USAGE_RECOUNT_INTERVAL_SECS`: how often the usage gauges of companies that
    /// served calls are recounted from their databases (0 turns it off).
    pub usage_recount_interval_secs: u64,
    /// `SMARTDMV_SIGNUPS_PER_ADDRESS_PER_HOUR`: sign-ups accepted from one address an hour.
    pub signups_per_address_per_hour: usize,
    /// `SMARTDMV_SIGNUPS_PER_HOUR`: sign-ups accepted an hour in all.
    pub signups_per_hour: usize,
    /// `SMARTDMV_BILLING_TRIAL_DAYS`: trial of a company created on a plan (0: none).
    pub billing_trial_days: u32,
    /// `SMARTDMV_BILLING_PAYMENT_TERMS_DAYS`: an invoice is due this long after issue.
    pub billing_payment_terms_days: u32,
    /// `SMARTDMV_BILLING_GRACE_DAYS`: an overdue company is served this long, then suspended.
    pub billing_grace_days: u32,
    /// `SMARTDMV_BILLING_TAX_RATE_BP`: tax on platform invoices, basis points (2000 = 20 %).
    pub billing_tax_rate_bp: u32,
    /// `SMARTDMV_BILLING_WEBHOOK_SECRET`: shared secret of the card provider's webhooks; the
    /// `card` provider is off without it.
    pub billing_webhook_secret: Option<String>,
    /// `SMARTDMV_BILLING_WEBHOOK_TOLERANCE_SECS`: replay window of webhook timestamps.
    pub billing_webhook_tolerance_secs: u32,
    /// `SMARTDMV_BILLING_INTERVAL_SECS`: how often the billing tick runs (0 turns it off).
    pub billing_interval_secs: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |u: &Option<String>| u.as_deref().map(smartdmv_tenancy::secret::redact_url);
        f.debug_struct("Config")
            .field("owner_database_url", &redact(&self.owner_database_url))
            .field("database_url", &redact(&self.database_url))
            .field("base_domain", &self.base_domain)
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        let r = RegistryConfig::default();
        let b = BillingConfig::default();
        Self {
            owner_database_url: None,
            database_url: None,
            base_domain: "localhost".into(),
            owner_host: None,
            data_dir: PathBuf::from("./data"),
            tenant_database_server: None,
            secret_key: None,
            listen: "127.0.0.1:8080".into(),
            default_company: None,
            tenant_db_prefix: "smartdmv_t_".into(),
            pg_connection_budget: r.pg_budget_per_server,
            sqlite_connection_budget: r.sqlite_budget,
            connections_per_tenant: r.connections_per_tenant,
            connection_open_concurrency: r.open_concurrency,
            tenant_idle_timeout_secs: r.idle_timeout.as_secs(),
            tenant_max_lifetime_secs: r.max_lifetime.as_secs(),
            acquire_timeout_ms: r.acquire_timeout.as_millis() as u64,
            reaper_interval_secs: 15,
            resolve_ttl_ms: 1000,
            log_format: "pretty".into(),
            usage_flush_interval_secs: 10,
            usage_recount_interval_secs: 3600,
            signups_per_address_per_hour: 5,
            signups_per_hour: 200,
            billing_trial_days: b.trial_days,
            billing_payment_terms_days: b.payment_terms_days,
            billing_grace_days: b.grace_days,
            billing_tax_rate_bp: b.tax_rate_bp,
            billing_webhook_secret: None,
            billing_webhook_tolerance_secs: b.webhook_tolerance_secs,
            billing_interval_secs: 300,
        }
    }
}

/// Environment names read without the `SMARTDMV_` prefix.
const PLAIN_ENV: &[&str] = &[
    "owner_database_url",
    "database_url",
    "base_domain",
    "owner_host",
    "data_dir",
    "tenant_database_server",
];

impl Config {
    /// Defaults < `smartdmv.toml` < environment < `overrides` (command-line flags).
    pub fn load(overrides: &Overrides) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file("smartdmv.toml"))
            .merge(Env::raw().filter_map(|key| {
                let k = key.as_str().to_ascii_lowercase();
                if PLAIN_ENV.contains(&k.as_str()) {
                    return Some(k.into());
                }
                let rest = k.strip_prefix("smartdmv_")?;
                (!PLAIN_ENV.contains(&rest)).then(|| rest.to_owned().into())
            }))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)
    }

    pub fn owner_url(&self) -> String {
        self.owner_database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("owner.db").display()))
    }

    pub fn platform_host(&self) -> String {
        self.owner_host
            .clone()
            .unwrap_or_else(|| self.base_domain.clone())
    }

    /// The configured secret key, or the one kept in `<DATA_DIR>/secret.key` (created on
    /// first use with mode 0600).
    pub fn secret_key_or_local(&self) -> std::io::Result<String> {
        if let Some(k) = self.secret_key.as_ref().filter(|k| !k.is_empty()) {
            return Ok(k.clone());
        }
        let path = self.data_dir.join("secret.key");
        if let Ok(k) = std::fs::read_to_string(&path) {
            return Ok(k.trim().to_owned());
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let key = random_token(32);
        write_private(&path, &key)?;
        tracing::warn!(path = %path.display(), "SMARTDMV_SECRET_KEY is not set; generated a local key");
        Ok(key)
    }

    pub fn platform_config(&self) -> std::io::Result<PlatformConfig> {
        Ok(PlatformConfig {
            billing: BillingConfig {
                trial_days: self.billing_trial_days,
                payment_terms_days: self.billing_payment_terms_days,
                grace_days: self.billing_grace_days,
                tax_rate_bp: self.billing_tax_rate_bp,
                webhook_secret: self.billing_webhook_secret.clone(),
                webhook_tolerance_secs: self.billing_webhook_tolerance_secs,
            },
            tenancy: TenancySettings {
                owner_database_url: self.owner_url(),
                secret_key: self.secret_key_or_local()?,
                base_domain: self.base_domain.clone(),
                platform_host: self.platform_host(),
                resolve_ttl: Duration::from_millis(self.resolve_ttl_ms),
                tenants: TenancyConfig {
                    data_dir: self.data_dir.clone(),
                    pg_servers: self
                        .tenant_database_server
                        .as_deref()
                        .unwrap_or("")
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    pg_db_prefix: self.tenant_db_prefix.clone(),
                    registry: RegistryConfig {
                        pg_budget_per_server: self.pg_connection_budget,
                        sqlite_budget: self.sqlite_connection_budget,
                        connections_per_tenant: self.connections_per_tenant,
                        open_concurrency: self.connection_open_concurrency,
                        idle_timeout: Duration::from_secs(self.tenant_idle_timeout_secs),
                        max_lifetime: Duration::from_secs(self.tenant_max_lifetime_secs),
                        acquire_timeout: Duration::from_millis(self.acquire_timeout_ms),
                        failure_backoff: Duration::from_secs(5),
                    },
                },
            },
        })
    }
}

/// Command-line flags that override the configuration; absent flags change nothing.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_domain: Option<String>,
}

/// A random URL-safe token of `bytes` random bytes.
pub use smartdmv_practice::account::random_token;

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(path)?;
    f.write_all(contents.as_bytes())
}
