//! Settings of the tenancy layer, filled by the server's configuration.

use std::path::PathBuf;
use std::time::Duration;

/// Where tenant databases go and how the registry treats them.
#[derive(Debug, Clone)]
pub struct TenancyConfig {
    /// `DATA_DIR`: SQLite tenants live under `tenants/`, templates under `templates/`.
    pub data_dir: PathBuf,
    /// `TENANT_DATABASE_SERVER`: PostgreSQL servers for new companies (comma-separated URLs,
    /// credentials allowed). Empty: new companies get SQLite files.
    pub pg_servers: Vec<String>,
    /// Prefix of the databases the platform creates on PostgreSQL servers.
    pub pg_db_prefix: String,
    pub registry: RegistryConfig,
}

impl TenancyConfig {
    pub fn tenants_dir(&self) -> PathBuf {
        self.data_dir.join("tenants")
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.data_dir.join("templates")
    }
}

/// Limits of the pool of pools (see `research/perf-baselines.md`).
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// Hard cap on open tenant connections per PostgreSQL server.
    pub pg_budget_per_server: usize,
    /// Cap on open SQLite tenant connections (each holds a file and a thread).
    pub sqlite_budget: usize,
    /// Connections one tenant may hold; 1 by default: waiting for the company's own
    /// connection is cheaper than opening another.
    pub connections_per_tenant: u32,
    /// Concurrent connection opens per server.
    pub open_concurrency: usize,
    /// An unused tenant connection is closed after this long.
    pub idle_timeout: Duration,
    /// A tenant connection is replaced after about this long (jittered by +-25%).
    pub max_lifetime: Duration,
    /// How long a request waits for a connection or for room in the budget.
    pub acquire_timeout: Duration,
    /// After a failed open, the tenant answers 503 for this long before the next attempt.
    pub failure_backoff: Duration,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            pg_budget_per_server: 40,
            sqlite_budget: 256,
            connections_per_tenant: 1,
            open_concurrency: 2,
            idle_timeout: Duration::from_secs(300),
            max_lifetime: Duration::from_secs(45 * 60),
            acquire_timeout: Duration::from_secs(10),
            failure_backoff: Duration::from_secs(5),
        }
    }
}
