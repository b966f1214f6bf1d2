//! A company's usage on the owner side: a month's figures with the limits the company is held
//! to, for an `OWNER` or the company's own `COMPANY_ADMIN` (other companies are not found),
//! and the recount of its gauges from its database (`OWNER`). The company's overrides of its
//! plan's limits and features are settings, written through [`super::companies::update`].

use smartdmv_domain::CompanyId;
use smartdmv_domain::usage::Month;
use smartdmv_store::owner::usage;
use smartdmv_tenancy::resolve::Limits;

use super::Cx;
use super::views::UsageOut;
use crate::usage::{current_month, recompute as recount};
use crate::{PlatformError, PlatformResult};

fn out(id: CompanyId, month: Month, row: Option<usage::Model>, limits: &Limits) -> UsageOut {
    let r = row.unwrap_or(usage::Model {
        company_id: id,
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
        counted_at: r.gauges_at.map(super::rfc3339),
        limits: limits.into(),
    }
}

/// The limits a company the caller sees is held to (not found otherwise).
async fn limits_of(cx: &Cx<'_>, id: CompanyId) -> PlatformResult<Limits> {
    cx.who.require_sees(id)?;
    let c = cx.platform.resolver.describe(id).await?;
    Ok(c.limits.clone())
}

/// A month (`YYYY-MM`; the current one when absent or empty) of a company's usage. The calls
/// this instance counted so far are recorded first, so the figure includes them.
pub async fn get(cx: &Cx<'_>, id: CompanyId, month: Option<&str>) -> PlatformResult<UsageOut> {
    let limits = limits_of(cx, id).await?;
    let month = match month {
        None | Some("") => current_month(),
        Some(raw) => Month::parse(raw)
            .map_err(|e| PlatformError::bad_request("invalid_query", format!("month {e}")))?,
    };
    let p = cx.platform;
    p.usage.flush_company(&p.owner, id).await;
    let row = usage::get(cx.db(), id, &month.to_string()).await?;
    Ok(out(id, month, row, &limits))
}

/// Recounts the current month's gauges from the company's database (`OWNER`).
pub async fn recompute(cx: &Cx<'_>, id: CompanyId) -> PlatformResult<UsageOut> {
    let limits = limits_of(cx, id).await?;
    cx.who.require_owner()?;
    let p = cx.platform;
    p.usage.flush_company(&p.owner, id).await;
    let row = recount(p, id).await?;
    Ok(out(id, current_month(), Some(row), &limits))
}
