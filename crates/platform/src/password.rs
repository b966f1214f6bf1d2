//! Passwords of the platform's users and of the first administrator of a new company, through
//! the one implementation both sides share (`smartdmv_tenancy::password`).

use crate::{PlatformError, PlatformResult};

pub use smartdmv_tenancy::password::verify;

/// Hashes a password for storing.
pub async fn hash(password: String) -> PlatformResult<String> {
    smartdmv_tenancy::password::hash(password)
        .await
        .map_err(PlatformError::internal)
}
