//! The multi-tenancy mechanism: where each company's database lives, the registry of live
//! tenant pools, request resolution, provisioning, the fleet migrator and the company
//! services shared by the HTTP API and the CLI.

pub mod billing;
pub mod company;
pub mod config;
pub mod entitlements;
pub mod error;
pub mod fleet;
pub mod location;
pub mod owner;
pub mod pgadmin;
pub mod plans;
pub mod platform;
pub mod provision;
pub mod registry;
pub mod resolve;
pub mod secret;
pub mod signup;
pub mod usage;

pub use config::{RegistryConfig, TenancyConfig};
pub use error::TenancyError;
pub use location::TenantLocation;
pub use owner::OwnerDb;
pub use platform::Platform;
pub use registry::{TenantDb, TenantRegistry};
pub use resolve::{Resolution, Resolver, TenantContext};
