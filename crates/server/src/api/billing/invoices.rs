//! Platform invoices on the owner API. An `OWNER` sees every invoice and records payments,
//! write-offs and voids; a `COMPANY_ADMIN` reads their own company's invoices only (others
//! answer 404). The rules are `smartdmv_platform::service::invoices`'.

use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::CompanyId;
use smartdmv_domain::ids::InvoiceId;
use smartdmv_platform::service::invoices::{self as svc, InvoiceAction, ListInput};

pub use smartdmv_platform::service::views::{InvoiceOut, InvoiceSummary};

use crate::api::Page;
use crate::api::page;
use crate::auth::OwnerCall;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/invoices", get(list))
        .route("/api/owner/companies/{id}/invoices", get(list_for_company))
        .route("/api/owner/invoices/{id}", get(show))
        .route("/api/owner/invoices/{id}/payments", post(pay))
        .route("/api/owner/invoices/{id}/void", post(void))
        .route("/api/owner/invoices/{id}/write-off", post(write_off))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub status: Option<String>,
    pub company_id: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl From<ListParams> for ListInput {
    fn from(p: ListParams) -> Self {
        Self {
            status: p.status,
            company_id: p.company_id,
            page: page(p.limit, p.cursor),
        }
    }
}

/// `GET /api/owner/invoices?status=&companyId=&limit=&cursor=`, newest first; a
/// `COMPANY_ADMIN` gets their own company's.
async fn list(
    call: OwnerCall,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<InvoiceSummary>>> {
    Ok(Json(svc::list(&call.cx(), params.into()).await?))
}

/// `GET /api/owner/companies/{id}/invoices`
async fn list_for_company(
    call: OwnerCall,
    IdPath(id): IdPath<CompanyId>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<InvoiceSummary>>> {
    let page = svc::list_for_company(&call.cx(), id, params.into()).await?;
    Ok(Json(page))
}

/// `GET /api/owner/invoices/{id}`
async fn show(call: OwnerCall, IdPath(id): IdPath<InvoiceId>) -> ApiResult<Json<InvoiceOut>> {
    Ok(Json(svc::get(&call.cx(), id).await?))
}

/// Runs an owner's action on the invoice of the path.
async fn act(
    call: &OwnerCall,
    id: InvoiceId,
    action: InvoiceAction,
) -> ApiResult<Json<InvoiceOut>> {
    Ok(Json(svc::act(&call.cx(), id, action).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PaymentBody {
    amount_cents: i64,
    reference: String,
    /// `manual` (default): a bank transfer that arrived.
    provider: Option<String>,
}

/// `POST /api/owner/invoices/{id}/payments` (OWNER): records a payment.
async fn pay(
    call: OwnerCall,
    IdPath(id): IdPath<InvoiceId>,
    ApiJson(b): ApiJson<PaymentBody>,
) -> ApiResult<Json<InvoiceOut>> {
    let action = InvoiceAction::Pay {
        amount_cents: b.amount_cents,
        reference: b.reference,
        provider: b.provider,
    };
    act(&call, id, action).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoidBody {
    reason: String,
}

/// `POST /api/owner/invoices/{id}/void` (OWNER): a credit note for the whole invoice.
async fn void(
    call: OwnerCall,
    IdPath(id): IdPath<InvoiceId>,
    ApiJson(b): ApiJson<VoidBody>,
) -> ApiResult<Json<InvoiceOut>> {
    act(&call, id, InvoiceAction::Void { reason: b.reason }).await
}

/// `POST /api/owner/invoices/{id}/write-off` (OWNER): `UNCOLLECTIBLE`.
async fn write_off(call: OwnerCall, IdPath(id): IdPath<InvoiceId>) -> ApiResult<Json<InvoiceOut>> {
    act(&call, id, InvoiceAction::WriteOff).await
}
