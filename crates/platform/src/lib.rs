//! The owner's business, on top of the tenancy mechanism: the company services shared by the
//! HTTP API and the CLI, plans, subscriptions and platform billing, usage metering, the
//! owner's analytics and self-service sign-up.

pub mod billing;
pub mod company;
pub mod plans;
pub mod platform;
pub mod signup;
pub mod usage;

pub use platform::{Platform, PlatformConfig};
