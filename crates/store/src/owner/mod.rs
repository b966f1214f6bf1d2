//! The owner (platform) database: companies, their domains, platform users and sessions,
//! the owner audit log, the ledger of tenant migrations, plans, subscriptions, platform
//! invoices and the payments no invoice took, monthly usage, the email outbox and the
//! one-time tokens of sign-up.

pub mod audit;
pub mod company;
pub mod domain;
pub mod invoice;
pub mod ledger;
pub mod migration;
mod migration_billing;
mod migration_unapplied;
mod migration_usage;
pub mod outbox;
pub mod payment;
pub mod plan;
pub mod platform_user;
pub mod signup_token;
pub mod subscription;
pub mod unapplied_payment;
pub mod usage;

pub use migration::OwnerMigrator;
