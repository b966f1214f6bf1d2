//! Unapplied payments on the owner side (`OWNER` only; a `COMPANY_ADMIN` is forbidden): card
//! payments no invoice took, listed by state or invoice, and marked refunded or resolved.

use smartdmv_domain::billing::UnappliedState;
use smartdmv_domain::ids::{InvoiceId, UnappliedPaymentId};
use smartdmv_store::owner::unapplied_payment::ListFilter;

use super::views::UnappliedOut;
use super::{Cx, Page, PageRequest};
use crate::billing::unapplied as business;
use crate::{PlatformError, PlatformResult};

/// What a list of unapplied payments asks for.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    /// `open`, `refunded` or `resolved`; empty or absent: any.
    pub state: Option<String>,
    /// The invoice they name; empty or absent: any.
    pub invoice_id: Option<String>,
    pub page: PageRequest,
}

/// Unapplied payments, newest first.
pub async fn list(cx: &Cx<'_>, input: ListInput) -> PlatformResult<Page<UnappliedOut>> {
    cx.who.require_owner()?;
    let limit = input.page.limit()?;
    let state = super::state_filter(input.state.as_deref(), "state", UnappliedState::parse)?;
    let invoice =
        match input.invoice_id.as_deref() {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<InvoiceId>().map_err(|_| {
                PlatformError::bad_request("invalid_query", "invoiceId is not an id")
            })?),
        };
    let filter = ListFilter { state, invoice };
    let cursor = input.page.cursor::<UnappliedPaymentId>()?;
    let rows = business::list(cx.platform, &filter, cursor, limit + 1).await?;
    Ok(Page::from_rows(rows, limit, |r| r.id.to_string()).map(UnappliedOut::from))
}

/// Marks an open unapplied payment `refunded` or `resolved` with a note; one already closed
/// is a conflict.
pub async fn resolve(
    cx: &Cx<'_>,
    id: UnappliedPaymentId,
    state: &str,
    note: &str,
) -> PlatformResult<UnappliedOut> {
    cx.who.require_owner()?;
    let done = business::resolve(cx.platform, id, state, note, &cx.who.actor()).await?;
    Ok(done.into())
}
