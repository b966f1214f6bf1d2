//! Platform invoices in the owner dashboard: every invoice (OWNER, filtered by status, with
//! a "run billing now" button), one company's invoices (OWNER and the company's own
//! COMPANY_ADMIN), and one invoice with its lines, payments and credit note, where an OWNER
//! records a manual payment, writes it off or voids it. The API answers 404 for another
//! company's invoice, so a COMPANY_ADMIN never sees one.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::InvoiceStatus;
use smartdmv_store::owner::company as company_store;
use std::collections::BTreeMap;

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::{Flash, Form};
use super::super::error::WebResult;
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, edit_result, html, redirect_flash, url_encode, with_status};
use super::format;
use crate::api::billing::invoices::{self as api, InvoiceOut, InvoiceSummary, ListParams};
use crate::api::billing::{self as billing_api};
use crate::app::AppState;
use crate::auth::PlatformPrincipal;
use crate::extract::{ApiJson, ApiQuery};

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

fn period(start: Option<&str>, end: Option<&str>) -> String {
    match (start, end) {
        (Some(a), Some(b)) => format!("{} to {}", format::day(a), format::day(b)),
        _ => String::new(),
    }
}

fn row(i: &InvoiceSummary, names: &BTreeMap<String, String>) -> InvoiceRow {
    InvoiceRow {
        id: i.id.clone(),
        number: i.number.clone(),
        company_id: i.company_id.clone(),
        company: names
            .get(&i.company_id)
            .cloned()
            .unwrap_or_else(|| i.company_id.clone()),
        reason: format::words(&i.reason),
        status: i.status.clone(),
        issued: format::day(&i.issued_at),
        due: format::day(&i.due_at),
        period: period(i.period_start.as_deref(), i.period_end.as_deref()),
        total: format::money(i.total_cents, &i.currency),
        amount_due: format::money(i.amount_due_cents, &i.currency),
    }
}

/// The names of the companies of `ids` (an id the owner database does not know stays out).
async fn company_names<'a>(
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

#[derive(Deserialize)]
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
}

fn params(q: &ListQuery) -> ListParams {
    ListParams {
        status: q.status.clone().filter(|s| !s.is_empty()),
        company_id: None,
        limit: Some(25),
        cursor: q.cursor.clone().filter(|c| !c.is_empty()),
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
    let Json(page) = api::list(State(s.clone()), op.clone(), ApiQuery(params(&q))).await?;
    let names = company_names(&s, page.items.iter().map(|i| i.company_id.as_str())).await?;
    let status = q.status.unwrap_or_default();
    let action = "/owner/invoices".to_owned();
    html(&ListPage {
        chrome: Chrome::platform(&ctx, "Invoices", &op),
        heading: "Invoices".into(),
        company: None,
        is_owner: true,
        next_href: next_href(&action, &status, page.next_cursor.as_ref()),
        action,
        status,
        statuses: statuses(),
        invoices: page.items.iter().map(|i| row(i, &names)).collect(),
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
    let Json(page) = api::list_for_company(
        State(s.clone()),
        op.clone(),
        Path(id.clone()),
        ApiQuery(params(&q)),
    )
    .await?;
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
    })
}

/// `POST /owner/billing/run` (OWNER): the billing tick now, for the billing clock's time.
pub async fn run_billing(
    State(s): State<AppState>,
    Owner(op): Owner,
    Form(_): Form<Pairs>,
) -> WebResult<Response> {
    let Json(r) = billing_api::run(State(s.clone()), op).await?;
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

pub struct LineRow {
    pub kind: String,
    pub description: String,
    pub period: String,
    pub amount: String,
}

pub struct PaymentRow {
    pub received: String,
    pub provider: String,
    pub reference: String,
    pub amount: String,
    pub recorded_by: String,
}

pub struct CreditNoteRow {
    pub number: String,
    pub total: String,
    pub reason: String,
    pub issued: String,
    pub issued_by: String,
}

/// The invoice as its page shows it.
pub struct InvoiceView {
    pub row: InvoiceRow,
    pub subtotal: String,
    pub tax_rate: String,
    pub tax: String,
    pub amount_paid: String,
    pub paid_at: Option<String>,
    pub voided_at: Option<String>,
    pub lines: Vec<LineRow>,
    pub payments: Vec<PaymentRow>,
    pub credit_note: Option<CreditNoteRow>,
    pub may_pay: bool,
    pub may_void: bool,
    pub may_write_off: bool,
}

fn text(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

fn view(i: &InvoiceOut, names: &BTreeMap<String, String>) -> InvoiceView {
    let inv = &i.invoice;
    let cur = inv.currency.as_str();
    let status = InvoiceStatus::parse(&inv.status);
    InvoiceView {
        row: row(inv, names),
        subtotal: format::money(inv.subtotal_cents, cur),
        tax_rate: format::percent(inv.tax_rate_bp),
        tax: format::money(inv.tax_cents, cur),
        amount_paid: format::money(inv.amount_paid_cents, cur),
        paid_at: inv.paid_at.as_deref().map(format::moment),
        voided_at: inv.voided_at.as_deref().map(format::moment),
        lines: i
            .lines
            .iter()
            .map(|l| LineRow {
                kind: format::words(&text(l, "kind")),
                description: text(l, "description"),
                period: period(l["periodStart"].as_str(), l["periodEnd"].as_str()),
                amount: format::money(l["amountCents"].as_i64().unwrap_or_default(), cur),
            })
            .collect(),
        payments: i
            .payments
            .iter()
            .map(|p| PaymentRow {
                received: format::moment(&text(p, "receivedAt")),
                provider: text(p, "provider"),
                reference: text(p, "reference"),
                amount: format::money(
                    p["amountCents"].as_i64().unwrap_or_default(),
                    p["currency"].as_str().unwrap_or(cur),
                ),
                recorded_by: text(p, "recordedBy"),
            })
            .collect(),
        credit_note: i.credit_note.as_ref().map(|c| CreditNoteRow {
            number: text(c, "number"),
            total: format::money(c["totalCents"].as_i64().unwrap_or_default(), cur),
            reason: text(c, "reason"),
            issued: format::moment(&text(c, "issuedAt")),
            issued_by: text(c, "issuedBy"),
        }),
        may_pay: status.is_some_and(InvoiceStatus::may_pay),
        may_void: status.is_some_and(InvoiceStatus::may_void),
        may_write_off: status.is_some_and(InvoiceStatus::may_write_off),
    }
}

/// The owner's forms on an invoice, as typed.
#[derive(Debug, Default)]
pub struct ActionForm {
    amount: String,
    reference: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "owner/invoice.html")]
struct InvoicePage {
    chrome: Chrome,
    inv: InvoiceView,
    is_owner: bool,
    form: ActionForm,
    errors: FormErrors,
}

async fn invoice_page(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    submitted: Option<&Pairs>,
    errors: FormErrors,
) -> WebResult<Response> {
    let Json(i) = api::show(State(s.clone()), op.clone(), Path(id.to_owned())).await?;
    let names = company_names(s, std::iter::once(i.invoice.company_id.as_str())).await?;
    let form = match submitted {
        Some(f) => ActionForm {
            amount: f.get("amount").to_owned(),
            reference: f.get("reference").to_owned(),
            reason: f.get("reason").to_owned(),
        },
        None => ActionForm {
            amount: format::amount_field(i.invoice.amount_due_cents),
            ..ActionForm::default()
        },
    };
    html(&InvoicePage {
        chrome: Chrome::platform(ctx, format!("Invoice {}", i.invoice.number), op),
        inv: view(&i, &names),
        is_owner: op.is_owner(),
        form,
        errors,
    })
}

/// `GET /owner/invoices/{id}`: an OWNER's, or a COMPANY_ADMIN's own company's (read-only).
pub async fn show(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    invoice_page(&s, &ctx, &op, &id, None, FormErrors::default()).await
}

/// The invoice's page after an action: its flash on success, the API's refusal beside the
/// form's fields otherwise.
async fn answer(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    form: &Pairs,
    r: Result<Json<InvoiceOut>, crate::error::ApiError>,
    done: &str,
) -> WebResult<Response> {
    match edit_result(r)? {
        Ok(Json(i)) => Ok(redirect_flash(
            s,
            &format!("/owner/invoices/{id}"),
            Flash::success(format!(
                "Invoice {} {done}; it is now {}.",
                i.invoice.number, i.invoice.status
            )),
        )),
        Err(e) => {
            let status = e.status;
            let errors = FormErrors::from_api(e).renamed(&[("amountCents", "amount")]);
            let resp = invoice_page(s, ctx, op, id, Some(form), errors).await?;
            Ok(with_status(resp, status))
        }
    }
}

/// `POST /owner/invoices/{id}/payments` (OWNER): a manual payment (`amount` in units such
/// as `49.00`, `reference`).
pub async fn pay(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let amount_cents = match format::parse_amount(form.get("amount")) {
        Ok(c) => c,
        Err(m) => {
            let errors = FormErrors {
                fields: [("amount".to_owned(), m)].into(),
                general: "Please correct the fields marked below.".into(),
            };
            let resp = invoice_page(&s, &ctx, &op, &id, Some(&form), errors).await?;
            return Ok(with_status(resp, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let body = api::PaymentBody {
        amount_cents,
        reference: form.get("reference").to_owned(),
        provider: None,
    };
    let r = api::pay(
        State(s.clone()),
        op.clone(),
        Path(id.clone()),
        ApiJson(body),
    )
    .await;
    answer(&s, &ctx, &op, &id, &form, r, "has a payment recorded").await
}

/// `POST /owner/invoices/{id}/void` (OWNER): a credit note for the whole invoice; `reason`.
pub async fn void(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let body = api::VoidBody {
        reason: form.get("reason").to_owned(),
    };
    let r = api::void(
        State(s.clone()),
        op.clone(),
        Path(id.clone()),
        ApiJson(body),
    )
    .await;
    answer(&s, &ctx, &op, &id, &form, r, "was voided by a credit note").await
}

/// `POST /owner/invoices/{id}/write-off` (OWNER)
pub async fn write_off(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let r = api::write_off(State(s.clone()), op.clone(), Path(id.clone())).await;
    answer(&s, &ctx, &op, &id, &form, r, "was written off").await
}
