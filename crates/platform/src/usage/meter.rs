//! The in-process meter of API calls: each tenant API call is one increment under a mutex,
//! checked against the company's monthly limit in memory. The count starts from the owner
//! database's figure the first time a company is seen in a month; calls are added there in
//! batches by [`UsageMeter::flush`] (on an interval and at shutdown), and each flush reads the
//! stored figure back, so instances sharing an owner database converge on one count within a
//! flush interval. The meter also remembers each company's recorded storage, for the storage
//! limit.

use smartdmv_domain::CompanyId;
use smartdmv_domain::usage::{Month, exhausted};
use smartdmv_store::owner::usage;
use smartdmv_tenancy::OwnerDb;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use super::current_month;

#[derive(Debug, Clone, Copy)]
struct Entry {
    month: Month,
    /// Calls of the month: the stored figure when last read plus the calls since.
    used: u64,
    /// The company's database size as last recorded.
    storage: u64,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<CompanyId, Entry>,
    /// Calls not yet added to the owner database.
    pending: HashMap<(CompanyId, Month), u64>,
    /// Companies that served calls since the last recount pass.
    busy: HashSet<CompanyId>,
}

/// Counts API calls per company and month. Cheap to clone; clones share the counts.
#[derive(Debug, Clone, Default)]
pub struct UsageMeter {
    state: Arc<Mutex<State>>,
}

/// The answer to one API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallVerdict {
    /// Counted; the company has made this many calls this month, this one included.
    Counted { used: u64 },
    /// The monthly limit of `max` calls is used up; the call was not counted.
    OverLimit { max: u64 },
}

/// The month's stored calls and the newest recorded storage, from a company's latest rows
/// (newest first).
fn stored(rows: &[usage::Model], month: Month) -> (u64, u64) {
    let m = month.to_string();
    let calls = rows
        .iter()
        .find(|r| r.month == m)
        .map_or(0, |r| r.api_calls);
    let storage = rows
        .iter()
        .find(|r| r.gauges_at.is_some())
        .map_or(0, |r| r.storage_bytes);
    (
        u64::try_from(calls).unwrap_or(0),
        u64::try_from(storage).unwrap_or(0),
    )
}

impl UsageMeter {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one API call of a company (only checks, when `count` is false) unless `max`
    /// calls were already made this month. The first call of a company in a month reads the
    /// stored figure once.
    pub async fn record_call(
        &self,
        owner: &OwnerDb,
        company: CompanyId,
        max: Option<u64>,
        count: bool,
    ) -> CallVerdict {
        let month = current_month();
        let seeded = self
            .lock()
            .entries
            .get(&company)
            .is_some_and(|e| e.month == month);
        if !seeded {
            self.seed(owner, company, month).await;
        }
        let mut st = self.lock();
        st.busy.insert(company);
        let e = st.entries.entry(company).or_insert(Entry {
            month,
            used: 0,
            storage: 0,
        });
        if e.month != month {
            *e = Entry {
                month,
                used: 0,
                storage: e.storage,
            };
        }
        if let Some(m) = max
            && exhausted(Some(m), e.used)
        {
            return CallVerdict::OverLimit { max: m };
        }
        if !count {
            return CallVerdict::Counted { used: e.used };
        }
        e.used += 1;
        let used = e.used;
        *st.pending.entry((company, month)).or_default() += 1;
        CallVerdict::Counted { used }
    }

    /// Takes back one call counted this month that turned out not to be the company's (its
    /// credentials were refused).
    pub fn refund(&self, company: CompanyId) {
        let month = current_month();
        let mut st = self.lock();
        let Some(n) = st.pending.get_mut(&(company, month)).filter(|n| **n > 0) else {
            return;
        };
        *n -= 1;
        if let Some(e) = st.entries.get_mut(&company)
            && e.month == month
        {
            e.used = e.used.saturating_sub(1);
        }
    }

    /// Reads the month's stored calls and the latest recorded storage. A failure is logged
    /// and counting starts from what this process knows: a slow owner database must not stop
    /// companies from working.
    async fn seed(&self, owner: &OwnerDb, company: CompanyId, month: Month) {
        let (calls, storage) = match usage::recent(owner.conn(), company, 2).await {
            Ok(rows) => stored(&rows, month),
            Err(e) => {
                tracing::warn!(company = %company, error = %e, "reading usage failed");
                (0, 0)
            }
        };
        let mut st = self.lock();
        if st.entries.get(&company).is_some_and(|e| e.month == month) {
            return;
        }
        let pending = st.pending.get(&(company, month)).copied().unwrap_or(0);
        st.entries.insert(
            company,
            Entry {
                month,
                used: calls + pending,
                storage,
            },
        );
    }

    /// Adds the pending calls of every company to the owner database.
    pub async fn flush(&self, owner: &OwnerDb) {
        let batch: Vec<_> = self.lock().pending.drain().collect();
        self.write(owner, batch).await;
    }

    /// Adds the pending calls of one company to the owner database.
    pub async fn flush_company(&self, owner: &OwnerDb, company: CompanyId) {
        let batch: Vec<_> = {
            let mut st = self.lock();
            let keys: Vec<_> = st
                .pending
                .keys()
                .filter(|(c, _)| *c == company)
                .copied()
                .collect();
            keys.into_iter()
                .filter_map(|k| st.pending.remove(&k).map(|n| (k, n)))
                .collect()
        };
        self.write(owner, batch).await;
    }

    async fn write(&self, owner: &OwnerDb, batch: Vec<((CompanyId, Month), u64)>) {
        let db = owner.conn();
        for ((company, month), n) in batch {
            let calls = i64::try_from(n).unwrap_or(i64::MAX);
            if let Err(e) = usage::add_api_calls(db, company, &month.to_string(), calls).await {
                tracing::warn!(company = %company, error = %e, "recording API calls failed; kept for the next flush");
                *self.lock().pending.entry((company, month)).or_default() += n;
                continue;
            }
            // Read the figure back: other instances add their calls to it too.
            if let Ok(rows) = usage::recent(db, company, 2).await {
                let (calls, storage) = stored(&rows, month);
                let mut st = self.lock();
                let pending = st.pending.get(&(company, month)).copied().unwrap_or(0);
                if let Some(e) = st.entries.get_mut(&company)
                    && e.month == month
                {
                    e.used = calls + pending;
                    e.storage = storage;
                }
            }
        }
    }

    /// Records a company's database size after a recount.
    pub fn note_storage(&self, company: CompanyId, bytes: u64) {
        if let Some(e) = self.lock().entries.get_mut(&company) {
            e.storage = bytes;
        }
    }

    /// The company's recorded database size, once the meter has seen the company.
    pub fn storage(&self, company: CompanyId) -> Option<u64> {
        self.lock().entries.get(&company).map(|e| e.storage)
    }

    /// The companies that served calls since the last call of this, forgetting them.
    pub fn take_busy(&self) -> Vec<CompanyId> {
        self.lock().busy.drain().collect()
    }

    /// Puts a company back among the busy ones (its recount failed).
    pub fn mark_busy(&self, company: CompanyId) {
        self.lock().busy.insert(company);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(month: &str, calls: i64, storage: i64, counted: bool) -> usage::Model {
        usage::Model {
            company_id: CompanyId(uuid::Uuid::nil()),
            month: month.into(),
            active_users: 0,
            practices: 0,
            clients: 0,
            patients: 0,
            appointments: 0,
            storage_bytes: storage,
            api_calls: calls,
            gauges_at: counted.then(smartdmv_store::now),
            updated_at: smartdmv_store::now(),
        }
    }

    #[test]
    fn the_months_calls_and_the_newest_counted_storage_seed_the_meter() {
        let nov = Month::parse("2026-11").expect("month");
        let dec = nov.next();
        let rows = [row("2026-12", 7, 0, false), row("2026-11", 500, 4096, true)];
        // December has calls but no count yet: storage comes from November's count.
        assert_eq!(stored(&rows, dec), (7, 4096));
        assert_eq!(stored(&rows, nov), (500, 4096));
        assert_eq!(stored(&rows[..1], dec), (7, 0));
        assert_eq!(stored(&[], dec), (0, 0));
    }

    #[test]
    fn refunds_take_back_only_counted_calls() {
        let m = UsageMeter::default();
        let c = CompanyId(uuid::Uuid::nil());
        let month = current_month();
        m.lock().entries.insert(
            c,
            Entry {
                month,
                used: 10,
                storage: 0,
            },
        );
        m.refund(c);
        assert_eq!(m.lock().entries[&c].used, 10, "nothing pending to refund");
        m.lock().pending.insert((c, month), 2);
        m.refund(c);
        assert_eq!(m.lock().entries[&c].used, 9);
        assert_eq!(m.lock().pending[&(c, month)], 1);
    }
}
