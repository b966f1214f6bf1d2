//! One company's database: practices, users, sessions and the tenant audit log. The practice
//! records work adds the rest.

pub mod access;
pub mod audit;
pub mod migration;
pub mod practice;
pub mod session;
pub mod user;

pub use migration::TenantMigrator;
