//! Unapplied payments on the owner API (OWNER only; a `COMPANY_ADMIN` is refused with 403):
//! card payments that no invoice took, listed by state, and marked refunded or resolved.
//! The rules are `smartdmv_platform::service::unapplied`'.

use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::ids::UnappliedPaymentId;
use smartdmv_platform::service::unapplied::{self as svc, ListInput};

pub use smartdmv_platform::service::views::UnappliedOut;

use crate::api::Page;
use crate::api::page;
use crate::auth::OwnerCall;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/unapplied-payments", get(list))
        .route("/api/owner/unapplied-payments/{id}/resolve", post(resolve))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListParams {
    state: Option<String>,
    invoice_id: Option<String>,
    limit: Option<u64>,
    cursor: Option<String>,
}

/// `GET /api/owner/unapplied-payments?state=&invoiceId=&limit=&cursor=` (OWNER), newest
/// first.
async fn list(
    call: OwnerCall,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<UnappliedOut>>> {
    let input = ListInput {
        state: params.state,
        invoice_id: params.invoice_id,
        page: page(params.limit, params.cursor),
    };
    Ok(Json(svc::list(&call.cx(), input).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveBody {
    /// `refunded` or `resolved`.
    state: String,
    note: String,
}

/// `POST /api/owner/unapplied-payments/{id}/resolve` (OWNER): `refunded` or `resolved` with
/// a note; one already closed answers 409.
async fn resolve(
    call: OwnerCall,
    IdPath(id): IdPath<UnappliedPaymentId>,
    ApiJson(b): ApiJson<ResolveBody>,
) -> ApiResult<Json<UnappliedOut>> {
    Ok(Json(svc::resolve(&call.cx(), id, &b.state, &b.note).await?))
}
