//! Secrets at rest: explicit tenant database URLs are stored encrypted with a key derived
//! from `SMARTDMV_SECRET_KEY` (XChaCha20-Poly1305), and shown only with credentials
//! removed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Encrypts and decrypts short secrets. Cloning shares nothing mutable.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

const PREFIX: &str = "v1:";

impl SecretBox {
    /// Derives the key from the configured secret (any length; hashed to 256 bits).
    pub fn new(secret: &str) -> Self {
        let key = Sha256::digest(format!("smartdmv/secret-box/v1\0{secret}").as_bytes());
        Self {
            cipher: XChaCha20Poly1305::new(&key),
        }
    }

    pub fn encrypt(&self, plain: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// `None` when the value was not written by this key (wrong `SMARTDMV_SECRET_KEY`) or
    /// was tampered with.
    pub fn decrypt(&self, sealed: &str) -> Option<String> {
        let raw = B64.decode(sealed.strip_prefix(PREFIX)?).ok()?;
        if raw.len() < 24 {
            return None;
        }
        let (nonce, ct) = raw.split_at(24);
        let plain = self.cipher.decrypt(XNonce::from_slice(nonce), ct).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// A database URL with its password removed, safe to log and to show.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "<unparseable url>".into();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let tail = tail.split('?').next().unwrap_or("");
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}@{host}{tail}")
        }
        None => format!("{scheme}://{authority}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let b = SecretBox::new("k1");
        let sealed = b.encrypt("postgres://u:secret@h/db");
        assert!(!sealed.contains("secret"));
        assert_eq!(
            b.decrypt(&sealed).as_deref(),
            Some("postgres://u:secret@h/db")
        );
        assert_eq!(SecretBox::new("k2").decrypt(&sealed), None);
        let mut bad = sealed.clone();
        bad.pop();
        bad.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(b.decrypt(&bad), None);
    }

    #[test]
    fn redaction_removes_passwords_and_query() {
        assert_eq!(
            redact_url("postgres://u:pw@h:5432/db?sslmode=require&password=x"),
            "postgres://u@h:5432/db"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact_url("nonsense"), "<unparseable url>");
    }
}
