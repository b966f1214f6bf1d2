//! Money on platform invoices: integer minor units (`cents`) in one ISO 4217 currency per
//! plan and invoice, and tax in basis points.

use serde::Serialize;
use std::fmt;

/// An ISO 4217 currency code: three uppercase ASCII letters. Built only by
/// [`Currency::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// Why a string is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an ISO 4217 code such as USD")]
pub struct CurrencyError;

impl Currency {
    /// Three uppercase letters; `usd` is refused rather than silently changed.
    pub fn parse(s: &str) -> Result<Self, CurrencyError> {
        match s.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(CurrencyError),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// `amount * numerator / denominator` rounded to the nearest cent, halves away from zero, so
/// that a credit is the exact mirror of the charge of the same amount. `denominator` must
/// be positive.
pub fn mul_div_round(amount: i64, numerator: i64, denominator: i64) -> i64 {
    debug_assert!(denominator > 0);
    let (n, d) = (
        i128::from(amount) * i128::from(numerator),
        i128::from(denominator.max(1)),
    );
    let q = (n.abs() + d / 2) / d;
    let q = if n < 0 { -q } else { q };
    i64::try_from(q).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
}

/// Tax on a subtotal at `rate_bp` basis points (2000 = 20 %), rounded to the nearest cent.
pub fn tax_cents(subtotal: i64, rate_bp: u32) -> i64 {
    mul_div_round(subtotal, i64::from(rate_bp), 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_three_uppercase_letters() {
        assert_eq!(
            Currency::parse("USD").map(|c| c.to_string()),
            Ok("USD".into())
        );
        for bad in ["usd", "US", "USDD", "U$D", "", "ÉUR"] {
            assert_eq!(Currency::parse(bad), Err(CurrencyError), "{bad}");
        }
    }

    #[test]
    fn tax_rounds_half_away_from_zero() {
        assert_eq!(tax_cents(10_000, 2_000), 2_000);
        assert_eq!(tax_cents(4_900, 0), 0);
        // 4900 * 8.25 % = 404.25 -> 404; 4910 * 8.25 % = 405.075 -> 405.
        assert_eq!(tax_cents(4_900, 825), 404);
        assert_eq!(tax_cents(4_910, 825), 405);
        // 10 * 5 % = 0.5 -> 1, and the credit mirrors it.
        assert_eq!(tax_cents(10, 500), 1);
        assert_eq!(tax_cents(-10, 500), -1);
    }

    #[test]
    fn mul_div_does_not_overflow() {
        assert_eq!(mul_div_round(i64::MAX, 2, 2), i64::MAX);
        assert_eq!(mul_div_round(1_000, 1, 3), 333);
        assert_eq!(mul_div_round(2_000, 1, 3), 667);
    }
}
