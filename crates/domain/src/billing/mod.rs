//! Platform billing rules: money and tax, billing periods, proration, invoices and the
//! subscription state machine. Everything here is pure: the platform crate reads the facts
//! from the owner database, asks these functions what happens next, and writes the answer.

pub mod invoice;
pub mod lifecycle;
pub mod money;
pub mod period;
pub mod placement;
pub mod proration;

pub use invoice::{InvoiceStatus, LineKind, Totals};
pub use lifecycle::{ChangeTiming, Facts, Policy, Step, SubscriptionStatus};
pub use money::{Currency, tax_cents};
pub use placement::{Placement, UnappliedReason, UnappliedState};
