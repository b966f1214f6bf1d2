//! Unapplied payments in the owner dashboard: the open ones on the invoices page, each with
//! a form to mark it refunded or resolved with a note, and those naming one invoice on that
//! invoice's page. Both go through the unapplied-payments service (OWNER only).

use crate::web::posted::Posted;
use axum::response::Response;
use std::collections::BTreeMap;

use super::super::csrf::Flash;
use super::super::error::WebResult;
use super::super::session::Owner;
use super::super::{FormErrors, edit_result, redirect_flash, with_status};
use super::format;
use super::invoices::{ListQuery, ResolveForm, list_page};
use crate::auth::PlatformPrincipal;
use crate::state::AppState;
use crate::web::display::page_id;
use smartdmv_platform::service::PageRequest;
use smartdmv_platform::service::unapplied::{self as svc, ListInput};
use smartdmv_platform::service::views::UnappliedOut;

/// An unapplied payment as a table row shows it.
pub struct UnappliedRow {
    pub id: String,
    pub received: String,
    pub provider: String,
    pub reference: String,
    pub amount: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub company_id: String,
    pub company: String,
    pub reason: String,
    pub detail: String,
    pub state: String,
    pub note: String,
    pub resolved: String,
}

fn row(u: &UnappliedOut, names: &BTreeMap<String, String>) -> UnappliedRow {
    UnappliedRow {
        id: u.id.clone(),
        received: format::moment(&u.received_at),
        provider: u.provider.clone(),
        reference: u.reference.clone(),
        amount: format::money(u.amount_cents, &u.currency),
        invoice_id: u.invoice_id.clone(),
        invoice_number: u.invoice_number.clone(),
        company_id: u.company_id.clone(),
        company: names
            .get(&u.company_id)
            .cloned()
            .unwrap_or_else(|| u.company_id.clone()),
        reason: format::words(u.reason.as_str()),
        detail: u.detail.clone(),
        state: u.state.to_string(),
        note: u.note.clone().unwrap_or_default(),
        resolved: match (&u.resolved_at, &u.resolved_by) {
            (Some(at), Some(by)) => format!("{} by {by}", format::moment(at)),
            _ => String::new(),
        },
    }
}

/// Unapplied payments (the first hundred, newest first) in `state`, or naming `invoice`.
pub(super) async fn rows(
    s: &AppState,
    op: &PlatformPrincipal,
    state: Option<&str>,
    invoice: Option<&str>,
) -> WebResult<Vec<UnappliedRow>> {
    let input = ListInput {
        state: state.map(str::to_owned),
        invoice_id: invoice.map(str::to_owned),
        page: PageRequest {
            limit: Some(100),
            cursor: None,
        },
    };
    let page = svc::list(&s.owner(op), input).await?;
    let names =
        super::invoices::company_names(s, page.items.iter().map(|u| u.company_id.as_str())).await?;
    Ok(page.items.iter().map(|u| row(u, &names)).collect())
}

/// `POST /owner/unapplied-payments/{id}/resolve` (OWNER): `state` (`refunded` or
/// `resolved`) and `note`; back to the invoices page, with the API's refusal beside the
/// payment's form.
pub async fn resolve(Posted(s, ctx, Owner(op), id, form): Posted<Owner>) -> WebResult<Response> {
    let r = svc::resolve(
        &s.owner(&op),
        page_id(&id)?,
        form.get("state"),
        form.get("note"),
    )
    .await;
    match edit_result(r)? {
        Ok(u) => Ok(redirect_flash(
            &s,
            "/owner/invoices",
            Flash::success(format!(
                "The unapplied payment {} of {} is marked {}.",
                u.reference,
                format::money(u.amount_cents, &u.currency),
                u.state
            )),
        )),
        Err(e) => {
            let status = e.status;
            let submitted = ResolveForm {
                id,
                state: form.get("state").to_owned(),
                note: form.get("note").to_owned(),
                errors: FormErrors::from_api(e),
            };
            let resp = list_page(&s, &ctx, &op, ListQuery::default(), Some(submitted)).await?;
            Ok(with_status(resp, status))
        }
    }
}
