//! Platform billing over HTTP, on a settable clock: the subscription lifecycle over
//! simulated months, plan changes with proration, invoices and their immutability, payment
//! webhooks from recorded payloads, analytics against a hand-computed history, and what a
//! company administrator may see and do.

pub(crate) mod analytics;
mod invoices;
mod lifecycle;
mod plan_changes;
mod scope;
pub(crate) mod support;
mod webhooks;
