//! The tenant registry: a pool of pools with a hard connection budget per database server.
//!
//! Each live company holds one small pool (one connection by default). Every open connection
//! counts against its server's budget from the moment it is opened until it has been closed,
//! so the number of connections a server sees never exceeds the budget. When a company needs
//! a pool and its server is full, the least recently used pool that no request holds is
//! closed to make room; when every pool is in use the request waits (bounded) for one.
//! Opens are single-flight per company and limited in concurrency per server. A company
//! whose database cannot be opened is marked unavailable for a back-off period and answers
//! 503 without touching any other company.

use rand::Rng;
use sea_orm::DatabaseConnection;
use smartdmv_domain::CompanyId;
use smartdmv_store::TenantConnection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};

use crate::{RegistryConfig, TenancyError, TenantLocation};

/// What the registry needs to know to open a company's database.
#[derive(Debug, Clone)]
pub struct TenantTarget {
    pub company: CompanyId,
    pub location: TenantLocation,
    pub schema_version: i32,
}

/// A company's database handle, leased from the registry for one request. Handlers get it
/// only through the tenant extractor; dropping it returns the lease.
pub struct TenantDb {
    company: CompanyId,
    conn: TenantConnection,
    lease: Lease,
}

impl TenantDb {
    pub fn company(&self) -> CompanyId {
        self.company
    }

    pub fn conn(&self) -> &TenantConnection {
        &self.conn
    }

    /// Tells the registry a statement failed; a connection failure discards the pool so the
    /// next request opens a fresh one (or answers 503 while the database stays away).
    pub fn report_error(&self, e: &sea_orm::DbErr) -> bool {
        let broken = crate::error::is_connection_error(e);
        if broken {
            self.lease
                .shared
                .discard_generation(self.company, self.lease.generation);
        }
        broken
    }
}

/// The company's handle, telling the registry of a statement that failed on a broken
/// connection: the pool is discarded so the next request opens a fresh one (or answers 503
/// while the database stays away). Every repository call is observed, so no caller has to
/// remember to report.
fn observed_handle(
    shared: &Arc<Shared>,
    company: CompanyId,
    generation: u64,
    conn: DatabaseConnection,
) -> TenantConnection {
    let shared = Arc::downgrade(shared);
    TenantConnection::observed(
        conn,
        Arc::new(move |e| {
            if crate::error::is_connection_error(e)
                && let Some(s) = shared.upgrade()
            {
                s.discard_generation(company, generation);
            }
        }),
    )
}

struct Lease {
    shared: Arc<Shared>,
    company: CompanyId,
    generation: u64,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.shared.release(self.company, self.generation);
    }
}

/// Counters and gauges of the registry.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryMetrics {
    pub live_pools: usize,
    /// Open (or closing) tenant connections per server key.
    pub connections: HashMap<String, usize>,
    pub budgets: HashMap<String, usize>,
    pub hits: u64,
    pub opens: u64,
    pub open_failures: u64,
    pub open_micros_total: u64,
    pub waits: u64,
    pub wait_timeouts: u64,
    pub evictions: u64,
    pub idle_closes: u64,
    pub lifetime_closes: u64,
    pub discards: u64,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    opens: AtomicU64,
    open_failures: AtomicU64,
    open_micros_total: AtomicU64,
    waits: AtomicU64,
    wait_timeouts: AtomicU64,
    evictions: AtomicU64,
    idle_closes: AtomicU64,
    lifetime_closes: AtomicU64,
    discards: AtomicU64,
}

struct Live {
    conn: DatabaseConnection,
    server: String,
    slots: usize,
    leases: usize,
    generation: u64,
    last_used: Instant,
    expires: Instant,
}

enum Entry {
    Live(Live),
    Failed { until: Instant },
}

struct Server {
    budget: usize,
    /// Connections counted against the budget: open, opening or still closing.
    reserved: usize,
    freed: Arc<Notify>,
    opens: Arc<Semaphore>,
}

#[derive(Default)]
struct State {
    entries: HashMap<CompanyId, Entry>,
    /// Pools taken out of service while requests still hold them.
    retiring: HashMap<(CompanyId, u64), Live>,
    servers: HashMap<String, Server>,
    next_generation: u64,
}

struct Shared {
    cfg: RegistryConfig,
    state: Mutex<State>,
    open_locks: Mutex<HashMap<CompanyId, Arc<tokio::sync::Mutex<()>>>>,
    counters: Counters,
}

/// The registry of live tenant pools. Cheap to clone.
#[derive(Clone)]
pub struct TenantRegistry {
    shared: Arc<Shared>,
}

enum Reserve {
    Done,
    Evict(Live),
    Wait(Arc<Notify>),
}

impl TenantRegistry {
    pub fn new(cfg: RegistryConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                cfg,
                state: Mutex::new(State::default()),
                open_locks: Mutex::new(HashMap::new()),
                counters: Counters::default(),
            }),
        }
    }

    pub fn config(&self) -> &RegistryConfig {
        &self.shared.cfg
    }

    /// Leases the company's database, opening its pool if needed.
    pub async fn acquire(&self, target: &TenantTarget) -> Result<TenantDb, TenancyError> {
        let latest = smartdmv_store::tenant::TenantMigrator::latest_version();
        let oldest = smartdmv_store::tenant::TenantMigrator::oldest_servable_version();
        if target.schema_version < oldest || target.schema_version > latest {
            return Err(TenancyError::NotReady(format!(
                "schema version {} is not servable by this binary ({oldest}..={latest})",
                target.schema_version
            )));
        }
        if let Some(db) = self.shared.try_lease(target.company)? {
            return Ok(db);
        }
        let lock = self.shared.open_lock(target.company);
        let _guard = lock.lock().await;
        if let Some(db) = self.shared.try_lease(target.company)? {
            return Ok(db);
        }
        self.open(target).await
    }

    async fn open(&self, target: &TenantTarget) -> Result<TenantDb, TenancyError> {
        let shared = &self.shared;
        let server = target.location.server_key();
        let slots = shared.cfg.connections_per_tenant.max(1) as usize;
        let deadline = Instant::now() + shared.cfg.acquire_timeout;
        let mut waited = false;
        loop {
            match shared.try_reserve(&server, slots) {
                Reserve::Done => break,
                Reserve::Evict(victim) => {
                    shared.counters.evictions.fetch_add(1, Relaxed);
                    let slots_freed = victim.slots;
                    let _ = victim.conn.close().await;
                    shared.unreserve(&victim.server, slots_freed);
                }
                Reserve::Wait(freed) => {
                    let notified = freed.notified();
                    tokio::pin!(notified);
                    notified.as_mut().enable();
                    // Re-check after registering interest, so a release in between is seen.
                    if let Reserve::Done = shared.try_reserve_no_evict(&server, slots) {
                        break;
                    }
                    if !waited {
                        shared.counters.waits.fetch_add(1, Relaxed);
                        waited = true;
                    }
                    let left = deadline.saturating_duration_since(Instant::now());
                    // Wake periodically too: a pool may become idle without a release event.
                    let nap = left.min(Duration::from_millis(50));
                    if nap.is_zero() {
                        shared.counters.wait_timeouts.fetch_add(1, Relaxed);
                        return Err(TenancyError::Busy);
                    }
                    let _ = tokio::time::timeout(nap, notified).await;
                }
            }
        }

        let opens = shared.open_semaphore(&server);
        let started = Instant::now();
        let opened = {
            let _permit = opens.acquire().await;
            target
                .location
                .connect(slots as u32, shared.cfg.acquire_timeout)
                .await
        };
        let conn = match opened {
            Ok(conn) => conn,
            Err(e) => {
                shared.counters.open_failures.fetch_add(1, Relaxed);
                shared.unreserve(&server, slots);
                let mut st = shared.lock();
                st.entries.insert(
                    target.company,
                    Entry::Failed {
                        until: Instant::now() + shared.cfg.failure_backoff,
                    },
                );
                tracing::warn!(company.id = %target.company, error = %e, "tenant database failed to open");
                return Err(TenancyError::Unavailable);
            }
        };
        shared.counters.opens.fetch_add(1, Relaxed);
        shared
            .counters
            .open_micros_total
            .fetch_add(started.elapsed().as_micros() as u64, Relaxed);

        let jitter = rand::rng().random_range(0.75..1.25);
        let lifetime = shared.cfg.max_lifetime.mul_f64(jitter);
        let mut st = shared.lock();
        st.next_generation += 1;
        let generation = st.next_generation;
        let now = Instant::now();
        st.entries.insert(
            target.company,
            Entry::Live(Live {
                conn: conn.clone(),
                server,
                slots,
                leases: 1,
                generation,
                last_used: now,
                expires: now + lifetime,
            }),
        );
        Ok(TenantDb {
            company: target.company,
            conn: observed_handle(shared, target.company, generation, conn),
            lease: Lease {
                shared: shared.clone(),
                company: target.company,
                generation,
            },
        })
    }

    /// Takes a company's pool out of service (company suspended, archived, moved, or its
    /// database changed). Requests holding it finish; the pool closes after the last one.
    pub fn evict(&self, company: CompanyId) {
        self.shared.discard(company, None);
    }

    /// Closes every idle pool whose idle time or lifetime is over. Run periodically.
    pub fn reap(&self) {
        let now = Instant::now();
        let idle = self.shared.cfg.idle_timeout;
        let victims: Vec<(CompanyId, bool)> = {
            let st = self.shared.lock();
            st.entries
                .iter()
                .filter_map(|(id, e)| match e {
                    Entry::Live(l) if l.leases == 0 && now >= l.expires => Some((*id, true)),
                    Entry::Live(l) if l.leases == 0 && now.duration_since(l.last_used) >= idle => {
                        Some((*id, false))
                    }
                    Entry::Failed { until } if now >= *until => Some((*id, false)),
                    _ => None,
                })
                .collect()
        };
        for (id, lifetime) in victims {
            let mut st = self.shared.lock();
            match st.entries.get(&id) {
                Some(Entry::Live(l)) if l.leases == 0 => {
                    if let Some(Entry::Live(l)) = st.entries.remove(&id) {
                        drop(st);
                        let c = if lifetime {
                            &self.shared.counters.lifetime_closes
                        } else {
                            &self.shared.counters.idle_closes
                        };
                        c.fetch_add(1, Relaxed);
                        self.shared.close_later(l);
                    }
                }
                Some(Entry::Failed { .. }) => {
                    st.entries.remove(&id);
                }
                _ => {}
            }
        }
        self.shared
            .open_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, l| Arc::strong_count(l) > 1);
    }

    /// Starts the periodic reaper on the current runtime.
    pub fn start_maintenance(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                me.reap();
            }
        })
    }

    /// Closes every pool (shutdown, tests). Leased pools close when released.
    pub async fn close_all(&self) {
        let lives: Vec<Live> = {
            let mut st = self.shared.lock();
            let ids: Vec<CompanyId> = st.entries.keys().copied().collect();
            let mut out = Vec::new();
            for id in ids {
                match st.entries.remove(&id) {
                    Some(Entry::Live(l)) if l.leases == 0 => out.push(l),
                    Some(Entry::Live(l)) => {
                        st.retiring.insert((id, l.generation), l);
                    }
                    _ => {}
                }
            }
            out
        };
        for l in lives {
            let _ = l.conn.close_by_ref().await;
            self.shared.unreserve(&l.server, l.slots);
        }
    }

    pub fn metrics(&self) -> RegistryMetrics {
        let st = self.shared.lock();
        let c = &self.shared.counters;
        RegistryMetrics {
            live_pools: st
                .entries
                .values()
                .filter(|e| matches!(e, Entry::Live(_)))
                .count(),
            connections: st
                .servers
                .iter()
                .map(|(k, s)| (k.clone(), s.reserved))
                .collect(),
            budgets: st
                .servers
                .iter()
                .map(|(k, s)| (k.clone(), s.budget))
                .collect(),
            hits: c.hits.load(Relaxed),
            opens: c.opens.load(Relaxed),
            open_failures: c.open_failures.load(Relaxed),
            open_micros_total: c.open_micros_total.load(Relaxed),
            waits: c.waits.load(Relaxed),
            wait_timeouts: c.wait_timeouts.load(Relaxed),
            evictions: c.evictions.load(Relaxed),
            idle_closes: c.idle_closes.load(Relaxed),
            lifetime_closes: c.lifetime_closes.load(Relaxed),
            discards: c.discards.load(Relaxed),
        }
    }

    /// Whether a company currently has a live pool (tests and diagnostics).
    pub fn is_live(&self, company: CompanyId) -> bool {
        matches!(
            self.shared.lock().entries.get(&company),
            Some(Entry::Live(_))
        )
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open_lock(&self, company: CompanyId) -> Arc<tokio::sync::Mutex<()>> {
        self.open_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(company)
            .or_default()
            .clone()
    }

    fn server<'a>(&self, st: &'a mut State, key: &str) -> &'a mut Server {
        st.servers.entry(key.to_owned()).or_insert_with(|| Server {
            budget: if key == "sqlite" {
                self.cfg.sqlite_budget
            } else {
                self.cfg.pg_budget_per_server
            }
            .max(1),
            reserved: 0,
            freed: Arc::new(Notify::new()),
            opens: Arc::new(Semaphore::new(self.cfg.open_concurrency.max(1))),
        })
    }

    fn open_semaphore(&self, key: &str) -> Arc<Semaphore> {
        let mut st = self.lock();
        self.server(&mut st, key).opens.clone()
    }

    fn try_lease(self: &Arc<Self>, company: CompanyId) -> Result<Option<TenantDb>, TenancyError> {
        let mut st = self.lock();
        match st.entries.get_mut(&company) {
            Some(Entry::Live(l)) => {
                l.leases += 1;
                l.last_used = Instant::now();
                self.counters.hits.fetch_add(1, Relaxed);
                Ok(Some(TenantDb {
                    company,
                    conn: observed_handle(self, company, l.generation, l.conn.clone()),
                    lease: Lease {
                        shared: self.clone(),
                        company,
                        generation: l.generation,
                    },
                }))
            }
            Some(Entry::Failed { until }) if Instant::now() < *until => {
                Err(TenancyError::Unavailable)
            }
            _ => Ok(None),
        }
    }

    fn try_reserve(&self, key: &str, slots: usize) -> Reserve {
        let mut st = self.lock();
        let srv = self.server(&mut st, key);
        if srv.reserved + slots <= srv.budget {
            srv.reserved += slots;
            return Reserve::Done;
        }
        let freed = srv.freed.clone();
        // Least recently used idle pool on the same server.
        let victim = st
            .entries
            .iter()
            .filter_map(|(id, e)| match e {
                Entry::Live(l) if l.leases == 0 && l.server == key => Some((*id, l.last_used)),
                _ => None,
            })
            .min_by_key(|(_, t)| *t)
            .map(|(id, _)| id);
        match victim.and_then(|id| st.entries.remove(&id)) {
            Some(Entry::Live(l)) => Reserve::Evict(l),
            _ => Reserve::Wait(freed),
        }
    }

    fn try_reserve_no_evict(&self, key: &str, slots: usize) -> Reserve {
        let mut st = self.lock();
        let srv = self.server(&mut st, key);
        if srv.reserved + slots <= srv.budget {
            srv.reserved += slots;
            Reserve::Done
        } else {
            Reserve::Wait(srv.freed.clone())
        }
    }

    fn unreserve(&self, key: &str, slots: usize) {
        let mut st = self.lock();
        let srv = self.server(&mut st, key);
        srv.reserved = srv.reserved.saturating_sub(slots);
        srv.freed.notify_waiters();
    }

    fn release(self: &Arc<Self>, company: CompanyId, generation: u64) {
        let mut st = self.lock();
        let now = Instant::now();
        if let Some(Entry::Live(l)) = st.entries.get_mut(&company)
            && l.generation == generation
        {
            l.leases = l.leases.saturating_sub(1);
            l.last_used = now;
            let idle_server = (l.leases == 0).then(|| l.server.clone());
            if let Some(srv) = idle_server.and_then(|k| st.servers.get(&k)) {
                srv.freed.notify_waiters();
            }
            return;
        }
        if let Some(l) = st.retiring.get_mut(&(company, generation)) {
            l.leases = l.leases.saturating_sub(1);
            if l.leases == 0
                && let Some(l) = st.retiring.remove(&(company, generation))
            {
                drop(st);
                self.close_later(l);
            }
        }
    }

    fn discard_generation(self: &Arc<Self>, company: CompanyId, generation: u64) {
        self.discard(company, Some(generation));
    }

    fn discard(self: &Arc<Self>, company: CompanyId, generation: Option<u64>) {
        let mut st = self.lock();
        let matches = match st.entries.get(&company) {
            Some(Entry::Live(l)) => generation.is_none_or(|g| g == l.generation),
            Some(Entry::Failed { .. }) => generation.is_none(),
            None => false,
        };
        if !matches {
            return;
        }
        self.counters.discards.fetch_add(1, Relaxed);
        if let Some(Entry::Live(l)) = st.entries.remove(&company) {
            if l.leases == 0 {
                drop(st);
                self.close_later(l);
            } else {
                st.retiring.insert((company, l.generation), l);
            }
        }
    }

    /// Closes a pool in the background; its connections count against the budget until the
    /// close has finished.
    fn close_later(self: &Arc<Self>, l: Live) {
        let me = self.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    let _ = l.conn.close_by_ref().await;
                    me.unreserve(&l.server, l.slots);
                });
            }
            Err(_) => self.unreserve(&l.server, l.slots),
        }
    }
}
