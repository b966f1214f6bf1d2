//! `/api/owner/companies/{id}/usage`: a company's usage of a month with the limits it is held
//! to, for an `OWNER` or the company's own `COMPANY_ADMIN` (other companies answer 404), and
//! the recount of its gauges from its database (`OWNER`). The rules are
//! `smartdmv_platform::service::usage`'.

use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::CompanyId;
use smartdmv_platform::service::usage as svc;

pub use smartdmv_platform::service::views::UsageOut;

use crate::auth::OwnerCall;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, IdPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/companies/{id}/usage", get(show))
        .route(
            "/api/owner/companies/{id}/usage/recompute",
            post(recompute_now),
        )
}

#[derive(Debug, Deserialize)]
pub struct UsageParams {
    /// `YYYY-MM`; the current month when absent.
    pub month: Option<String>,
}

/// `GET /api/owner/companies/{id}/usage?month=YYYY-MM`
async fn show(
    call: OwnerCall,
    IdPath(id): IdPath<CompanyId>,
    ApiQuery(params): ApiQuery<UsageParams>,
) -> ApiResult<Json<UsageOut>> {
    let u = svc::get(&call.cx(), id, params.month.as_deref()).await?;
    Ok(Json(u))
}

/// `POST /api/owner/companies/{id}/usage/recompute`: recounts the current month's gauges
/// from the company's database (`OWNER`).
async fn recompute_now(
    call: OwnerCall,
    IdPath(id): IdPath<CompanyId>,
) -> ApiResult<Json<UsageOut>> {
    Ok(Json(svc::recompute(&call.cx(), id).await?))
}
