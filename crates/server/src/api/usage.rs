//! `/api/owner/companies/{id}/usage`: a company's usage of a month with the limits it is held
//! to, for an `OWNER` or the company's own `COMPANY_ADMIN` (other companies answer 404), and
//! the recount of its gauges from its database (`OWNER`).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use smartdmv_domain::CompanyId;
use smartdmv_domain::usage::Month;
use smartdmv_platform::usage::{current_month, recompute};
use smartdmv_store::owner::usage;
use smartdmv_tenancy::resolve::Limits;

use crate::auth::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/companies/{id}/usage", get(show))
        .route(
            "/api/owner/companies/{id}/usage/recompute",
            post(recompute_now),
        )
}

/// One month of a company's usage.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageOut {
    pub company_id: String,
    pub month: String,
    pub active_users: i64,
    pub practices: i64,
    pub clients: i64,
    pub patients: i64,
    pub appointments: i64,
    pub storage_bytes: i64,
    pub api_calls: i64,
    /// When the gauges were last counted; `null` before the first count of the month.
    pub counted_at: Option<String>,
    pub limits: LimitsOut,
}

/// The limits the company is held to now; `null` is unlimited.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitsOut {
    pub max_practices: Option<u64>,
    pub max_users: Option<u64>,
    pub storage_bytes: Option<u64>,
    pub api_calls_per_month: Option<u64>,
}

impl From<&Limits> for LimitsOut {
    fn from(l: &Limits) -> Self {
        Self {
            max_practices: l.max_practices,
            max_users: l.max_users,
            storage_bytes: l.storage_bytes,
            api_calls_per_month: l.api_calls_per_month,
        }
    }
}

fn usage_out(id: CompanyId, month: Month, row: Option<usage::Model>, limits: &Limits) -> UsageOut {
    let r = row.unwrap_or(usage::Model {
        company_id: id.0,
        month: month.to_string(),
        active_users: 0,
        practices: 0,
        clients: 0,
        patients: 0,
        appointments: 0,
        storage_bytes: 0,
        api_calls: 0,
        gauges_at: None,
        updated_at: smartdmv_store::now(),
    });
    UsageOut {
        company_id: id.to_string(),
        month: r.month,
        active_users: r.active_users,
        practices: r.practices,
        clients: r.clients,
        patients: r.patients,
        appointments: r.appointments,
        storage_bytes: r.storage_bytes,
        api_calls: r.api_calls,
        counted_at: r.gauges_at.map(super::auth::rfc3339),
        limits: limits.into(),
    }
}

#[derive(Debug, Deserialize)]
pub struct UsageParams {
    /// `YYYY-MM`; the current month when absent.
    pub month: Option<String>,
}

/// The company (404 when unknown or not the caller's) and the limits it is held to.
async fn company_in_view(
    s: &AppState,
    op: &PlatformPrincipal,
    raw: &str,
) -> ApiResult<(CompanyId, Limits)> {
    let id: CompanyId = raw.parse().map_err(|_| ApiError::not_found("company"))?;
    op.require_sees(id)?;
    let c = s.platform.resolver.describe(id).await?;
    Ok((id, c.limits.clone()))
}

/// `GET /api/owner/companies/{id}/usage?month=YYYY-MM`: the calls this instance counted
/// so far are recorded first, so the figure includes them.
pub(crate) async fn show(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiQuery(params): ApiQuery<UsageParams>,
) -> ApiResult<Json<UsageOut>> {
    let (id, limits) = company_in_view(&s, &op, &id).await?;
    let month = match params.month.as_deref() {
        None | Some("") => current_month(),
        Some(raw) => Month::parse(raw)
            .map_err(|e| ApiError::bad_request("invalid_query", format!("month {e}")))?,
    };
    let p = &s.platform;
    p.usage.flush_company(&p.owner, id).await;
    let row = usage::get(p.owner.conn(), id, &month.to_string()).await?;
    Ok(Json(usage_out(id, month, row, &limits)))
}

/// `POST /api/owner/companies/{id}/usage/recompute`: recounts the current month's gauges
/// from the company's database (`OWNER`).
pub(crate) async fn recompute_now(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<UsageOut>> {
    let (id, limits) = company_in_view(&s, &op, &id).await?;
    op.require_owner()?;
    let p = &s.platform;
    p.usage.flush_company(&p.owner, id).await;
    let row = recompute(p, id).await?;
    Ok(Json(usage_out(id, current_month(), Some(row), &limits)))
}
