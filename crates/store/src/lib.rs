//! SeaORM entities, the two migration sets (owner and tenant) and the repository functions
//! over them. Everything here runs unchanged on SQLite and PostgreSQL.

pub mod error;
pub mod handle;
mod migration_kit;
pub mod owner;
mod page;
pub mod stamp;
pub mod tenant;

pub use error::{StoreError, is_unique_violation};
pub use handle::{
    OwnerConn, OwnerConnection, OwnerTransaction, TenantConn, TenantConnection, TenantTransaction,
};
pub use stamp::{Day, Stamp};

/// Current UTC time, truncated to microseconds so that values round-trip identically through
/// both backends.
pub fn now() -> Stamp {
    Stamp::now()
}
