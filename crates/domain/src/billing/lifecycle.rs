//! The subscription state machine of `spec/owner.md`: `TRIALING` -> `ACTIVE` -> `PAST_DUE`
//! (an issued invoice unpaid past its due date; served during a grace period, then suspended)
//! -> `CANCELED` (at the period end on request, or for non-payment). [`next_step`] says what
//! happens next for a clock's `now`; the billing tick applies steps one at a time, in the
//! order they fell due, until none is left, so a server that was down for months catches up
//! exactly as if it had run all along.

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use crate::CompanyStatus;
use crate::names::string_enum;
use crate::plan::PlanPrice;

string_enum!(
    /// Where a subscription is in its life.
    #[derive(Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    SubscriptionStatus {
        Trialing = "TRIALING",
        Active = "ACTIVE",
        PastDue = "PAST_DUE",
        Canceled = "CANCELED",
    }
);

impl SubscriptionStatus {
    /// Whether the subscription still runs (it can change plan, renew, be canceled).
    pub fn is_live(self) -> bool {
        self != Self::Canceled
    }

    /// Whether it brings revenue (counts toward MRR).
    pub fn is_paying(self) -> bool {
        matches!(self, Self::Active | Self::PastDue)
    }
}

/// The company status a subscription calls for. `suspended`: the grace period of an overdue
/// invoice has passed.
pub fn company_status(status: SubscriptionStatus, suspended: bool) -> CompanyStatus {
    match status {
        SubscriptionStatus::Trialing => CompanyStatus::Trial,
        SubscriptionStatus::Active => CompanyStatus::Active,
        SubscriptionStatus::PastDue if suspended => CompanyStatus::Suspended,
        SubscriptionStatus::PastDue => CompanyStatus::PastDue,
        SubscriptionStatus::Canceled => CompanyStatus::Suspended,
    }
}

/// How long an overdue subscription is still served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub grace: SignedDuration,
}

/// What the state machine needs to know about a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub status: SubscriptionStatus,
    /// End of the current period (of the trial, while trialing).
    pub period_end: Timestamp,
    pub cancel_at_period_end: bool,
    /// Suspended for non-payment (the grace period passed).
    pub suspended: bool,
    /// Due date of the oldest issued invoice still unpaid.
    pub oldest_unpaid_due: Option<Timestamp>,
}

/// Why a subscription ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// Canceled at the period end, as asked.
    Requested,
    /// The period ended while suspended for an unpaid invoice.
    NonPayment,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::NonPayment => "non_payment",
        }
    }
}

/// One transition, effective at its instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The trial ended: the first paid period starts at `at` and is invoiced.
    StartPaid {
        at: Timestamp,
    },
    /// The period ended: the next starts at `at` (with any scheduled plan change) and is
    /// invoiced.
    Renew {
        at: Timestamp,
    },
    Cancel {
        at: Timestamp,
        reason: CancelReason,
    },
    /// An invoice passed its due date unpaid.
    MarkPastDue {
        at: Timestamp,
    },
    /// The grace period after the due date passed: the company is no longer served.
    Suspend {
        at: Timestamp,
    },
    /// Nothing is overdue any more (paid, or voided): back to `ACTIVE`.
    Recover,
}

/// The next transition due at `now`, the earliest first; `None` when the subscription is up
/// to date. At equal instants an invoice falls overdue before the period rolls over.
pub fn next_step(f: &Facts, now: Timestamp, policy: &Policy) -> Option<Step> {
    use SubscriptionStatus::*;
    let period_step = |suspended: bool| {
        (f.period_end <= now).then(|| {
            if suspended {
                Step::Cancel {
                    at: f.period_end,
                    reason: CancelReason::NonPayment,
                }
            } else if f.cancel_at_period_end {
                Step::Cancel {
                    at: f.period_end,
                    reason: CancelReason::Requested,
                }
            } else if f.status == Trialing {
                Step::StartPaid { at: f.period_end }
            } else {
                Step::Renew { at: f.period_end }
            }
        })
    };
    let overdue = f.oldest_unpaid_due.filter(|d| *d <= now);
    match f.status {
        Canceled => None,
        Trialing => period_step(false),
        Active => match (overdue, period_step(false)) {
            (Some(d), Some(p)) if d > f.period_end => Some(p),
            (Some(d), _) => Some(Step::MarkPastDue { at: d }),
            (None, p) => p,
        },
        PastDue => {
            let Some(d) = overdue else {
                return Some(Step::Recover);
            };
            let suspend_at = d.checked_add(policy.grace).unwrap_or(Timestamp::MAX);
            let suspend = (!f.suspended && suspend_at <= now).then_some(suspend_at);
            match (suspend, period_step(f.suspended)) {
                (Some(s), Some(p)) if s > f.period_end => Some(p),
                (Some(s), _) => Some(Step::Suspend { at: s }),
                (None, p) => p,
            }
        }
    }
}

/// When a plan change takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeTiming {
    /// During a trial: the plan is swapped, nothing is charged.
    Swap,
    /// An upgrade: now, with the unused time credited and the new plan charged.
    NowProrated,
    /// A downgrade, or a change of billing interval: at the end of the period.
    AtPeriodEnd,
}

/// When a live subscription on `current` moves to `target`.
pub fn change_timing(
    status: SubscriptionStatus,
    current: &PlanPrice,
    target: &PlanPrice,
) -> ChangeTiming {
    if status == SubscriptionStatus::Trialing {
        ChangeTiming::Swap
    } else if current.interval == target.interval && current.is_upgrade_to(target) {
        ChangeTiming::NowProrated
    } else {
        ChangeTiming::AtPeriodEnd
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
