//! One-time and session tokens the owner side hands out: random secrets given to their holder
//! once, of which the owner database keeps only the SHA-256.

use rand::Rng;
use sha2::{Digest, Sha256};

/// A random token of 43 letters and digits (about 256 bits).
pub fn random() -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(43)
        .map(char::from)
        .collect()
}

/// SHA-256 of a token, hex: what the owner database keeps.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_stored_hashed() {
        let t = random();
        assert_eq!(t.len(), 43);
        assert_ne!(t, random());
        assert_eq!(hash(&t).len(), 64);
        assert_eq!(hash("abc"), hash("abc"));
        assert_ne!(hash("abc"), hash("abd"));
    }
}
