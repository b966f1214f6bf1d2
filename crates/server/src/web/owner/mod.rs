//! `/owner`: the platform owner's dashboard on the platform host. Headline figures, the
//! companies (list, search, create, one company's page and its actions), plans, each
//! company's subscription, invoices and usage, platform users and the platform's analytics.
//! A COMPANY_ADMIN sees their own company's pages here.

mod analytics;
mod company;
mod format;
mod invoice;
mod invoices;
mod overrides;
mod plan;
mod plans;
mod subscription;
mod subscription_forms;
mod unapplied;
mod usage;
mod users;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use smartdmv_domain::CompanyStatus;
use smartdmv_store::owner::company as company_store;
use std::collections::BTreeMap;

use super::chrome::{Chrome, PageCtx};
use super::error::WebResult;
use super::html;
use super::session::Owner;
use crate::state::AppState;
use smartdmv_platform::service::analytics as analytics_service;
use smartdmv_platform::service::companies::{self, ListInput};
use smartdmv_platform::service::plans as plan_service;
use smartdmv_platform::service::views::CompanyOut;
use smartdmv_platform::service::{Page, PageRequest};
use smartdmv_platform::{PlatformError, PlatformResult};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/owner", get(dashboard))
        .route("/owner/analytics", get(analytics::show))
        .route("/owner/companies", get(list).post(company::create))
        .route("/owner/companies/new", get(company::new_form))
        .route("/owner/companies/{id}", get(company::show))
        .route("/owner/companies/{id}/status", post(company::set_status))
        .route("/owner/companies/{id}/provision", post(company::retry))
        .route(
            "/owner/companies/{id}/archive",
            get(company::archive_confirm).post(company::archive),
        )
        .route("/owner/companies/{id}/domains", post(company::add_domain))
        .route(
            "/owner/companies/{id}/domains/{domain}/verify",
            post(company::verify_domain),
        )
        .route(
            "/owner/companies/{id}/impersonate",
            post(company::impersonate),
        )
        .route("/owner/users", get(users::list).post(users::create))
        .route("/owner/plans", get(plans::list).post(plan::create))
        .route("/owner/plans/new", get(plan::new_form))
        .route("/owner/plans/{id}", get(plan::edit).post(plan::update))
        .route("/owner/plans/{id}/active", post(plan::set_active))
        .route("/owner/plans/{id}/delete", post(plan::remove))
        .route(
            "/owner/companies/{id}/subscription",
            get(subscription::show),
        )
        .route(
            "/owner/companies/{id}/subscription/plan",
            post(subscription_forms::change_plan),
        )
        .route(
            "/owner/companies/{id}/subscription/cancel",
            post(subscription_forms::cancel),
        )
        .route(
            "/owner/companies/{id}/subscription/billing",
            post(subscription_forms::billing),
        )
        .route(
            "/owner/companies/{id}/subscription/contact",
            post(subscription_forms::contact),
        )
        .route(
            "/owner/companies/{id}/subscription/start",
            post(subscription_forms::start),
        )
        .route("/owner/invoices", get(invoices::list))
        .route("/owner/billing/run", post(invoices::run_billing))
        .route(
            "/owner/companies/{id}/invoices",
            get(invoices::list_for_company),
        )
        .route("/owner/invoices/{id}", get(invoice::show))
        .route("/owner/invoices/{id}/payments", post(invoice::pay))
        .route("/owner/invoices/{id}/void", post(invoice::void))
        .route("/owner/invoices/{id}/write-off", post(invoice::write_off))
        .route(
            "/owner/unapplied-payments/{id}/resolve",
            post(unapplied::resolve),
        )
        .route("/owner/companies/{id}/usage", get(usage::show))
        .route("/owner/companies/{id}/usage/recount", post(usage::recount))
        .route("/owner/companies/{id}/overrides", post(overrides::save))
}

/// The pages of this area, for the page-permission tests.
pub const PAGES: &[&str] = &[
    "/owner",
    "/owner/analytics",
    "/owner/companies",
    "/owner/companies/new",
    "/owner/companies/{company}",
    "/owner/companies/{company}/archive",
    "/owner/companies/{company}/subscription",
    "/owner/companies/{company}/invoices",
    "/owner/companies/{company}/usage",
    "/owner/users",
    "/owner/plans",
    "/owner/plans/new",
    "/owner/plans/{plan}",
    "/owner/invoices",
    "/owner/invoices/{invoice}",
];

pub struct Figure {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "owner/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    figures: Vec<Figure>,
    recent: Vec<CompanyOut>,
    /// New and churned companies of the last twelve months (SVG).
    months_chart: String,
    plan_names: BTreeMap<String, String>,
}

/// Every plan's name by id, for the company tables.
async fn plan_names(
    s: &AppState,
    op: &crate::auth::PlatformPrincipal,
) -> WebResult<BTreeMap<String, String>> {
    Ok(plan_service::all(&s.owner(op), false)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

async fn dashboard(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
) -> WebResult<Response> {
    let db = s.platform.owner.conn();
    let mut figures = vec![Figure {
        label: "Companies",
        value: company_store::count_all(db).await?.to_string(),
    }];
    for (label, status) in [
        ("Active", CompanyStatus::Active),
        ("On trial", CompanyStatus::Trial),
        ("Past due", CompanyStatus::PastDue),
        ("Suspended", CompanyStatus::Suspended),
        ("Failed provisioning", CompanyStatus::Failed),
    ] {
        let n = company_store::list_with_status(db, &[status]).await?.len();
        figures.push(Figure {
            label,
            value: n.to_string(),
        });
    }
    let m = s.platform.registry.metrics();
    figures.push(Figure {
        label: "Open tenant pools",
        value: m.live_pools.to_string(),
    });
    let input = ListInput {
        page: PageRequest {
            limit: Some(10),
            cursor: None,
        },
        ..ListInput::default()
    };
    let page = companies::list(&s.owner(&op), input).await?;
    let months = analytics_service::months(&s.owner(&op)).await?;
    html(&DashboardPage {
        plan_names: plan_names(&s, &op).await?,
        chrome: Chrome::platform(&ctx, "Dashboard", &op),
        figures,
        recent: page.items,
        months_chart: analytics::months_chart("dash-months", &months).svg(),
    })
}

#[derive(Template)]
#[template(path = "owner/companies.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    status: String,
    statuses: Vec<&'static str>,
    page: Page<CompanyOut>,
    next_href: Option<String>,
    plan_names: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let query = q.q.clone().unwrap_or_default();
    let status = q.status.clone().unwrap_or_default();
    let input = ListInput {
        status: Some(status.clone()).filter(|s| !s.is_empty()),
        q: Some(query.clone()).filter(|s| !s.is_empty()),
        page: PageRequest {
            limit: Some(25),
            cursor: q.cursor,
        },
    };
    let page = companies::list(&s.owner(&op), input).await?;
    let next_href = page.next_cursor.as_ref().map(|c| {
        format!(
            "/owner/companies?q={}&status={}&cursor={}",
            super::url_encode(&query),
            super::url_encode(&status),
            super::url_encode(c)
        )
    });
    html(&ListPage {
        plan_names: plan_names(&s, &op).await?,
        chrome: Chrome::platform(&ctx, "Companies", &op),
        q: query,
        status,
        statuses: vec![
            "PROVISIONING",
            "TRIAL",
            "ACTIVE",
            "PAST_DUE",
            "SUSPENDED",
            "FAILED",
        ],
        page,
        next_href,
    })
}

/// The company id of a page's path; a malformed one is not found, as an unknown one.
pub(crate) fn company_id(raw: &str) -> PlatformResult<smartdmv_domain::CompanyId> {
    raw.parse().map_err(|_| PlatformError::NotFound("company"))
}

/// A company the user sees, with its subscription.
pub(crate) async fn company(
    s: &AppState,
    op: &crate::auth::PlatformPrincipal,
    id: &str,
) -> PlatformResult<CompanyOut> {
    companies::get(&s.owner(op), company_id(id)?).await
}

/// Changes a company the user sees.
pub(crate) async fn update_company(
    s: &AppState,
    op: &crate::auth::PlatformPrincipal,
    id: &str,
    changes: smartdmv_platform::company::CompanyChanges,
) -> PlatformResult<CompanyOut> {
    companies::update(&s.owner(op), company_id(id)?, changes).await
}
