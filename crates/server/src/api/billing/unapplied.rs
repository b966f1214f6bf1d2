//! Unapplied payments on the owner API (OWNER only; a `COMPANY_ADMIN` is refused with 403):
//! card payments that no invoice took, listed by state, and marked refunded or resolved.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use smartdmv_platform::billing::unapplied as svc;
use smartdmv_store::owner::unapplied_payment::{self as store, ListFilter, STATES};
use uuid::Uuid;

use crate::api::{Page, PageParams};
use crate::auth::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use smartdmv_platform::service::rfc3339;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/unapplied-payments", get(list))
        .route("/api/owner/unapplied-payments/{id}/resolve", post(resolve))
}

/// An unapplied payment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnappliedOut {
    pub id: String,
    pub provider: String,
    pub event_id: String,
    pub reference: String,
    pub amount_cents: i64,
    pub currency: String,
    pub invoice_id: String,
    pub invoice_number: String,
    pub company_id: String,
    /// `invoice_not_payable`, `currency_mismatch` or `overpayment`.
    pub reason: String,
    pub detail: String,
    pub received_at: String,
    /// `open`, `refunded` or `resolved`.
    pub state: String,
    pub note: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_by: Option<String>,
}

impl From<store::Model> for UnappliedOut {
    fn from(m: store::Model) -> Self {
        Self {
            id: m.id.to_string(),
            provider: m.provider,
            event_id: m.event_id,
            reference: m.reference,
            amount_cents: m.amount_cents,
            currency: m.currency,
            invoice_id: m.invoice_id.to_string(),
            invoice_number: m.invoice_number,
            company_id: m.company_id.to_string(),
            reason: m.reason,
            detail: m.detail,
            received_at: rfc3339(m.received_at),
            state: m.state,
            note: m.note,
            resolved_at: m.resolved_at.map(rfc3339),
            resolved_by: m.resolved_by,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    pub state: Option<String>,
    pub invoice_id: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/owner/unapplied-payments?state=&invoiceId=&limit=&cursor=` (OWNER), newest
/// first.
pub(crate) async fn list(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<UnappliedOut>>> {
    op.require_owner()?;
    let p = PageParams {
        limit: params.limit,
        cursor: params.cursor,
    };
    let limit = p.limit()?;
    let state = match params.state.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(STATES.into_iter().find(|s| *s == raw).ok_or_else(|| {
            ApiError::bad_request("invalid_query", format!("unknown state {raw:?}"))
        })?),
    };
    let invoice = match params.invoice_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<Uuid>()
                .map_err(|_| ApiError::bad_request("invalid_query", "invoiceId is not an id"))?,
        ),
    };
    let filter = ListFilter { state, invoice };
    let mut rows = svc::list(&s.platform, &filter, p.cursor::<Uuid>()?, limit + 1).await?;
    let next_cursor = crate::api::next_cursor(&mut rows, limit, |r| r.id.to_string());
    Ok(Json(Page {
        items: rows.into_iter().map(UnappliedOut::from).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveBody {
    /// `refunded` or `resolved`.
    pub state: String,
    pub note: String,
}

/// `POST /api/owner/unapplied-payments/{id}/resolve` (OWNER): `refunded` or `resolved` with
/// a note; one already closed answers 409.
pub(crate) async fn resolve(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ResolveBody>,
) -> ApiResult<Json<UnappliedOut>> {
    op.require_owner()?;
    let id: Uuid = id
        .parse()
        .map_err(|_| ApiError::not_found("unapplied payment"))?;
    let done = svc::resolve(&s.platform, id, &b.state, &b.note, &op.actor()).await?;
    Ok(Json(done.into()))
}
