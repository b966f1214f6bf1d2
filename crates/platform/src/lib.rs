//! The owner's business, on top of the tenancy mechanism: the company services shared by the
//! HTTP API and the CLI, plans, subscriptions and platform billing, usage metering, the
//! owner's analytics and self-service sign-up. Services return [`PlatformError`]; owner
//! writes run in one unit of work ([`work::write`]).

pub mod billing;
pub mod company;
pub mod error;
pub mod password;
pub mod plans;
pub mod platform;
pub mod signup;
pub mod token;
pub mod usage;
pub mod work;

pub use error::{ConflictAs, FieldErrors, PlatformError, PlatformResult, Refusal};
pub use platform::{Platform, PlatformConfig};
pub use work::Actor;
pub mod service;
