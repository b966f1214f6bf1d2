//! Platform billing: subscriptions and their lifecycle, invoices and payments, the billing
//! tick, payment providers and their webhooks, and the owner's analytics. Rules come from
//! `smartdmv_domain::billing`; this module reads and writes the owner database around them,
//! one transaction per change, and keeps the company's status in step with its billing.

pub mod analytics;
mod charges;
pub mod clock;
mod contact;
pub mod invoices;
pub mod provider;
pub mod subscriptions;
pub mod tick;
pub mod unapplied;
pub mod usage;
pub mod webhook;
mod write;

pub use clock::{Clock, ManualClock, SystemClock};

use jiff::SignedDuration;
use smartdmv_domain::billing::Policy;

/// Billing settings (`SMARTDMV_BILLING_*`).
#[derive(Debug, Clone)]
pub struct BillingConfig {
    /// Trial length of a company created on a plan; 0 starts it paying at once.
    pub trial_days: u32,
    /// An invoice is due this many days after it is issued.
    pub payment_terms_days: u32,
    /// An overdue company is served (`PAST_DUE`) this many days after the due date, then
    /// suspended.
    pub grace_days: u32,
    /// The platform's tax rate on invoices, in basis points (2000 = 20 %).
    pub tax_rate_bp: u32,
    /// The shared secret of the card provider's signed webhooks; without it the `card`
    /// provider is off.
    pub webhook_secret: Option<String>,
    /// How old (or how far ahead) a webhook's timestamp may be.
    pub webhook_tolerance_secs: u32,
}

impl Default for BillingConfig {
    fn default() -> Self {
        Self {
            trial_days: 14,
            payment_terms_days: 7,
            grace_days: 14,
            tax_rate_bp: 0,
            webhook_secret: None,
            webhook_tolerance_secs: 300,
        }
    }
}

impl BillingConfig {
    pub fn policy(&self) -> Policy {
        Policy {
            grace: days(self.grace_days),
        }
    }

    pub fn payment_terms(&self) -> SignedDuration {
        days(self.payment_terms_days)
    }
}

pub(crate) fn days(n: u32) -> SignedDuration {
    SignedDuration::from_hours(i64::from(n) * 24)
}

/// The actor of the billing tick in the audit log.
pub const SYSTEM_BILLING: &str = "system:billing";
