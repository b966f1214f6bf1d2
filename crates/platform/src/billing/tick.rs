//! The billing tick: for the clock's now, every subscription takes the steps that fell due
//! (trials end, periods renew and are invoiced, overdue invoices make it past due, the grace
//! period suspends, scheduled downgrades and cancellations apply), one transaction per
//! step, in the order they fell due. The server runs it periodically; the owner runs it on
//! demand (`POST /api/owner/billing/run`). Safe to run on several instances at once: a step
//! computed from a stale read loses and is recomputed.

use crate::PlatformError;
use serde::Serialize;
use smartdmv_domain::CompanyId;
use smartdmv_domain::billing::lifecycle::{CancelReason, Facts, next_step};
use smartdmv_domain::billing::period::{next_period_end, period_end};
use smartdmv_domain::billing::{Step, SubscriptionStatus};
use smartdmv_store::owner::{invoice, plan, subscription};
use std::collections::BTreeSet;

use super::charges::period_invoice;
use super::clock::{to_instant, to_stored};
use super::write::{Change, write};
use crate::Platform;
use crate::company::Actor;

/// Steps of one subscription beyond which a tick stops (and the next one continues): about
/// twenty years of monthly periods.
const MAX_STEPS: usize = 1000;

/// What a tick did.
#[derive(Debug, Default, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TickReport {
    /// The clock's time the tick ran at.
    pub now: String,
    pub subscriptions: usize,
    pub steps: usize,
    pub invoices_issued: usize,
    pub errors: Vec<String>,
}

/// Runs the tick on an operator's request: the transitions are the billing system's
/// (`system:billing`), the request itself is audited as the operator's.
pub async fn run_requested(p: &Platform, by: &Actor) -> Result<TickReport, PlatformError> {
    let system = Actor {
        label: super::SYSTEM_BILLING.into(),
        ip: by.ip.clone(),
    };
    let report = run(p, &system).await?;
    smartdmv_store::owner::audit::append(
        p.owner.conn(),
        smartdmv_store::owner::audit::Entry {
            actor: &by.label,
            action: "billing.run",
            company: None,
            detail: serde_json::to_value(&report).unwrap_or_default(),
            ip: by.ip.clone(),
        },
    )
    .await?;
    Ok(report)
}

/// Runs the tick for every subscription with something due at the clock's now.
pub async fn run(p: &Platform, actor: &Actor) -> Result<TickReport, PlatformError> {
    let now = p.clock.now();
    let db = p.owner.conn();
    let mut companies: BTreeSet<CompanyId> = subscription::due(db, to_stored(now))
        .await?
        .into_iter()
        .map(|s| s.company_id)
        .collect();
    companies.extend(invoice::companies_overdue(db, to_stored(now)).await?);
    let mut report = TickReport {
        now: now.to_string(),
        subscriptions: companies.len(),
        ..TickReport::default()
    };
    for c in companies {
        match advance(p, c, actor).await {
            Ok(done) => {
                report.steps += done.steps;
                report.invoices_issued += done.invoices_issued;
            }
            Err(e) => {
                tracing::warn!(company.id = %c, error = %e, "billing tick failed for a company");
                report.errors.push(format!("company {c}: {e}"));
            }
        }
    }
    Ok(report)
}

/// What [`advance`] did for one company.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Advanced {
    pub steps: usize,
    pub invoices_issued: usize,
}

/// Takes every step due for one company's subscription at the clock's now.
pub async fn advance(
    p: &Platform,
    company: CompanyId,
    actor: &Actor,
) -> Result<Advanced, PlatformError> {
    let now = p.clock.now();
    let policy = p.billing.policy();
    let db = p.owner.conn();
    let mut done = Advanced::default();
    for _ in 0..MAX_STEPS {
        let Some(sub) = subscription::for_company(db, company).await? else {
            break;
        };
        let oldest_unpaid_due = invoice::unpaid_for(db, sub.company_id)
            .await?
            .first()
            .map(|i| to_instant(i.due_at));
        let facts = Facts {
            status: sub.status,
            period_end: to_instant(sub.current_period_end),
            cancel_at_period_end: sub.cancel_at_period_end,
            suspended: sub.suspended_at.is_some(),
            oldest_unpaid_due,
        };
        let Some(step) = next_step(&facts, now, &policy) else {
            break;
        };
        let change = change_for(p, sub, step).await?;
        if let Some(w) = write(p, change, actor).await? {
            done.steps += 1;
            done.invoices_issued += usize::from(w.invoice.is_some());
        }
    }
    Ok(done)
}

async fn change_for(
    p: &Platform,
    sub: subscription::Model,
    step: Step,
) -> Result<Change, PlatformError> {
    let db = p.owner.conn();
    let before = sub.clone();
    let mut after = sub;
    let mut detail = serde_json::json!({});
    let (at, invoice, reason, action) = match step {
        Step::StartPaid { at } => {
            let pl = plan::get(db, after.plan_id).await?;
            let end = period_end(at, pl.interval, 1);
            after.status = SubscriptionStatus::Active;
            after.anchor = to_stored(at);
            after.current_period_start = to_stored(at);
            after.current_period_end = to_stored(end);
            let inv = period_invoice(&pl, at, end, "renewal");
            (at, Some(inv), "trial_ended", "subscription.activate")
        }
        Step::Renew { at } => {
            let old = plan::get(db, after.plan_id).await?;
            let pl = match after.pending_plan_id.take() {
                Some(next) => {
                    detail = serde_json::json!({"planChange": [old.id, next]});
                    plan::get(db, next).await?
                }
                None => old.clone(),
            };
            let end = if pl.interval != old.interval {
                after.anchor = to_stored(at);
                period_end(at, pl.interval, 1)
            } else {
                next_period_end(to_instant(after.anchor), pl.interval, at)
            };
            after.plan_id = pl.id;
            after.current_period_start = to_stored(at);
            after.current_period_end = to_stored(end);
            let inv = period_invoice(&pl, at, end, "renewal");
            (at, Some(inv), "period_renewed", "subscription.renew")
        }
        Step::Cancel { at, reason } => {
            after.status = SubscriptionStatus::Canceled;
            after.canceled_at = Some(to_stored(at));
            after.cancel_reason = Some(reason.as_str().into());
            after.cancel_at_period_end = false;
            after.pending_plan_id = None;
            let why = match reason {
                CancelReason::Requested => "canceled_at_period_end",
                CancelReason::NonPayment => "canceled_for_non_payment",
            };
            (at, None, why, "subscription.cancel")
        }
        Step::MarkPastDue { at } => {
            after.status = SubscriptionStatus::PastDue;
            after.past_due_since = Some(to_stored(at));
            (at, None, "payment_overdue", "subscription.past_due")
        }
        Step::Suspend { at } => {
            after.suspended_at = Some(to_stored(at));
            (at, None, "grace_period_expired", "subscription.suspend")
        }
        Step::Recover => {
            after.status = SubscriptionStatus::Active;
            after.past_due_since = None;
            after.suspended_at = None;
            (p.clock.now(), None, "paid", "subscription.recover")
        }
    };
    Ok(Change {
        before: Some(before),
        after,
        invoice,
        at,
        reason,
        action,
        detail,
    })
}
