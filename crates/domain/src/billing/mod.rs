//! Platform billing rules: money and tax, billing periods, proration and the subscription
//! state machine. Everything here is pure: the tenancy layer reads the facts from the owner
//! database, asks these functions what happens next, and writes the answer.

pub mod money;

pub use money::{Currency, tax_cents};
