//! One platform invoice: number, company, period, lines (proration lines too), tax, totals,
//! status, payments, credit note and (for an OWNER) the unapplied payments naming it. An
//! OWNER records a manual payment, writes it off or voids it with a reason; a COMPANY_ADMIN
//! reads their own company's invoices only (the API answers 404 for another company's, so
//! one is never shown).

use crate::web::invalid;
use crate::web::posted::{Posted, Record};
use askama::Template;
use axum::response::Response;
use smartdmv_domain::ids::InvoiceId;
use std::collections::BTreeMap;

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::error::WebResult;
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, edit_result, html, redirect_flash, rerender};
use super::format;
use super::invoices::{InvoiceRow, company_names, period, row};
use super::unapplied::{self, UnappliedRow};
use crate::auth::PlatformPrincipal;
use crate::state::AppState;
use smartdmv_platform::service::invoices::{self, InvoiceAction};
use smartdmv_platform::service::views::InvoiceOut;
use smartdmv_platform::{PlatformError, PlatformResult};

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
    let status = inv.status;
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
        may_pay: status.may_pay(),
        may_void: status.may_void(),
        may_write_off: status.may_write_off(),
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
    /// Unapplied payments naming the invoice (shown to an OWNER).
    unapplied: Vec<UnappliedRow>,
}

async fn invoice_page(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    submitted: Option<&Pairs>,
    errors: FormErrors,
) -> WebResult<Response> {
    let i = invoices::get(&s.owner(op), invoice_id(id)?).await?;
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
    let unapplied = if op.is_owner() {
        unapplied::rows(s, op, None, Some(&i.invoice.id)).await?
    } else {
        Vec::new()
    };
    html(&InvoicePage {
        unapplied,
        chrome: Chrome::platform(ctx, format!("Invoice {}", i.invoice.number), op),
        inv: view(&i, &names),
        is_owner: op.is_owner(),
        form,
        errors,
    })
}

/// The invoice id of a path; a malformed one is not found.
fn invoice_id(raw: &str) -> PlatformResult<InvoiceId> {
    raw.parse().map_err(|_| PlatformError::NotFound("invoice"))
}

/// Runs an owner's action on the invoice of the path.
async fn act(
    s: &AppState,
    op: &PlatformPrincipal,
    id: &str,
    action: InvoiceAction,
) -> PlatformResult<InvoiceOut> {
    invoices::act(&s.owner(op), invoice_id(id)?, action).await
}

/// `GET /owner/invoices/{id}`: an OWNER's, or a COMPANY_ADMIN's own company's (read-only).
pub async fn show(
    Record(s, ctx, PlatformUser(op), id): Record<PlatformUser>,
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
    r: PlatformResult<InvoiceOut>,
    done: &str,
) -> WebResult<Response> {
    match edit_result(r)? {
        Ok(i) => Ok(redirect_flash(
            s,
            &format!("/owner/invoices/{id}"),
            Flash::success(format!(
                "Invoice {} {done}; it is now {}.",
                i.invoice.number, i.invoice.status
            )),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                let errors = errors.renamed(&[("amountCents", "amount")]);
                invoice_page(s, ctx, op, id, Some(form), errors).await
            })
            .await
        }
    }
}

/// `POST /owner/invoices/{id}/payments` (OWNER): a manual payment (`amount` in units such
/// as `49.00`, `reference`).
pub async fn pay(Posted(s, ctx, Owner(op), id, form): Posted<Owner>) -> WebResult<Response> {
    let amount_cents = match format::parse_amount(form.get("amount")) {
        Ok(c) => c,
        Err(m) => {
            let errors = FormErrors::field("amount", m);
            return invalid(invoice_page(&s, &ctx, &op, &id, Some(&form), errors).await);
        }
    };
    let action = InvoiceAction::Pay {
        amount_cents,
        reference: form.get("reference").to_owned(),
        provider: None,
    };
    let r = act(&s, &op, &id, action).await;
    answer(&s, &ctx, &op, &id, &form, r, "has a payment recorded").await
}

/// `POST /owner/invoices/{id}/void` (OWNER): a credit note for the whole invoice; `reason`.
pub async fn void(Posted(s, ctx, Owner(op), id, form): Posted<Owner>) -> WebResult<Response> {
    let action = InvoiceAction::Void {
        reason: form.get("reason").to_owned(),
    };
    let r = act(&s, &op, &id, action).await;
    answer(&s, &ctx, &op, &id, &form, r, "was voided by a credit note").await
}

/// `POST /owner/invoices/{id}/write-off` (OWNER)
pub async fn write_off(Posted(s, ctx, Owner(op), id, form): Posted<Owner>) -> WebResult<Response> {
    let r = act(&s, &op, &id, InvoiceAction::WriteOff).await;
    answer(&s, &ctx, &op, &id, &form, r, "was written off").await
}
