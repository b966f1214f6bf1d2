//! Passwords as both sides check them (company users and platform users): argon2 runs off
//! the async threads (it is slow on purpose), and a sign-in with an unknown email costs the
//! same verification as one with a known email.

use smartdmv_domain::password::dummy_hash;
use std::sync::atomic::{AtomicU64, Ordering};

/// Hashes a password for storing; the error says why it could not.
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || smartdmv_domain::password::hash_password(&password))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored hash, or against a dummy hash when there is none, so
/// both paths cost one argon2 verification (counted in `checks`).
pub async fn verify(checks: &AtomicU64, password: String, hash: Option<String>) -> bool {
    checks.fetch_add(1, Ordering::Relaxed);
    let exists = hash.is_some();
    let ok = tokio::task::spawn_blocking(move || {
        let h = hash.unwrap_or_else(|| dummy_hash().to_owned());
        smartdmv_domain::password::verify_password(&password, &h)
    })
    .await
    .unwrap_or(false);
    ok && exists
}
