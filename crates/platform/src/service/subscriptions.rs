//! A company's subscription on the owner side: an `OWNER` for any company, a `COMPANY_ADMIN`
//! for their own (plan changes, cancellation at the period end, the billing contact; not
//! trials). The lifecycle's rules are [`crate::billing::subscriptions`]'.

use smartdmv_domain::CompanyId;

use super::Cx;
use super::views::SubscriptionOut;
use crate::billing::subscriptions::{self as business, SubscriptionRequest};
use crate::{PlatformError, PlatformResult};

/// The company's subscription; not found when it has none.
pub async fn get(cx: &Cx<'_>, company: CompanyId) -> PlatformResult<SubscriptionOut> {
    cx.who.require_sees(company)?;
    Ok(business::view(cx.platform, company).await?.into())
}

/// Starts a subscription, changes its plan (an upgrade now and prorated, a downgrade at the
/// period end; refused when the company's usage exceeds the plan), sets or undoes the
/// cancellation at the period end, and keeps the billing contact. Only an `OWNER` grants a
/// trial.
pub async fn put(
    cx: &Cx<'_>,
    company: CompanyId,
    req: SubscriptionRequest,
) -> PlatformResult<SubscriptionOut> {
    cx.who.require_sees(company)?;
    if !cx.who.is_owner() && req.trial_days.is_some() {
        return Err(PlatformError::forbidden(
            "forbidden",
            "trials are granted by the platform owner",
        ));
    }
    Ok(business::put(cx.platform, company, req, &cx.who.actor())
        .await?
        .into())
}
