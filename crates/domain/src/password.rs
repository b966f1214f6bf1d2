//! Password hashing with argon2id. Callers run these on a blocking thread: one hash costs
//! tens of milliseconds of CPU by design.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The shortest password accepted anywhere on the platform.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least {MIN_PASSWORD_LEN} characters long")]
    TooShort,
    #[error("must be at most 256 characters long")]
    TooLong,
    #[error("could not be hashed")]
    Hash,
}

/// Checks the length rules for a new password.
pub fn check_new_password(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(PasswordError::TooShort);
    }
    if n > 256 {
        return Err(PasswordError::TooLong);
    }
    Ok(())
}

/// Hashes a password into a PHC string (`$argon2id$...`) with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| PasswordError::Hash)
}

/// Whether `password` matches the PHC string `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn length_rules() {
        assert_eq!(check_new_password("short"), Err(PasswordError::TooShort));
        assert_eq!(
            check_new_password(&"x".repeat(300)),
            Err(PasswordError::TooLong)
        );
        assert_eq!(check_new_password("long enough pw"), Ok(()));
    }
}
