//! A company's subscription: start it (on a trial or paying at once), change its plan
//! (upgrade now with proration, downgrade at the period end, refused when the company's
//! usage exceeds the target plan), cancel at the period end or undo that, subscribe again
//! after a cancellation, and keep the billing contact.

use crate::PlatformError;
use smartdmv_domain::billing::SubscriptionStatus;
use smartdmv_domain::billing::lifecycle::{ChangeTiming, change_timing};
use smartdmv_domain::billing::period::period_end;
use smartdmv_domain::ids::{PlanId, SubscriptionId};
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_store::owner::{company, plan, subscription};

use super::charges::{period_invoice, upgrade_invoice};
use super::clock::to_stored;
pub use super::contact::BillingDetails;
use super::contact::apply_billing;
use super::write::{Change, write};
use crate::Platform;
use crate::company::Actor;

/// A subscription with its plans.
#[derive(Debug, Clone)]
pub struct SubscriptionView {
    pub subscription: subscription::Model,
    pub plan: plan::Model,
    /// The plan taking over at the period end.
    pub pending_plan: Option<plan::Model>,
}

/// `PUT /api/owner/companies/{id}/subscription`; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionRequest {
    /// Starts (or restarts) the subscription, or changes its plan.
    pub plan_id: Option<String>,
    /// Only when starting: days of trial (0: paying at once).
    pub trial_days: Option<u32>,
    pub cancel_at_period_end: Option<bool>,
    pub billing: BillingDetails,
}

pub async fn view(p: &Platform, company: CompanyId) -> Result<SubscriptionView, PlatformError> {
    let db = p.owner.conn();
    company::get(db, company).await?;
    let sub = subscription::for_company(db, company)
        .await?
        .ok_or(PlatformError::NotFound("subscription"))?;
    view_of(p, sub).await
}

async fn view_of(
    p: &Platform,
    sub: subscription::Model,
) -> Result<SubscriptionView, PlatformError> {
    let db = p.owner.conn();
    let plan = plan::get(db, sub.plan_id).await?;
    let pending_plan = match sub.pending_plan_id {
        Some(id) => Some(plan::get(db, id).await?),
        None => None,
    };
    Ok(SubscriptionView {
        subscription: sub,
        plan,
        pending_plan,
    })
}

/// Applies a subscription request. Billing details and the cancellation flag are applied
/// with the plan change, in one transaction.
pub async fn put(
    p: &Platform,
    company_id: CompanyId,
    req: SubscriptionRequest,
    actor: &Actor,
) -> Result<SubscriptionView, PlatformError> {
    let db = p.owner.conn();
    let c = company::get(db, company_id).await?;
    if !matches!(
        c.status,
        CompanyStatus::Trial
            | CompanyStatus::Active
            | CompanyStatus::PastDue
            | CompanyStatus::Suspended
    ) {
        return Err(PlatformError::conflict(
            "company_not_billable",
            format!("a {} company cannot change its subscription", c.status),
        ));
    }
    let current = subscription::for_company(db, company_id).await?;
    let live = current.as_ref().filter(|s| s.status.is_live());
    // The plan a live subscription is on may be chosen again (dropping a scheduled change)
    // even when retired; any other must be active.
    let target = match req.plan_id.as_deref() {
        Some(raw) => match live.filter(|s| raw.trim() == s.plan_id.to_string()) {
            Some(s) => Some(plan::get(db, s.plan_id).await?),
            None => Some(crate::plans::choosable(db, "planId", raw).await?),
        },
        None => None,
    };
    // A different plan must fit the company's usage now.
    if let Some(t) = &target
        && live.is_none_or(|s| s.plan_id != t.id && s.pending_plan_id != Some(t.id))
    {
        let usage = super::usage::current(p, &c).await?;
        super::usage::check_fits(&usage, t, &c.settings)?;
    }
    for _ in 0..5 {
        let current = subscription::for_company(db, company_id).await?;
        let change = match current {
            Some(s) if s.status.is_live() => {
                if req.trial_days.is_some() {
                    return Err(PlatformError::invalid(
                        "trialDays",
                        "can only be given when a subscription starts",
                    ));
                }
                change_live(p, s, target.as_ref(), &req).await?
            }
            before => {
                let Some(t) = &target else {
                    return Err(PlatformError::invalid(
                        "planId",
                        "is required to start a subscription",
                    ));
                };
                if req.cancel_at_period_end == Some(true) {
                    return Err(PlatformError::invalid(
                        "cancelAtPeriodEnd",
                        "cannot be set when a subscription starts",
                    ));
                }
                start(
                    p,
                    company_id,
                    before,
                    t,
                    req.trial_days.unwrap_or(0),
                    &req.billing,
                )?
            }
        };
        let Some(change) = change else {
            return view(p, company_id).await;
        };
        if let Some(w) = write(p, change, actor).await? {
            return view_of(p, w.subscription).await;
        }
    }
    Err(PlatformError::conflict(
        "concurrent_change",
        "the subscription kept changing; try again",
    ))
}

/// Starts a subscription for a company created on a plan, with the configured trial.
pub async fn start_for_new_company(
    p: &Platform,
    company_id: CompanyId,
    plan_id: PlanId,
    actor: &Actor,
) -> Result<(), PlatformError> {
    let pl = plan::get(p.owner.conn(), plan_id).await?;
    let change = start(
        p,
        company_id,
        None,
        &pl,
        p.billing.trial_days,
        &BillingDetails::default(),
    )?;
    if let Some(change) = change {
        write(p, change, actor).await?;
    }
    Ok(())
}

/// A new subscription (or a canceled one restarted): on a trial, or paying from now with the
/// first period invoiced.
fn start(
    p: &Platform,
    company_id: CompanyId,
    before: Option<subscription::Model>,
    pl: &plan::Model,
    trial_days: u32,
    billing: &BillingDetails,
) -> Result<Option<Change>, PlatformError> {
    if trial_days > 365 {
        return Err(PlatformError::invalid("trialDays", "must be 0 to 365"));
    }
    let now = p.clock.now();
    let stored = to_stored(now);
    let trial = trial_days > 0;
    let end = if trial {
        now.checked_add(super::days(trial_days)).unwrap_or(now)
    } else {
        period_end(now, pl.interval, 1)
    };
    let mut sub = subscription::Model {
        id: before.as_ref().map_or_else(SubscriptionId::new, |b| b.id),
        company_id,
        plan_id: pl.id,
        status: if trial {
            SubscriptionStatus::Trialing
        } else {
            SubscriptionStatus::Active
        },
        anchor: stored,
        current_period_start: stored,
        current_period_end: to_stored(end),
        trial_end: trial.then(|| to_stored(end)),
        cancel_at_period_end: false,
        canceled_at: None,
        cancel_reason: None,
        pending_plan_id: None,
        past_due_since: None,
        suspended_at: None,
        billing_email: before.as_ref().and_then(|b| b.billing_email.clone()),
        billing_name: before.as_ref().and_then(|b| b.billing_name.clone()),
        billing_address: before.as_ref().and_then(|b| b.billing_address.clone()),
        tax_id: before.as_ref().and_then(|b| b.tax_id.clone()),
        version: before.as_ref().map_or(0, |b| b.version),
        created_at: before.as_ref().map_or(stored, |b| b.created_at),
        updated_at: stored,
    };
    apply_billing(&mut sub, billing)?;
    let restarted = before.is_some();
    Ok(Some(Change {
        before,
        after: sub,
        invoice: (!trial).then(|| period_invoice(pl, now, end, "subscription_start")),
        at: now,
        reason: if restarted {
            "resubscribed"
        } else {
            "subscribed"
        },
        action: if restarted {
            "subscription.restart"
        } else {
            "subscription.start"
        },
        detail: serde_json::json!({"planId": pl.id, "plan": pl.name, "trialDays": trial_days}),
    }))
}

/// A change to a live subscription; `None` when nothing changes.
async fn change_live(
    p: &Platform,
    before: subscription::Model,
    target: Option<&plan::Model>,
    req: &SubscriptionRequest,
) -> Result<Option<Change>, PlatformError> {
    let now = p.clock.now();
    let mut after = before.clone();
    apply_billing(&mut after, &req.billing)?;
    if let Some(flag) = req.cancel_at_period_end {
        after.cancel_at_period_end = flag;
    }
    let mut invoice = None;
    let mut action = if after.cancel_at_period_end != before.cancel_at_period_end {
        if after.cancel_at_period_end {
            "subscription.cancel_at_period_end"
        } else {
            "subscription.reactivate"
        }
    } else {
        "subscription.update"
    };
    let mut detail = serde_json::json!({});
    if let Some(t) = target {
        let current = plan::get(p.owner.conn(), before.plan_id).await?;
        if t.id == current.id {
            // Choosing the current plan again drops a scheduled change.
            after.pending_plan_id = None;
        } else if before.pending_plan_id != Some(t.id) {
            detail = serde_json::json!({"planChange": [current.name, t.name]});
            match change_timing(before.status, &current.price(), &t.price()) {
                ChangeTiming::Swap => {
                    after.plan_id = t.id;
                    after.pending_plan_id = None;
                    action = "subscription.plan_change";
                }
                ChangeTiming::NowProrated => {
                    invoice = Some(upgrade_invoice(&before, &current, t, now));
                    after.plan_id = t.id;
                    after.pending_plan_id = None;
                    action = "subscription.upgrade";
                }
                ChangeTiming::AtPeriodEnd => {
                    after.pending_plan_id = Some(t.id);
                    action = "subscription.downgrade_scheduled";
                }
            }
        }
    }
    if after == before {
        return Ok(None);
    }
    Ok(Some(Change {
        before: Some(before),
        after,
        invoice,
        at: now,
        reason: "changed",
        action,
        detail,
    }))
}
