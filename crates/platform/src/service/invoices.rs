//! Platform invoices on the owner side. An `OWNER` sees every invoice and records payments,
//! write-offs and voids; a `COMPANY_ADMIN` reads their own company's invoices only (others
//! are not found). Nothing here changes an issued invoice's lines.

use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::InvoiceStatus;
use smartdmv_domain::ids::InvoiceId;
use smartdmv_store::owner::{company, invoice};

use super::views::{InvoiceOut, InvoiceSummary};
use super::{Cx, Page, PageRequest};
use crate::billing::invoices as business;
use crate::billing::provider::by_name;
use crate::billing::tick::{self, TickReport};
use crate::{PlatformError, PlatformResult};

/// What a list of invoices asks for.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    /// A status name; empty or absent: any.
    pub status: Option<String>,
    /// The company (an `OWNER`'s filter; a `COMPANY_ADMIN` always gets their own).
    pub company_id: Option<String>,
    pub page: PageRequest,
}

/// What the owner does to an invoice.
#[derive(Debug, Clone)]
pub enum InvoiceAction {
    /// Records a payment; `provider` is `manual` (a bank transfer that arrived) when absent.
    Pay {
        amount_cents: i64,
        reference: String,
        provider: Option<String>,
    },
    /// Issues a credit note for the whole invoice and marks it `VOID`.
    Void { reason: String },
    /// Marks an open invoice `UNCOLLECTIBLE`.
    WriteOff,
}

async fn page(
    cx: &Cx<'_>,
    company: Option<CompanyId>,
    input: ListInput,
) -> PlatformResult<Page<InvoiceSummary>> {
    let limit = input.page.limit()?;
    let status = super::state_filter(input.status.as_deref(), "status", InvoiceStatus::parse)?;
    let filter = invoice::ListFilter { company, status };
    let cursor = input.page.cursor::<InvoiceId>()?;
    let rows = invoice::list(cx.db(), &filter, cursor, limit + 1).await?;
    Ok(Page::from_rows(rows, limit, |i| i.id.to_string()).map(InvoiceSummary::from))
}

/// Invoices newest first; a `COMPANY_ADMIN` gets their own company's.
pub async fn list(cx: &Cx<'_>, input: ListInput) -> PlatformResult<Page<InvoiceSummary>> {
    let company =
        match (cx.who.confined_to(), input.company_id.as_deref()) {
            (Some(own), _) => Some(own),
            (None, None | Some("")) => None,
            (None, Some(raw)) => Some(raw.parse().map_err(|_| {
                PlatformError::bad_request("invalid_query", "companyId is not an id")
            })?),
        };
    page(cx, company, input).await
}

/// The invoices of one company the caller sees.
pub async fn list_for_company(
    cx: &Cx<'_>,
    id: CompanyId,
    input: ListInput,
) -> PlatformResult<Page<InvoiceSummary>> {
    cx.who.require_sees(id)?;
    company::get(cx.db(), id).await?;
    page(cx, Some(id), input).await
}

/// The invoice, when the caller may see it (not found otherwise).
async fn visible(cx: &Cx<'_>, id: InvoiceId) -> PlatformResult<()> {
    let inv = invoice::find(cx.db(), id)
        .await?
        .ok_or(PlatformError::NotFound("invoice"))?;
    if !cx.who.sees(inv.company_id) {
        return Err(PlatformError::NotFound("invoice"));
    }
    Ok(())
}

/// An invoice with its lines, payments and credit note.
pub async fn get(cx: &Cx<'_>, id: InvoiceId) -> PlatformResult<InvoiceOut> {
    visible(cx, id).await?;
    Ok(business::view(cx.platform, id).await?.into())
}

/// Pays, voids or writes off an invoice (`OWNER`); paying what was overdue brings a
/// suspended company back.
pub async fn act(cx: &Cx<'_>, id: InvoiceId, action: InvoiceAction) -> PlatformResult<InvoiceOut> {
    visible(cx, id).await?;
    cx.who.require_owner()?;
    let (p, actor) = (cx.platform, &cx.who.actor());
    let view = match action {
        InvoiceAction::Pay {
            amount_cents,
            reference,
            provider,
        } => {
            let reference = reference.trim();
            if reference.is_empty() || reference.chars().count() > 200 {
                return Err(PlatformError::invalid(
                    "reference",
                    "must be 1 to 200 characters",
                ));
            }
            let name = provider.as_deref().unwrap_or("manual");
            let collected = by_name(&p.billing, name)
                .and_then(|pr| pr.record(amount_cents, reference))
                .ok_or_else(|| {
                    PlatformError::invalid(
                        "provider",
                        format!("{name} payments cannot be recorded by hand; use manual"),
                    )
                })?;
            business::record_payment(p, id, collected, actor).await?
        }
        InvoiceAction::Void { reason } => business::void(p, id, &reason, actor).await?,
        InvoiceAction::WriteOff => business::write_off(p, id, actor).await?,
    };
    Ok(view.into())
}

/// Runs the billing tick now, for the billing clock's time (`OWNER`).
pub async fn run_billing(cx: &Cx<'_>) -> PlatformResult<TickReport> {
    cx.who.require_owner()?;
    tick::run_requested(cx.platform, &cx.who.actor()).await
}
