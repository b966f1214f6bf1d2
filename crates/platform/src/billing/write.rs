//! Writing one subscription change, in one transaction, with everything it causes: the
//! invoice it issues, its history event, the company's plan and status, and the audit
//! entries. A change computed from a stale read loses (the subscription's version moved)
//! and the caller reads again.

use crate::PlatformError;
use jiff::Timestamp;
use smartdmv_domain::CompanyStatus;
use smartdmv_domain::billing::invoice::{document_number, totals};
use smartdmv_domain::billing::lifecycle::company_status;
use smartdmv_domain::billing::{InvoiceStatus, LineKind, SubscriptionStatus};
use smartdmv_domain::ids::{InvoiceId, PlanId};
use smartdmv_store::OwnerTransaction as DatabaseTransaction;
use smartdmv_store::owner::invoice::{self, line};
use smartdmv_store::owner::subscription::{self, event};
use smartdmv_store::owner::{audit, company};
use uuid::Uuid;

use super::clock::to_stored;
use crate::Platform;
use crate::company::Actor;

/// A line of an invoice to issue.
#[derive(Debug, Clone)]
pub(crate) struct NewLine {
    pub kind: LineKind,
    pub description: String,
    pub plan_id: Option<PlanId>,
    pub period: Option<(Timestamp, Timestamp)>,
    pub amount_cents: i64,
}

/// An invoice to issue with a change.
#[derive(Debug, Clone)]
pub(crate) struct NewInvoice {
    /// `subscription_start`, `renewal` or `plan_change`.
    pub reason: &'static str,
    pub currency: String,
    pub period: Option<(Timestamp, Timestamp)>,
    pub issued_at: Timestamp,
    pub lines: Vec<NewLine>,
}

/// A subscription change and its consequences.
pub(crate) struct Change {
    /// The row as read; `None` when the subscription is created.
    pub before: Option<subscription::Model>,
    pub after: subscription::Model,
    pub invoice: Option<NewInvoice>,
    /// When the change takes effect (the clock's time of the step).
    pub at: Timestamp,
    /// Why, in the history and the audit log (`trial_ended`, `payment_overdue`, ...).
    pub reason: &'static str,
    /// The audit action, e.g. `subscription.renew`.
    pub action: &'static str,
    pub detail: serde_json::Value,
}

/// What a written change did.
pub(crate) struct Written {
    pub subscription: subscription::Model,
    pub invoice: Option<invoice::Model>,
    /// The company's status moved from .0 to .1.
    pub company_moved: Option<(CompanyStatus, CompanyStatus)>,
}

/// Writes a change; `Ok(None)` when the subscription changed since it was read.
pub(crate) async fn write(
    p: &Platform,
    change: Change,
    actor: &Actor,
) -> Result<Option<Written>, PlatformError> {
    let written = crate::work::write(p.owner.conn(), actor, |w| async move {
        let written = write_in(p, w.tx(), change, actor).await?;
        if written.is_none() {
            w.discard();
        }
        Ok::<_, PlatformError>(written)
    })
    .await?;
    let Some(w) = written else {
        return Ok(None);
    };
    after_commit(p, &w);
    Ok(Some(w))
}

/// What every committed change needs: the resolver forgets the company (its plan or status
/// may have moved) and a company no longer served loses its pool.
pub(crate) fn after_commit(p: &Platform, w: &Written) {
    p.resolver.invalidate();
    if let Some((_, to)) = w.company_moved
        && to.serving() != smartdmv_domain::company::Serving::Serve
    {
        p.registry.evict(w.subscription.company_id);
    }
}

pub(crate) async fn write_in(
    p: &Platform,
    txn: &DatabaseTransaction,
    change: Change,
    actor: &Actor,
) -> Result<Option<Written>, PlatformError> {
    let Change {
        before,
        mut after,
        invoice,
        at,
        reason,
        action,
        mut detail,
    } = change;
    after.updated_at = to_stored(p.clock.now());
    let saved = match &before {
        None => subscription::insert(txn, after).await?,
        Some(_) => match subscription::save_if_unchanged(txn, after).await? {
            Some(s) => s,
            None => return Ok(None),
        },
    };
    let company_id = saved.company_id;
    let issued = match invoice {
        Some(inv) => Some(issue(p, txn, &saved, inv).await?),
        None => None,
    };
    let from = before.as_ref().map(|b| b.status);
    let status_moved = from != Some(saved.status);
    let suspension_moved =
        before.as_ref().map(|b| b.suspended_at.is_some()) != Some(saved.suspended_at.is_some());
    if status_moved || suspension_moved {
        event::insert(
            txn,
            event::Model {
                id: Uuid::now_v7(),
                company_id: saved.company_id,
                subscription_id: saved.id,
                at: to_stored(at),
                from_status: from,
                to_status: saved.status,
                plan_id: saved.plan_id,
                reason: reason.to_owned(),
                actor: actor.label.clone(),
            },
        )
        .await?;
    }
    let row = company::get(txn, company_id).await?;
    let plan_id = saved.plan_id.to_string();
    let plan_moved = row.plan.as_deref() != Some(plan_id.as_str());
    let company_moved = next_company_status(&row, before.as_ref(), &saved);
    if plan_moved || company_moved.is_some() {
        let status = company_moved.map_or(row.status, |(_, to)| to);
        company::set_plan_and_status(txn, company_id, Some(plan_id), status).await?;
    }
    if let Some((f, t)) = company_moved {
        audit::append(
            txn,
            audit::Entry {
                actor: &actor.label,
                action: "company.status_change",
                company: Some(company_id),
                detail: serde_json::json!({"status": [f, t], "reason": reason}),
                ip: actor.ip.clone(),
            },
        )
        .await?;
    }
    if let Some(o) = detail.as_object_mut() {
        o.insert("status".into(), saved.status.as_str().into());
        o.insert("reason".into(), reason.into());
        o.insert("effectiveAt".into(), at.to_string().into());
        if let Some(inv) = &issued {
            o.insert("invoice".into(), inv.number.clone().into());
        }
    }
    audit::append(
        txn,
        audit::Entry {
            actor: &actor.label,
            action,
            company: Some(company_id),
            detail,
            ip: actor.ip.clone(),
        },
    )
    .await?;
    Ok(Some(Written {
        subscription: saved,
        invoice: issued,
        company_moved,
    }))
}

/// The company status billing calls for, when billing may move the company: from a
/// billing-managed status (`TRIAL`, `ACTIVE`, `PAST_DUE`), or from a suspension billing made.
/// An operator's suspension and the provisioning and maintenance states are left alone.
fn next_company_status(
    row: &company::Model,
    before: Option<&subscription::Model>,
    after: &subscription::Model,
) -> Option<(CompanyStatus, CompanyStatus)> {
    let current = row.status;
    let billing_suspended = before
        .is_some_and(|b| b.suspended_at.is_some() || b.status == SubscriptionStatus::Canceled);
    let managed = matches!(
        current,
        CompanyStatus::Trial | CompanyStatus::Active | CompanyStatus::PastDue
    ) || (current == CompanyStatus::Suspended && billing_suspended);
    let want = company_status(after.status, after.suspended_at.is_some());
    (managed && want != current).then_some((current, want))
}

/// Issues an invoice: the next number of its year, its lines, tax and totals; due after the
/// payment terms. An invoice of nothing to pay is settled at once.
async fn issue(
    p: &Platform,
    txn: &DatabaseTransaction,
    sub: &subscription::Model,
    inv: NewInvoice,
) -> Result<invoice::Model, PlatformError> {
    let year = inv.issued_at.to_zoned(jiff::tz::TimeZone::UTC).year();
    let seq = invoice::next_number(txn, "INV", i32::from(year)).await?;
    let cfg = &p.billing;
    let amounts: Vec<i64> = inv.lines.iter().map(|l| l.amount_cents).collect();
    let t = totals(&amounts, cfg.tax_rate_bp);
    let issued_at = to_stored(inv.issued_at);
    let settled = t.total_cents <= 0;
    let due = inv
        .issued_at
        .checked_add(cfg.payment_terms())
        .unwrap_or(inv.issued_at);
    let id = InvoiceId::new();
    let model = invoice::insert(
        txn,
        invoice::Model {
            id,
            number: document_number("INV", year, seq),
            company_id: sub.company_id,
            subscription_id: Some(sub.id),
            reason: inv.reason.into(),
            status: if settled {
                InvoiceStatus::Paid
            } else {
                InvoiceStatus::Open
            },
            currency: inv.currency,
            subtotal_cents: t.subtotal_cents,
            tax_rate_bp: cfg.tax_rate_bp as i32,
            tax_cents: t.tax_cents,
            total_cents: t.total_cents,
            amount_paid_cents: 0,
            period_start: inv.period.map(|p| to_stored(p.0)),
            period_end: inv.period.map(|p| to_stored(p.1)),
            issued_at,
            due_at: to_stored(due),
            paid_at: settled.then_some(issued_at),
            voided_at: None,
            created_at: smartdmv_store::now(),
        },
    )
    .await?;
    let lines = inv
        .lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| line::Model {
            id: Uuid::now_v7(),
            invoice_id: id,
            position: i as i32 + 1,
            kind: l.kind,
            description: l.description,
            plan_id: l.plan_id,
            period_start: l.period.map(|p| to_stored(p.0)),
            period_end: l.period.map(|p| to_stored(p.1)),
            amount_cents: l.amount_cents,
        })
        .collect();
    line::insert_all(txn, lines).await?;
    Ok(model)
}

/// `2026-03-01 to 2026-04-01`, for line descriptions.
pub(crate) fn describe_period(start: Timestamp, end: Timestamp) -> String {
    let d = |t: Timestamp| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    format!("{} to {}", d(start), d(end))
}
