//! One company's database: practices, users, sessions and the tenant audit log. The practice
//! records work adds the rest.

pub mod audit;
pub mod migration;
pub mod practice;
pub mod user;

pub use migration::TenantMigrator;
