//! Payment providers. Payments reach platform invoices through a [`PaymentProvider`]: the
//! built-in `manual` provider records a bank transfer the owner saw arrive (it works
//! offline), and a card provider (`card`) tells the platform about payments through signed
//! webhooks: `Smartdmv-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
//! with a shared secret, accepted only within a replay window around the clock's now.

use hmac::{KeyInit, Mac};
use jiff::Timestamp;
use serde::Deserialize;

use super::BillingConfig;

type HmacSha256 = hmac::Hmac<sha2_11::Sha256>;

/// The header carrying a webhook's timestamp and signature.
pub const SIGNATURE_HEADER: &str = "smartdmv-signature";

/// A payment a provider attests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collected {
    pub provider: String,
    pub reference: String,
    pub amount_cents: i64,
    /// `None`: the invoice's currency.
    pub currency: Option<String>,
}

/// Why a webhook delivery is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// 404: the provider takes no webhooks (or is not configured).
    #[error("provider {0} does not send webhooks")]
    NotSupported(String),
    /// 400: the signature header is missing or malformed.
    #[error("the {SIGNATURE_HEADER} header is missing or malformed")]
    MalformedSignature,
    /// 401: no signature matches the body.
    #[error("the webhook signature does not match")]
    BadSignature,
    /// 400: the timestamp is outside the replay window.
    #[error("the webhook timestamp is outside the accepted window of {0} seconds")]
    Stale(u32),
    /// 400: the body is not an event.
    #[error("the webhook body is not a valid event: {0}")]
    BadBody(String),
}

/// A verified provider event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// The provider's event id: an event is applied once, however often it is delivered.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The `data` of a `payment.succeeded` event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentData {
    pub invoice_number: String,
    pub amount_cents: i64,
    pub currency: String,
    /// The provider's charge id.
    pub reference: String,
}

/// A way money reaches the platform.
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &'static str;

    /// A payment an operator records by hand; only providers that work offline accept it.
    fn record(&self, amount_cents: i64, reference: &str) -> Option<Collected>;

    /// Verifies a webhook delivery (signature, replay window) and reads its event.
    fn verify_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<WebhookEvent, WebhookError>;
}

/// Bank transfers recorded by the owner.
pub struct ManualProvider;

impl PaymentProvider for ManualProvider {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn record(&self, amount_cents: i64, reference: &str) -> Option<Collected> {
        Some(Collected {
            provider: self.name().into(),
            reference: reference.trim().to_owned(),
            amount_cents,
            currency: None,
        })
    }

    fn verify_webhook(
        &self,
        _: Option<&str>,
        _: &[u8],
        _: Timestamp,
    ) -> Result<WebhookEvent, WebhookError> {
        Err(WebhookError::NotSupported(self.name().into()))
    }
}

/// A card processor that reports payments by signed webhooks.
pub struct CardProvider {
    secret: String,
    tolerance_secs: u32,
}

impl CardProvider {
    pub fn new(secret: impl Into<String>, tolerance_secs: u32) -> Self {
        Self {
            secret: secret.into(),
            tolerance_secs,
        }
    }
}

/// Reads `t=<seconds>,v1=<hex>[,v1=<hex>...]` (several `v1` while a secret is rotated).
fn parse_signature(header: &str) -> Option<(i64, Vec<Vec<u8>>)> {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "t" => t = Some(v.parse().ok()?),
            "v1" => sigs.push(decode_hex(v)?),
            _ => {}
        }
    }
    (!sigs.is_empty()).then_some((t?, sigs))
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `v1` of a body at a timestamp: hex HMAC-SHA256 of `"<t>.<body>"`.
pub fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    mac_of(secret, t, body)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn mac_of(secret: &str, t: i64, body: &[u8]) -> HmacSha256 {
    #[allow(clippy::expect_used)]
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

impl PaymentProvider for CardProvider {
    fn name(&self) -> &'static str {
        "card"
    }

    fn record(&self, _: i64, _: &str) -> Option<Collected> {
        None
    }

    fn verify_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: Timestamp,
    ) -> Result<WebhookEvent, WebhookError> {
        let (t, sigs) = signature
            .and_then(parse_signature)
            .ok_or(WebhookError::MalformedSignature)?;
        // The signature first: an unsigned request learns nothing about the window.
        let ok = sigs
            .iter()
            .any(|s| mac_of(&self.secret, t, body).verify_slice(s).is_ok());
        if !ok {
            return Err(WebhookError::BadSignature);
        }
        if (now.as_second() - t).abs() > i64::from(self.tolerance_secs) {
            return Err(WebhookError::Stale(self.tolerance_secs));
        }
        serde_json::from_slice(body).map_err(|e| WebhookError::BadBody(e.to_string()))
    }
}

/// The provider of a name, as configured: `manual` always, `card` with a webhook secret.
pub fn by_name(cfg: &BillingConfig, name: &str) -> Option<Box<dyn PaymentProvider>> {
    match name {
        "manual" => Some(Box::new(ManualProvider)),
        "card" => cfg
            .webhook_secret
            .as_ref()
            .filter(|s| !s.is_empty())
            .map(|s| Box::new(CardProvider::new(s.clone(), cfg.webhook_tolerance_secs)) as _),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_unit";

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    fn signed(t: i64, body: &[u8]) -> String {
        format!("t={t},v1={}", sign(SECRET, t, body))
    }

    #[test]
    fn a_signed_fresh_event_is_read() {
        let p = CardProvider::new(SECRET, 300);
        let body = br#"{"id":"evt_1","type":"payment.succeeded","data":{}}"#;
        let ev = p
            .verify_webhook(Some(&signed(1000, body)), body, at(1100))
            .unwrap();
        assert_eq!(ev.id, "evt_1");
        assert_eq!(ev.kind, "payment.succeeded");
    }

    #[test]
    fn tampering_staleness_and_garbage_are_refused() {
        let p = CardProvider::new(SECRET, 300);
        let body = br#"{"id":"evt_1","type":"payment.succeeded"}"#;
        let header = signed(1000, body);
        let tampered = br#"{"id":"evt_1","type":"payment.succeeded","x":1}"#;
        assert_eq!(
            p.verify_webhook(Some(&header), tampered, at(1000)),
            Err(WebhookError::BadSignature)
        );
        let other = CardProvider::new("another", 300);
        assert_eq!(
            other.verify_webhook(Some(&header), body, at(1000)),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            p.verify_webhook(Some(&header), body, at(1301)),
            Err(WebhookError::Stale(300))
        );
        assert_eq!(
            p.verify_webhook(Some(&header), body, at(699)),
            Err(WebhookError::Stale(300))
        );
        for bad in ["", "t=1000", "v1=00", "t=x,v1=00", "t=1000,v1=zz"] {
            assert_eq!(
                p.verify_webhook(Some(bad), body, at(1000)),
                Err(WebhookError::MalformedSignature),
                "{bad}"
            );
        }
        assert_eq!(
            p.verify_webhook(None, body, at(1000)),
            Err(WebhookError::MalformedSignature)
        );
    }

    #[test]
    fn a_rotated_secret_may_sign_alongside() {
        let p = CardProvider::new(SECRET, 300);
        let body = br#"{"id":"e","type":"t"}"#;
        let header = format!(
            "t=5,v1={},v1={}",
            sign("old-secret", 5, body),
            sign(SECRET, 5, body)
        );
        assert!(p.verify_webhook(Some(&header), body, at(5)).is_ok());
    }

    #[test]
    fn the_manual_provider_records_and_takes_no_webhooks() {
        let m = ManualProvider;
        assert_eq!(m.record(100, " TR-1 ").unwrap().reference, "TR-1");
        assert!(matches!(
            m.verify_webhook(None, b"", at(0)),
            Err(WebhookError::NotSupported(_))
        ));
    }
}
