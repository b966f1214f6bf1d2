//! The owner (platform) database: companies, their domains, platform users and sessions,
//! the owner audit log, the ledger of tenant migrations, and plans, subscriptions and
//! platform invoices.

pub mod audit;
pub mod company;
pub mod domain;
pub mod invoice;
pub mod ledger;
pub mod migration;
mod migration_billing;
pub mod payment;
pub mod plan;
pub mod platform_user;
pub mod subscription;

pub use migration::OwnerMigrator;
