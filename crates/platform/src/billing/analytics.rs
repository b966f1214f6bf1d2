//! The owner's platform analytics, as of the billing clock's now: companies by status, new
//! and churned companies per month (the last twelve), MRR and ARR per currency, trial
//! conversion, the companies with the largest MRR, usage per company with the largest and
//! the most active companies, and the fleet's schema versions.
//!
//! Everything is read from the owner database, in a fixed number of queries whatever the
//! number of companies: usage comes from the `company_usage` table of the current month
//! (kept by the API-call meter and the gauge recounts of `crate::usage`), never from a
//! company's own database.

use crate::PlatformError;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use smartdmv_domain::billing::SubscriptionStatus;
use smartdmv_domain::billing::money::mul_div_round;
use smartdmv_domain::ids::PlanId;
use smartdmv_domain::plan::PlanInterval;
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_store::owner::subscription::{self, event};
use smartdmv_store::owner::usage as usage_table;
use smartdmv_store::owner::{company, plan};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::clock::to_instant;
use crate::Platform;

/// Length of each top list.
const TOP_COMPANIES: usize = 10;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    pub as_of: String,
    pub companies_by_status: BTreeMap<String, u64>,
    /// The last twelve months, oldest first, the current one last.
    pub months: Vec<MonthFigures>,
    pub revenue: Vec<Revenue>,
    pub trial_conversion: TrialConversion,
    /// The served companies with the largest MRR, largest first (up to ten).
    pub top_companies: Vec<CompanyFigures>,
    /// The served companies with the most active staff users, then the most patients, then
    /// the most storage, largest first (up to ten); companies without an active staff user
    /// in `usageMonth` (or not counted yet) are left out.
    pub largest_companies: Vec<CompanyUsage>,
    /// The served companies with the most API calls in `usageMonth`, most first (up to
    /// ten); companies without a call are left out.
    pub most_active_companies: Vec<CompanyUsage>,
    /// `YYYY-MM`: the calendar month (UTC, by the system clock, not the billing clock) that
    /// the usage figures are of.
    pub usage_month: String,
    /// Usage of every served company in `usageMonth`, the largest MRR first. (Before the
    /// usage table it held only the fifty largest by MRR, counted in their databases.)
    pub usage: Vec<CompanyUsage>,
    pub schema_versions: Vec<SchemaVersionCount>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    /// Companies created in the month.
    pub new: u64,
    /// Subscriptions canceled in the month.
    pub churned: u64,
}

/// Recurring revenue in one currency: monthly plans at their price, yearly plans at a
/// twelfth of theirs, over subscriptions `ACTIVE` or `PAST_DUE` and not suspended.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Revenue {
    pub currency: String,
    pub mrr_cents: i64,
    pub arr_cents: i64,
    pub paying_companies: u64,
}

/// Trials that ended, and how many of them became paying.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrialConversion {
    pub ended: u64,
    pub converted: u64,
    /// `converted / ended`; `null` before any trial ended.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyFigures {
    pub company_id: String,
    pub name: String,
    pub status: CompanyStatus,
    pub plan: Option<String>,
    pub currency: Option<String>,
    pub mrr_cents: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyUsage {
    pub company_id: String,
    pub name: String,
    /// Never `null` now that it is read from the usage table (it was `null` when the
    /// company's database could not be read); a company without a row in the month has
    /// zeros and no `countedAt`.
    pub usage: UsageFigures,
}

/// A company's usage in one month, as the `company_usage` table holds it. API calls are
/// recorded in batches, so they trail the meter by up to one flush interval; the gauges
/// are as of `countedAt`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageFigures {
    /// Active staff users (`activeUsers` of a company's usage; the name predates it).
    pub users: i64,
    /// Open practices.
    pub practices: i64,
    /// Active clients.
    pub clients: i64,
    /// Active patients.
    pub patients: i64,
    /// Appointments booked in the month.
    pub appointments: i64,
    /// Size of the company's database.
    pub storage_bytes: i64,
    /// Calls to the company's API in the month.
    pub api_calls: i64,
    /// RFC 3339 time of the last count of the gauges (every figure but `apiCalls`); `null`
    /// when they were not counted in the month yet, and then they read zero.
    pub counted_at: Option<String>,
}

impl From<&usage_table::Model> for UsageFigures {
    fn from(r: &usage_table::Model) -> Self {
        Self {
            users: r.active_users,
            practices: r.practices,
            clients: r.clients,
            patients: r.patients,
            appointments: r.appointments,
            storage_bytes: r.storage_bytes,
            api_calls: r.api_calls,
            counted_at: r.gauges_at.map(|t| to_instant(t).to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaVersionCount {
    pub version: i32,
    pub companies: u64,
}

/// `YYYY-MM` of an instant (UTC).
fn month_of(t: Timestamp) -> String {
    let d = t.to_zoned(TimeZone::UTC).date();
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The twelve months ending with the one of `now`, oldest first.
fn last_twelve_months(now: Timestamp) -> Vec<String> {
    let d = now.to_zoned(TimeZone::UTC).date();
    let first = Date::new(d.year(), d.month(), 1).unwrap_or(d);
    (0..12)
        .rev()
        .filter_map(|back| first.checked_sub(jiff::Span::new().months(back)).ok())
        .map(|m| format!("{:04}-{:02}", m.year(), m.month()))
        .collect()
}

/// A subscription's monthly revenue in cents (a yearly plan's twelfth, rounded).
fn mrr_of(p: &plan::Model) -> i64 {
    match p.interval {
        PlanInterval::Monthly => p.price_cents,
        PlanInterval::Yearly => mul_div_round(p.price_cents, 1, 12),
    }
}

/// New and churned companies per month (the last twelve) and the trial conversion, from the
/// companies and the subscription events up to `now`.
fn lifecycle(
    companies: &[company::Model],
    events: &[event::Model],
    now: Timestamp,
) -> (Vec<MonthFigures>, TrialConversion) {
    let mut new: HashMap<String, u64> = HashMap::new();
    for c in companies {
        *new.entry(month_of(to_instant(c.created_at))).or_insert(0) += 1;
    }
    let mut churned: HashMap<String, u64> = HashMap::new();
    let (mut ended, mut converted) = (0u64, 0u64);
    for e in events {
        let at = to_instant(e.at);
        if at > now {
            continue;
        }
        let (from, to) = (e.from_status, e.to_status);
        if to == SubscriptionStatus::Canceled && from != Some(to) {
            *churned.entry(month_of(at)).or_insert(0) += 1;
        }
        if from == Some(SubscriptionStatus::Trialing) && to != SubscriptionStatus::Trialing {
            ended += 1;
            converted += u64::from(to == SubscriptionStatus::Active);
        }
    }
    let months = last_twelve_months(now)
        .into_iter()
        .map(|m| MonthFigures {
            new: new.get(&m).copied().unwrap_or(0),
            churned: churned.get(&m).copied().unwrap_or(0),
            month: m,
        })
        .collect();
    let conversion = TrialConversion {
        ended,
        converted,
        rate: (ended > 0).then(|| converted as f64 / ended as f64),
    };
    (months, conversion)
}

/// Only the new and churned companies of the last twelve months: the part of [`compute`]
/// the dashboard shows.
pub async fn months(p: &Platform) -> Result<Vec<MonthFigures>, PlatformError> {
    let db = p.owner.conn();
    let companies = company::list_with_status(db, &CompanyStatus::ALL).await?;
    Ok(lifecycle(&companies, &event::all(db).await?, p.clock.now()).0)
}

/// The analytics as of the billing clock's now, with the usage of the current calendar
/// month; a fixed number of owner-database queries and no tenant database.
pub async fn compute(p: &Platform) -> Result<Analytics, PlatformError> {
    let now = p.clock.now();
    let db = p.owner.conn();
    let companies = company::list_with_status(db, &CompanyStatus::ALL).await?;
    let subs = subscription::all(db).await?;
    let plans: HashMap<PlanId, plan::Model> = plan::all(db)
        .await?
        .into_iter()
        .map(|pl| (pl.id, pl))
        .collect();

    let mut by_status = BTreeMap::new();
    let mut versions: BTreeMap<i32, u64> = BTreeMap::new();
    for c in &companies {
        *by_status.entry(c.status.to_string()).or_insert(0) += 1;
        if c.status != CompanyStatus::Archived {
            *versions.entry(c.schema_version).or_insert(0) += 1;
        }
    }

    let (months, trial_conversion) = lifecycle(&companies, &event::all(db).await?, now);

    // Revenue: per currency, and per company for the top list.
    let mut monthly: BTreeMap<String, (i64, i64, u64)> = BTreeMap::new();
    let mut per_company: HashMap<CompanyId, (&plan::Model, i64)> = HashMap::new();
    for s in &subs {
        let Some(pl) = plans.get(&s.plan_id) else {
            continue;
        };
        if !s.status.is_paying() || s.suspended_at.is_some() {
            continue;
        }
        let e = monthly.entry(pl.currency.clone()).or_insert((0, 0, 0));
        match pl.interval {
            PlanInterval::Monthly => e.0 += pl.price_cents,
            PlanInterval::Yearly => e.1 += pl.price_cents,
        }
        e.2 += 1;
        per_company.insert(s.company_id, (pl, mrr_of(pl)));
    }
    let revenue = monthly
        .into_iter()
        .map(|(currency, (m, y, n))| Revenue {
            currency,
            mrr_cents: m + mul_div_round(y, 1, 12),
            arr_cents: m * 12 + y,
            paying_companies: n,
        })
        .collect();

    let mut ranked: Vec<&company::Model> = companies
        .iter()
        .filter(|c| c.status.serving() == smartdmv_domain::company::Serving::Serve)
        .collect();
    let mrr = |c: &company::Model| per_company.get(&c.id).map_or(0, |x| x.1);
    ranked.sort_by(|a, b| mrr(b).cmp(&mrr(a)).then(a.id.cmp(&b.id)));
    let top = ranked
        .iter()
        .take(TOP_COMPANIES)
        .map(|c| {
            let plan_name = c
                .plan
                .as_deref()
                .and_then(|id| id.parse().ok())
                .and_then(|id: PlanId| plans.get(&id))
                .map(|pl| pl.name.clone());
            CompanyFigures {
                company_id: c.id.to_string(),
                name: c.name.clone(),
                status: c.status,
                plan: plan_name,
                currency: per_company.get(&c.id).map(|x| x.0.currency.clone()),
                mrr_cents: mrr(c),
            }
        })
        .collect();

    let usage_month = crate::usage::current_month().to_string();
    let rows: HashMap<CompanyId, usage_table::Model> = usage_table::of_month(db, &usage_month)
        .await?
        .into_iter()
        .map(|r| (r.company_id, r))
        .collect();
    let usage_of: Vec<(CompanyId, CompanyUsage)> = ranked
        .iter()
        .map(|c| {
            let figures = rows.get(&c.id).map(UsageFigures::from).unwrap_or_default();
            (
                c.id,
                CompanyUsage {
                    company_id: c.id.to_string(),
                    name: c.name.clone(),
                    usage: figures,
                },
            )
        })
        .collect();
    let largest = leaders(
        &usage_of,
        |u| u.users > 0,
        |a, b| (b.users, b.patients, b.storage_bytes).cmp(&(a.users, a.patients, a.storage_bytes)),
    );
    let most_active = leaders(
        &usage_of,
        |u| u.api_calls > 0,
        |a, b| b.api_calls.cmp(&a.api_calls),
    );
    Ok(Analytics {
        as_of: now.to_string(),
        companies_by_status: by_status,
        months,
        revenue,
        trial_conversion,
        top_companies: top,
        largest_companies: largest,
        most_active_companies: most_active,
        usage_month,
        usage: usage_of.into_iter().map(|(_, u)| u).collect(),
        schema_versions: versions
            .into_iter()
            .map(|(version, companies)| SchemaVersionCount { version, companies })
            .collect(),
    })
}

/// The first [`TOP_COMPANIES`] of the companies that `counts` keeps, in the order of
/// `first` (ties by company id).
fn leaders(
    all: &[(CompanyId, CompanyUsage)],
    counts: impl Fn(&UsageFigures) -> bool,
    first: impl Fn(&UsageFigures, &UsageFigures) -> Ordering,
) -> Vec<CompanyUsage> {
    let mut kept: Vec<&(CompanyId, CompanyUsage)> =
        all.iter().filter(|(_, c)| counts(&c.usage)).collect();
    kept.sort_by(|(ia, a), (ib, b)| first(&a.usage, &b.usage).then(ia.cmp(ib)));
    kept.into_iter()
        .take(TOP_COMPANIES)
        .map(|(_, c)| c.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(
        n: u128,
        users: i64,
        patients: i64,
        storage_bytes: i64,
        api_calls: i64,
    ) -> (CompanyId, CompanyUsage) {
        let id = CompanyId(uuid::Uuid::from_u128(n));
        let usage = UsageFigures {
            users,
            patients,
            storage_bytes,
            api_calls,
            ..UsageFigures::default()
        };
        (
            id,
            CompanyUsage {
                company_id: id.to_string(),
                name: format!("c{n}"),
                usage,
            },
        )
    }

    #[test]
    fn leaders_skip_the_zeros_break_ties_by_id_and_stop_at_ten() {
        let mut all: Vec<_> = (1..=12)
            .map(|n| company(n, 1, 0, 0, 10 + n as i64))
            .collect();
        all.push(company(20, 0, 99, 99, 0));
        all.push(company(21, 1, 0, 0, 22));
        let calls = leaders(
            &all,
            |u| u.api_calls > 0,
            |a, b| b.api_calls.cmp(&a.api_calls),
        );
        let names: Vec<&str> = calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "c12", "c21", "c11", "c10", "c9", "c8", "c7", "c6", "c5", "c4"
            ]
        );
        let users = leaders(&all, |u| u.users > 0, |a, b| b.users.cmp(&a.users));
        assert_eq!(users.len(), 10);
        assert_eq!(users[0].name, "c1", "ties go by company id");
        assert!(
            users.iter().all(|c| c.name != "c20"),
            "no active user, not listed"
        );
    }

    #[test]
    fn twelve_months_end_with_the_current_one() {
        let m = last_twelve_months("2026-03-15T00:00:00Z".parse().unwrap());
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], "2025-04");
        assert_eq!(m[11], "2026-03");
    }
}
