//! What each billing event charges: a period of a plan, and the proration lines of an
//! upgrade.

use jiff::Timestamp;
use smartdmv_domain::billing::LineKind;
use smartdmv_domain::billing::proration::prorate;
use smartdmv_store::owner::{plan, subscription};

use super::clock::to_instant;
use super::write::{NewInvoice, NewLine, describe_period};

/// The plan line of a period.
fn plan_line(pl: &plan::Model, start: Timestamp, end: Timestamp) -> NewLine {
    NewLine {
        kind: LineKind::Plan,
        description: format!(
            "{} plan ({}), {}",
            pl.name,
            pl.interval,
            describe_period(start, end)
        ),
        plan_id: Some(pl.id),
        period: Some((start, end)),
        amount_cents: pl.price_cents,
    }
}

/// A new period from `start` on `pl`, invoiced.
pub(crate) fn period_invoice(
    pl: &plan::Model,
    start: Timestamp,
    end: Timestamp,
    reason: &'static str,
) -> NewInvoice {
    NewInvoice {
        reason,
        currency: pl.currency.clone(),
        period: Some((start, end)),
        issued_at: start,
        lines: vec![plan_line(pl, start, end)],
    }
}

/// The invoice of an upgrade: the unused time of the old plan credited, the rest of the
/// period on the new plan charged.
pub(crate) fn upgrade_invoice(
    sub: &subscription::Model,
    old: &plan::Model,
    new: &plan::Model,
    now: Timestamp,
) -> NewInvoice {
    let (start, end) = (
        to_instant(sub.current_period_start),
        to_instant(sub.current_period_end),
    );
    let pr = prorate(old.price_cents, new.price_cents, start, end, now);
    let rest = describe_period(now, end);
    NewInvoice {
        reason: "plan_change",
        currency: new.currency.clone(),
        period: Some((now, end)),
        issued_at: now,
        lines: vec![
            NewLine {
                kind: LineKind::ProrationCredit,
                description: format!("Unused time on {} plan, {rest}", old.name),
                plan_id: Some(old.id),
                period: Some((now, end)),
                amount_cents: pr.credit_cents,
            },
            NewLine {
                kind: LineKind::ProrationCharge,
                description: format!("Remaining time on {} plan, {rest}", new.name),
                plan_id: Some(new.id),
                period: Some((now, end)),
                amount_cents: pr.charge_cents,
            },
        ],
    }
}
