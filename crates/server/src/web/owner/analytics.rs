//! `/owner/analytics`: the platform's analytics (OWNER only) as server-drawn charts, each
//! with its numbers in a table beside it: companies by status, new and churned companies per
//! month, MRR and ARR per currency, trial conversion, the companies with the largest MRR,
//! the largest and the most active companies, usage per company and the fleet's schema
//! versions. The numbers are the JSON API's (`GET /api/owner/analytics`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use smartdmv_platform::billing::analytics::{CompanyUsage, MonthFigures, SchemaVersionCount};

use super::super::chart::{BarChart, Series};
use super::super::chrome::{Chrome, PageCtx};
use super::super::display::money;
use super::super::error::WebResult;
use super::super::html;
use super::super::session::Owner;
use super::format;
use crate::state::AppState;
use smartdmv_platform::service::analytics;

/// A status code as a label: `PAST_DUE` -> `Past due`.
pub fn status_words(status: &str) -> String {
    let lower = status.replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A month's label under its bars: `Feb`, with the year under the first month shown and
/// under each January (`Jan\n2026`).
fn month_label(month: &str, first: bool) -> String {
    let (year, m) = month.split_once('-').unwrap_or((month, ""));
    let Some(name) = m
        .parse::<usize>()
        .ok()
        .and_then(|i| MONTHS.get(i.wrapping_sub(1)))
    else {
        return month.to_owned();
    };
    if first || *name == "Jan" {
        format!("{name}\n{year}")
    } else {
        (*name).to_owned()
    }
}

/// New and churned companies per month, as paired bars.
pub fn months_chart(id: &str, months: &[MonthFigures]) -> BarChart {
    BarChart {
        id: id.into(),
        title: "New and churned companies per month".into(),
        categories: months.iter().map(|m| m.month.clone()).collect(),
        axis_labels: months
            .iter()
            .enumerate()
            .map(|(i, m)| month_label(&m.month, i == 0))
            .collect(),
        series: vec![
            Series {
                name: "New".into(),
                values: months.iter().map(|m| m.new).collect(),
            },
            Series {
                name: "Churned".into(),
                values: months.iter().map(|m| m.churned).collect(),
            },
        ],
    }
}

struct StatusRow {
    status: String,
    label: String,
    companies: u64,
}

struct RevenueRow {
    currency: String,
    mrr: String,
    arr: String,
    paying: u64,
}

struct TopRow {
    id: String,
    name: String,
    status: String,
    plan: String,
    mrr: String,
}

/// A company's usage of the month, storage in human units.
struct UsageRow {
    id: String,
    name: String,
    users: i64,
    practices: i64,
    clients: i64,
    patients: i64,
    appointments: i64,
    storage: String,
    api_calls: i64,
    /// When the gauges were counted; `None` when not yet this month.
    counted_at: Option<String>,
}

impl From<&CompanyUsage> for UsageRow {
    fn from(c: &CompanyUsage) -> Self {
        let u = &c.usage;
        Self {
            id: c.company_id.clone(),
            name: c.name.clone(),
            users: u.users,
            practices: u.practices,
            clients: u.clients,
            patients: u.patients,
            appointments: u.appointments,
            storage: format::bytes(u.storage_bytes),
            api_calls: u.api_calls,
            counted_at: u.counted_at.as_deref().map(format::moment),
        }
    }
}

#[derive(Template)]
#[template(path = "owner/analytics.html")]
struct AnalyticsPage {
    chrome: Chrome,
    as_of: String,
    statuses: Vec<StatusRow>,
    status_chart: String,
    months: Vec<MonthFigures>,
    months_chart: String,
    revenue: Vec<RevenueRow>,
    trials_ended: u64,
    trials_converted: u64,
    /// The conversion rate in whole percent; empty before any trial ended.
    conversion_rate: String,
    conversion_chart: String,
    top: Vec<TopRow>,
    largest: Vec<UsageRow>,
    most_active: Vec<UsageRow>,
    usage_month: String,
    /// The first [`USAGE_ROWS`] companies of the API's list (by MRR).
    usage: Vec<UsageRow>,
    /// Served companies beyond those rows.
    usage_more: usize,
    versions: Vec<SchemaVersionCount>,
    versions_chart: String,
}

/// Rows of the usage table: a platform of thousands of companies shows its first hundred
/// by MRR here; each company's usage page has its own figures.
const USAGE_ROWS: usize = 100;

/// `GET /owner/analytics`
pub async fn show(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
) -> WebResult<Response> {
    let a = analytics::get(&s.owner(&op)).await?;
    let statuses: Vec<StatusRow> = a
        .companies_by_status
        .iter()
        .map(|(status, n)| StatusRow {
            label: status_words(status),
            status: status.clone(),
            companies: *n,
        })
        .collect();
    let status_chart = BarChart::single(
        "chart-status",
        "Companies by status",
        "Companies",
        statuses.iter().map(|r| (r.label.clone(), r.companies)),
    );
    let t = &a.trial_conversion;
    let conversion_chart = BarChart::single(
        "chart-trials",
        "Trials that ended, by outcome",
        "Trials",
        [
            ("Converted".to_owned(), t.converted),
            (
                "Did not convert".to_owned(),
                t.ended.saturating_sub(t.converted),
            ),
        ],
    );
    let versions_chart = BarChart::single(
        "chart-schema",
        "Companies per schema version",
        "Companies",
        a.schema_versions
            .iter()
            .map(|v| (format!("v{}", v.version), v.companies)),
    );
    html(&AnalyticsPage {
        chrome: Chrome::platform(&ctx, "Analytics", &op),
        as_of: a
            .as_of
            .parse::<jiff::Timestamp>()
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|_| a.as_of.clone()),
        status_chart: status_chart.svg(),
        statuses,
        months_chart: months_chart("chart-months", &a.months).svg(),
        months: a.months,
        revenue: a
            .revenue
            .iter()
            .map(|r| RevenueRow {
                currency: r.currency.clone(),
                mrr: money(r.mrr_cents, &r.currency),
                arr: money(r.arr_cents, &r.currency),
                paying: r.paying_companies,
            })
            .collect(),
        trials_ended: t.ended,
        trials_converted: t.converted,
        conversion_rate: t
            .rate
            .map(|r| format!("{:.0}%", r * 100.0))
            .unwrap_or_default(),
        conversion_chart: conversion_chart.svg(),
        top: a
            .top_companies
            .iter()
            .map(|c| TopRow {
                id: c.company_id.clone(),
                name: c.name.clone(),
                status: c.status.to_string(),
                plan: c.plan.clone().unwrap_or_default(),
                mrr: c
                    .currency
                    .as_deref()
                    .map(|cur| money(c.mrr_cents, cur))
                    .unwrap_or_default(),
            })
            .collect(),
        largest: a.largest_companies.iter().map(UsageRow::from).collect(),
        most_active: a.most_active_companies.iter().map(UsageRow::from).collect(),
        usage_month: a.usage_month,
        usage: a
            .usage
            .iter()
            .take(USAGE_ROWS)
            .map(UsageRow::from)
            .collect(),
        usage_more: a.usage.len().saturating_sub(USAGE_ROWS),
        versions_chart: versions_chart.svg(),
        versions: a.schema_versions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_words() {
        assert_eq!(status_words("PAST_DUE"), "Past due");
        assert_eq!(status_words("ACTIVE"), "Active");
        assert_eq!(status_words(""), "");
    }

    #[test]
    fn months_are_labelled_short_with_the_year_where_it_changes() {
        assert_eq!(month_label("2025-04", true), "Apr\n2025");
        assert_eq!(month_label("2025-05", false), "May");
        assert_eq!(month_label("2026-01", false), "Jan\n2026");
        assert_eq!(month_label("garbage", false), "garbage");
        assert_eq!(month_label("2026-13", false), "2026-13");
        assert_eq!(month_label("2026-00", false), "2026-00");
    }
}
