//! The owner (platform) database: companies, their domains, platform users and sessions,
//! the owner audit log and the ledger of tenant migrations.

pub mod audit;
pub mod company;
pub mod domain;
pub mod ledger;
pub mod migration;
pub mod platform_user;

pub use migration::OwnerMigrator;
