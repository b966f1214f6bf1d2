//! The owner's analytics (`OWNER` only): companies by status, new and churned companies per
//! month, revenue, trial conversion, the top companies, usage and schema versions, as of the
//! billing clock's now (computed by [`crate::billing::analytics`]).

use super::Cx;
use crate::PlatformResult;
use crate::billing::analytics::{self as business, Analytics, MonthFigures};

/// The platform's analytics.
pub async fn get(cx: &Cx<'_>) -> PlatformResult<Analytics> {
    cx.who.require_owner()?;
    business::compute(cx.platform).await
}

/// Only the new and churned companies of the last twelve months (`OWNER`).
pub async fn months(cx: &Cx<'_>) -> PlatformResult<Vec<MonthFigures>> {
    cx.who.require_owner()?;
    business::months(cx.platform).await
}
