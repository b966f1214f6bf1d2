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
    #[error("is too common; choose a less guessable password")]
    TooCommon,
    #[error("could not be hashed")]
    Hash,
}

/// Passwords of ten or more characters that appear near the top of every leaked-password
/// list, plus patterns of them. Not exhaustive: it stops the first guesses of an attacker.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "1234567890a",
    "0123456789",
    "0987654321",
    "1111111111",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "q1w2e3r4t5",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "asdfghjkl1",
    "zxcvbnm123",
    "password12",
    "password123",
    "password1234",
    "password1!",
    "passw0rd12",
    "p@ssw0rd12",
    "p@ssword123",
    "iloveyou12",
    "iloveyou123",
    "letmein123",
    "welcome123",
    "welcome1234",
    "football12",
    "football123",
    "baseball123",
    "sunshine123",
    "princess123",
    "dragon1234",
    "monkey1234",
    "abcdefghij",
    "abcd123456",
    "abc1234567",
    "administrator",
    "admin12345",
    "admin123456",
    "changeme123",
    "trustno1234",
    "superman123",
    "starwars123",
    "computer123",
    "internet123",
    "whatever123",
    "veterinary1",
    "veterinarian",
    "smartdmv123",
    "smartdmv2026",
];

/// Whether a password is on the common list (case-insensitive) or one repeated character.
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    COMMON.contains(&lower.as_str()) || first.is_some_and(|f| chars.all(|c| c == f))
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
    if is_common_password(password) {
        return Err(PasswordError::TooCommon);
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

/// A valid argon2id hash of a random password, verified against when the user does not
/// exist, so that unknown users cost the same time as wrong passwords.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no user has this password: 7f3c9a").unwrap_or_default())
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
        assert_eq!(
            check_new_password("Password123"),
            Err(PasswordError::TooCommon)
        );
        assert_eq!(
            check_new_password("aaaaaaaaaaaa"),
            Err(PasswordError::TooCommon)
        );
    }
}
