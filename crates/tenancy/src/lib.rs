//! The multi-tenancy mechanism: where each company's database lives, the registry of live
//! tenant pools, request resolution, provisioning and the fleet migrator. The owner's
//! business (companies, plans, billing, usage, sign-up) lives in `smartdmv-platform`, on top.

pub mod clock;
pub mod config;
pub mod entitlements;
pub mod error;
pub mod fleet;
pub mod location;
pub mod mechanism;
pub mod owner;
pub mod password;
pub mod pgadmin;
pub mod provision;
pub mod refusal;
pub mod registry;
pub mod resolve;
pub mod secret;

pub use config::{RegistryConfig, TenancyConfig};
pub use error::TenancyError;
pub use location::TenantLocation;
pub use mechanism::{Tenancy, TenancySettings};
pub use owner::OwnerDb;
pub use registry::{TenantDb, TenantRegistry};
pub use resolve::{Resolution, Resolver, TenantContext};
