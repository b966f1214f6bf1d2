//! Lists of platform invoices in the owner dashboard: every invoice (OWNER, filtered by
//! status, with a "run billing now" button) and one company's invoices (OWNER and the
//! company's own COMPANY_ADMIN; another company's answer 404). The list of every invoice
//! also shows the open unapplied payments (`unapplied.rs`). One invoice is `invoice.rs`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::{InvoiceStatus, UnappliedState};
use smartdmv_store::owner::company as company_store;
use std::collections::BTreeMap;

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::{Flash, Form};
use super::super::error::WebResult;
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, html, redirect_flash, url_encode};
use super::format;
use super::unapplied::{self, UnappliedRow};
use crate::auth::PlatformPrincipal;
use crate::state::AppState;
use smartdmv_platform::service::PageRequest;
use smartdmv_platform::service::invoices::{self, ListInput};
use smartdmv_platform::service::views::InvoiceSummary;

/// An invoice as a list row shows it.
pub struct InvoiceRow {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub company: String,
    pub reason: String,
    pub status: String,
    pub issued: String,
    pub due: String,
    pub period: String,
    pub total: String,
    pub amount_due: String,
}

pub(super) fn period(start: Option<&str>, end: Option<&str>) -> String {
    match (start, end) {
        (Some(a), Some(b)) => format!("{} to {}", format::day(a), format::day(b)),
        _ => String::new(),
    }
}

pub(super) fn row(i: &InvoiceSummary, names: &BTreeMap<String, String>) -> InvoiceRow {
    InvoiceRow {
        id: i.id.clone(),
        number: i.number.clone(),
        company_id: i.company_id.clone(),
        company: names
            .get(&i.company_id)
            .cloned()
            .unwrap_or_else(|| i.company_id.clone()),
        reason: format::words(&i.reason),
        status: i.status.to_string(),
        issued: format::day(&i.issued_at),
        due: format::day(&i.due_at),
        period: period(i.period_start.as_deref(), i.period_end.as_deref()),
        total: format::money(i.total_cents, &i.currency),
        amount_due: format::money(i.amount_due_cents, &i.currency),
    }
}

/// The names of the companies of `ids` (an id the owner database does not know stays out).
pub(super) async fn company_names<'a>(
    s: &AppState,
    ids: impl Iterator<Item = &'a str>,
) -> WebResult<BTreeMap<String, String>> {
    let mut names = BTreeMap::new();
    for id in ids {
        if names.contains_key(id) {
            continue;
        }
        let Ok(cid) = id.parse::<CompanyId>() else {
            continue;
        };
        if let Some(c) = company_store::find(s.platform.owner.conn(), cid).await? {
            names.insert(id.to_owned(), c.name);
        }
    }
    Ok(names)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "owner/invoices.html")]
struct ListPage {
    chrome: Chrome,
    heading: String,
    /// The company id of a company's list; `None` on the list of every invoice.
    company: Option<String>,
    is_owner: bool,
    action: String,
    status: String,
    statuses: Vec<&'static str>,
    invoices: Vec<InvoiceRow>,
    next_href: Option<String>,
    /// Open unapplied payments (on the list of every invoice).
    unapplied: Vec<UnappliedRow>,
    /// A resolve form sent back with the API's refusal.
    resolving: Option<ResolveForm>,
}

impl ListPage {
    /// The refused resolve form of the unapplied payment `id`, if that one was sent.
    fn refused(&self, id: &str) -> Option<&ResolveForm> {
        self.resolving.as_ref().filter(|r| r.id == id)
    }
}

/// A submitted resolve form of one unapplied payment, with the API's refusal.
pub struct ResolveForm {
    pub id: String,
    pub state: String,
    pub note: String,
    pub errors: FormErrors,
}

fn params(q: &ListQuery) -> ListInput {
    ListInput {
        status: q.status.clone().filter(|s| !s.is_empty()),
        company_id: None,
        page: PageRequest {
            limit: Some(25),
            cursor: q.cursor.clone().filter(|c| !c.is_empty()),
        },
    }
}

fn next_href(action: &str, status: &str, cursor: Option<&String>) -> Option<String> {
    cursor.map(|c| {
        format!(
            "{action}?status={}&cursor={}",
            url_encode(status),
            url_encode(c)
        )
    })
}

fn statuses() -> Vec<&'static str> {
    InvoiceStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// `GET /owner/invoices?status=&cursor=` (OWNER)
pub async fn list(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    list_page(&s, &ctx, &op, q, None).await
}

/// Every invoice with the open unapplied payments; `resolving` is a resolve form refused.
pub(super) async fn list_page(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    q: ListQuery,
    resolving: Option<ResolveForm>,
) -> WebResult<Response> {
    let page = invoices::list(&s.owner(op), params(&q)).await?;
    let names = company_names(s, page.items.iter().map(|i| i.company_id.as_str())).await?;
    let status = q.status.unwrap_or_default();
    let action = "/owner/invoices".to_owned();
    html(&ListPage {
        chrome: Chrome::platform(ctx, "Invoices", op),
        heading: "Invoices".into(),
        company: None,
        is_owner: true,
        next_href: next_href(&action, &status, page.next_cursor.as_ref()),
        action,
        status,
        statuses: statuses(),
        invoices: page.items.iter().map(|i| row(i, &names)).collect(),
        unapplied: unapplied::rows(s, op, Some(UnappliedState::Open.as_str()), None).await?,
        resolving,
    })
}

/// `GET /owner/companies/{id}/invoices?status=&cursor=` (OWNER, the company's COMPANY_ADMIN)
pub async fn list_for_company(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> WebResult<Response> {
    let page =
        invoices::list_for_company(&s.owner(&op), super::company_id(&id)?, params(&q)).await?;
    let names = company_names(&s, std::iter::once(id.as_str())).await?;
    let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
    let status = q.status.unwrap_or_default();
    let action = format!("/owner/companies/{id}/invoices");
    html(&ListPage {
        chrome: Chrome::platform(&ctx, format!("Invoices of {name}"), &op),
        heading: format!("Invoices of {name}"),
        company: Some(id),
        is_owner: op.is_owner(),
        next_href: next_href(&action, &status, page.next_cursor.as_ref()),
        action,
        status,
        statuses: statuses(),
        invoices: page.items.iter().map(|i| row(i, &names)).collect(),
        unapplied: Vec::new(),
        resolving: None,
    })
}

/// `POST /owner/billing/run` (OWNER): the billing tick now, for the billing clock's time.
pub async fn run_billing(
    State(s): State<AppState>,
    Owner(op): Owner,
    Form(_): Form<Pairs>,
) -> WebResult<Response> {
    let r = invoices::run_billing(&s.owner(&op)).await?;
    let summary = format!(
        "Billing ran for {}: {} subscriptions checked, {} changes, {} invoices issued.",
        format::moment(&r.now),
        r.subscriptions,
        r.steps,
        r.invoices_issued
    );
    let flash = if r.errors.is_empty() {
        Flash::success(summary)
    } else {
        Flash::error(format!(
            "{summary} {} failed: {}",
            r.errors.len(),
            r.errors.join("; ")
        ))
    };
    Ok(redirect_flash(&s, "/owner/invoices", flash))
}
