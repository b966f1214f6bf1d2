//! Platform invoices on the owner API. An `OWNER` sees every invoice and records payments,
//! write-offs and voids; a `COMPANY_ADMIN` reads their own company's invoices only (others
//! answer 404). No route changes an issued invoice's lines.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::InvoiceStatus;
use smartdmv_platform::billing::invoices::{self as svc, InvoiceView};
use smartdmv_platform::billing::provider::by_name;
use smartdmv_store::owner::invoice;
use uuid::Uuid;

use super::subscriptions::company_id;
use crate::api::companies::rfc3339;
use crate::api::{Page, PageParams};
use crate::auth::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
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

/// An invoice in a list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceSummary {
    pub id: String,
    pub number: String,
    pub company_id: String,
    pub reason: String,
    pub status: String,
    pub currency: String,
    pub subtotal_cents: i64,
    pub tax_rate_bp: i32,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub amount_paid_cents: i64,
    pub amount_due_cents: i64,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub issued_at: String,
    pub due_at: String,
    pub paid_at: Option<String>,
    pub voided_at: Option<String>,
}

impl From<invoice::Model> for InvoiceSummary {
    fn from(i: invoice::Model) -> Self {
        let open = i.status().may_pay();
        Self {
            id: i.id.to_string(),
            number: i.number,
            company_id: i.company_id.to_string(),
            reason: i.reason,
            status: i.status,
            currency: i.currency,
            subtotal_cents: i.subtotal_cents,
            tax_rate_bp: i.tax_rate_bp,
            tax_cents: i.tax_cents,
            total_cents: i.total_cents,
            amount_paid_cents: i.amount_paid_cents,
            amount_due_cents: if open {
                (i.total_cents - i.amount_paid_cents).max(0)
            } else {
                0
            },
            period_start: i.period_start.map(rfc3339),
            period_end: i.period_end.map(rfc3339),
            issued_at: rfc3339(i.issued_at),
            due_at: rfc3339(i.due_at),
            paid_at: i.paid_at.map(rfc3339),
            voided_at: i.voided_at.map(rfc3339),
        }
    }
}

/// An invoice with its lines, payments and credit note.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceOut {
    #[serde(flatten)]
    pub invoice: InvoiceSummary,
    pub lines: Vec<serde_json::Value>,
    pub payments: Vec<serde_json::Value>,
    pub credit_note: Option<serde_json::Value>,
}

impl From<InvoiceView> for InvoiceOut {
    fn from(v: InvoiceView) -> Self {
        Self {
            lines: v
                .lines
                .into_iter()
                .map(|l| {
                    serde_json::json!({
                        "position": l.position, "kind": l.kind, "description": l.description,
                        "planId": l.plan_id.map(|p| p.to_string()),
                        "periodStart": l.period_start.map(rfc3339),
                        "periodEnd": l.period_end.map(rfc3339),
                        "amountCents": l.amount_cents,
                    })
                })
                .collect(),
            payments: v
                .payments
                .into_iter()
                .map(|p| {
                    serde_json::json!({
                        "id": p.id.to_string(), "provider": p.provider, "reference": p.reference,
                        "amountCents": p.amount_cents, "currency": p.currency,
                        "receivedAt": rfc3339(p.received_at), "recordedBy": p.recorded_by,
                    })
                })
                .collect(),
            credit_note: v.credit_note.map(|c| {
                serde_json::json!({
                    "id": c.id.to_string(), "number": c.number, "currency": c.currency,
                    "subtotalCents": c.subtotal_cents, "taxCents": c.tax_cents,
                    "totalCents": c.total_cents, "reason": c.reason,
                    "issuedAt": rfc3339(c.issued_at), "issuedBy": c.issued_by,
                })
            }),
            invoice: v.invoice.into(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub status: Option<String>,
    pub company_id: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

async fn page(
    s: &AppState,
    company: Option<CompanyId>,
    params: ListParams,
) -> ApiResult<Json<Page<InvoiceSummary>>> {
    let p = PageParams {
        limit: params.limit,
        cursor: params.cursor,
    };
    let limit = p.limit()?;
    let status = match params.status.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(InvoiceStatus::parse(raw).ok_or_else(|| {
            ApiError::bad_request("invalid_query", format!("unknown status {raw:?}"))
        })?),
    };
    let filter = invoice::ListFilter { company, status };
    let mut rows = invoice::list(
        s.platform.owner.conn(),
        &filter,
        p.cursor::<Uuid>()?,
        limit + 1,
    )
    .await?;
    let next_cursor = crate::api::next_cursor(&mut rows, limit, |i| i.id.to_string());
    Ok(Json(Page {
        items: rows.into_iter().map(InvoiceSummary::from).collect(),
        next_cursor,
    }))
}

/// `GET /api/owner/invoices?status=&companyId=&limit=&cursor=`, newest first; a
/// `COMPANY_ADMIN` gets their own company's.
pub(crate) async fn list(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<InvoiceSummary>>> {
    let company = match (op.is_owner(), params.company_id.as_deref()) {
        (true, None | Some("")) => None,
        (true, Some(raw)) => Some(
            raw.parse()
                .map_err(|_| ApiError::bad_request("invalid_query", "companyId is not an id"))?,
        ),
        (false, _) => Some(CompanyId(op.user.company_id.unwrap_or_default())),
    };
    page(&s, company, params).await
}

/// `GET /api/owner/companies/{id}/invoices`
pub(crate) async fn list_for_company(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<InvoiceSummary>>> {
    let id = company_id(&op, &id)?;
    smartdmv_store::owner::company::get(s.platform.owner.conn(), id).await?;
    page(&s, Some(id), params).await
}

/// The invoice of a path, when the user may see it (404 otherwise).
async fn visible(s: &AppState, op: &PlatformPrincipal, raw: &str) -> ApiResult<Uuid> {
    let id: Uuid = raw.parse().map_err(|_| ApiError::not_found("invoice"))?;
    let inv = invoice::find(s.platform.owner.conn(), id)
        .await?
        .ok_or_else(|| ApiError::not_found("invoice"))?;
    if !op.sees(CompanyId(inv.company_id)) {
        return Err(ApiError::not_found("invoice"));
    }
    Ok(id)
}

/// `GET /api/owner/invoices/{id}`
pub(crate) async fn show(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<InvoiceOut>> {
    let id = visible(&s, &op, &id).await?;
    Ok(Json(svc::view(&s.platform, id).await?.into()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentBody {
    pub amount_cents: i64,
    pub reference: String,
    /// `manual` (default): a bank transfer that arrived.
    pub provider: Option<String>,
}

/// `POST /api/owner/invoices/{id}/payments` (OWNER): records a payment; paying what was
/// overdue brings a suspended company back.
pub(crate) async fn pay(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PaymentBody>,
) -> ApiResult<Json<InvoiceOut>> {
    let id = visible(&s, &op, &id).await?;
    op.require_owner()?;
    let reference = b.reference.trim();
    if reference.is_empty() || reference.chars().count() > 200 {
        return Err(ApiError::invalid_field(
            "reference",
            "must be 1 to 200 characters",
        ));
    }
    let name = b.provider.as_deref().unwrap_or("manual");
    let collected = by_name(&s.platform.billing, name)
        .and_then(|p| p.record(b.amount_cents, reference))
        .ok_or_else(|| {
            ApiError::invalid_field(
                "provider",
                format!("{name} payments cannot be recorded by hand; use manual"),
            )
        })?;
    Ok(Json(
        svc::record_payment(&s.platform, id, collected, &op.actor())
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoidBody {
    pub reason: String,
}

/// `POST /api/owner/invoices/{id}/void` (OWNER): issues a credit note for the whole invoice
/// and marks it `VOID`.
pub(crate) async fn void(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VoidBody>,
) -> ApiResult<Json<InvoiceOut>> {
    let id = visible(&s, &op, &id).await?;
    op.require_owner()?;
    Ok(Json(
        svc::void(&s.platform, id, &b.reason, &op.actor())
            .await?
            .into(),
    ))
}

/// `POST /api/owner/invoices/{id}/write-off` (OWNER): `UNCOLLECTIBLE`.
pub(crate) async fn write_off(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<InvoiceOut>> {
    let id = visible(&s, &op, &id).await?;
    op.require_owner()?;
    Ok(Json(
        svc::write_off(&s.platform, id, &op.actor()).await?.into(),
    ))
}
