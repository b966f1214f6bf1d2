//! The owner's platform analytics, as of the billing clock's now: companies by status, new
//! and churned companies per month (the last twelve), MRR and ARR per currency, trial
//! conversion, usage and MRR of the largest companies, and the fleet's schema versions.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use smartdmv_domain::CompanyStatus;
use smartdmv_domain::billing::SubscriptionStatus;
use smartdmv_domain::billing::money::mul_div_round;
use smartdmv_domain::plan::PlanInterval;
use smartdmv_store::owner::subscription::{self, event};
use smartdmv_store::owner::{company, plan};
use std::collections::{BTreeMap, HashMap};

use super::clock::to_instant;
use super::usage::{self, Usage};
use crate::{Platform, TenancyError};

/// Companies whose usage is counted (each costs two queries on its database).
const USAGE_COMPANIES: usize = 50;
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
    /// The served companies with the largest MRR, largest first.
    pub top_companies: Vec<CompanyFigures>,
    /// Usage of served companies (the largest by MRR first, up to fifty).
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
    pub status: String,
    pub plan: Option<String>,
    pub currency: Option<String>,
    pub mrr_cents: i64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyUsage {
    pub company_id: String,
    pub name: String,
    /// `null` when the company's database could not be read.
    pub usage: Option<Usage>,
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
    match p.interval() {
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
        let from = e.from_status.as_deref().and_then(SubscriptionStatus::parse);
        let to = SubscriptionStatus::parse(&e.to_status);
        if to == Some(SubscriptionStatus::Canceled) && from != to {
            *churned.entry(month_of(at)).or_insert(0) += 1;
        }
        if from == Some(SubscriptionStatus::Trialing) && to != from {
            ended += 1;
            converted += u64::from(to == Some(SubscriptionStatus::Active));
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
/// that reads no company's database (for the dashboard).
pub async fn months(p: &Platform) -> Result<Vec<MonthFigures>, TenancyError> {
    let db = p.owner.conn();
    let companies = company::list_with_status(db, &CompanyStatus::ALL).await?;
    Ok(lifecycle(&companies, &event::all(db).await?, p.clock.now()).0)
}

pub async fn compute(p: &Platform) -> Result<Analytics, TenancyError> {
    let now = p.clock.now();
    let db = p.owner.conn();
    let companies = company::list_with_status(db, &CompanyStatus::ALL).await?;
    let subs = subscription::all(db).await?;
    let plans: HashMap<uuid::Uuid, plan::Model> = plan::all(db)
        .await?
        .into_iter()
        .map(|pl| (pl.id, pl))
        .collect();

    let mut by_status = BTreeMap::new();
    let mut versions: BTreeMap<i32, u64> = BTreeMap::new();
    for c in &companies {
        *by_status.entry(c.status.clone()).or_insert(0) += 1;
        if c.status() != CompanyStatus::Archived {
            *versions.entry(c.schema_version).or_insert(0) += 1;
        }
    }

    let (months, trial_conversion) = lifecycle(&companies, &event::all(db).await?, now);

    // Revenue: per currency, and per company for the top list.
    let mut monthly: BTreeMap<String, (i64, i64, u64)> = BTreeMap::new();
    let mut per_company: HashMap<uuid::Uuid, (&plan::Model, i64)> = HashMap::new();
    for s in &subs {
        let Some(pl) = plans.get(&s.plan_id) else {
            continue;
        };
        if !s.status().is_paying() || s.suspended_at.is_some() {
            continue;
        }
        let e = monthly.entry(pl.currency.clone()).or_insert((0, 0, 0));
        match pl.interval() {
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
        .filter(|c| c.status().serving() == smartdmv_domain::company::Serving::Serve)
        .collect();
    let mrr = |c: &company::Model| per_company.get(&c.id).map_or(0, |x| x.1);
    ranked.sort_by(|a, b| mrr(b).cmp(&mrr(a)).then(a.id.cmp(&b.id)));
    let mut top = Vec::new();
    let mut usage_list = Vec::new();
    for c in ranked.into_iter().take(USAGE_COMPANIES) {
        usage_list.push(CompanyUsage {
            company_id: c.id.to_string(),
            name: c.name.clone(),
            usage: usage::current(p, c).await.ok(),
        });
        if top.len() < TOP_COMPANIES {
            let on = per_company.get(&c.id);
            let plan_name = c
                .plan
                .as_deref()
                .and_then(|id| id.parse().ok())
                .and_then(|id: uuid::Uuid| plans.get(&id))
                .map(|pl| pl.name.clone());
            top.push(CompanyFigures {
                company_id: c.id.to_string(),
                name: c.name.clone(),
                status: c.status.clone(),
                plan: plan_name,
                currency: on.map(|x| x.0.currency.clone()),
                mrr_cents: mrr(c),
            });
        }
    }
    Ok(Analytics {
        as_of: now.to_string(),
        companies_by_status: by_status,
        months,
        revenue,
        trial_conversion,
        top_companies: top,
        usage: usage_list,
        schema_versions: versions
            .into_iter()
            .map(|(version, companies)| SchemaVersionCount { version, companies })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_months_end_with_the_current_one() {
        let m = last_twelve_months("2026-03-15T00:00:00Z".parse().unwrap());
        assert_eq!(m.len(), 12);
        assert_eq!(m[0], "2025-04");
        assert_eq!(m[11], "2026-03");
    }
}
