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

/// Why a typed amount is not a decimal number of units.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("must be a number such as 49.00")]
    NotANumber,
    #[error("must have at most {0} digits after the decimal point")]
    TooPrecise(u32),
    #[error("is too large")]
    TooLarge,
}

/// An amount typed in whole units with up to `digits` decimals (`49.5`, `49.00`, `0.99`)
/// as an integer count of the smallest unit: `parse_scaled("49.5", 2) == Ok(4950)`. No
/// sign, no thousands separators, no exponent: what is accepted is exact.
pub fn parse_scaled(s: &str, digits: u32) -> Result<i64, AmountError> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
        return Err(AmountError::NotANumber);
    }
    if frac.len() > digits as usize {
        return Err(AmountError::TooPrecise(digits));
    }
    let scale = 10i64.checked_pow(digits).ok_or(AmountError::TooLarge)?;
    let parse = |t: &str| -> Result<i64, AmountError> {
        if t.is_empty() {
            Ok(0)
        } else {
            t.parse::<i64>().map_err(|_| AmountError::TooLarge)
        }
    };
    // "5" with two digits is 500: pad the fraction to the scale.
    let frac_value = parse(frac)? * 10i64.pow(digits - frac.len() as u32);
    parse(whole)?
        .checked_mul(scale)
        .and_then(|w| w.checked_add(frac_value))
        .ok_or(AmountError::TooLarge)
}

/// An integer count of the smallest unit written in whole units with exactly `digits`
/// decimals: `format_scaled(-4950, 2) == "-49.50"`. The inverse of [`parse_scaled`].
pub fn format_scaled(n: i64, digits: u32) -> String {
    let scale = 10u64.pow(digits);
    let abs = n.unsigned_abs();
    let sign = if n < 0 { "-" } else { "" };
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = digits as usize
    )
}

/// [`format_scaled`] without trailing zeros after the point: `5.5`, `5`.
pub fn format_scaled_short(n: i64, digits: u32) -> String {
    let s = format_scaled(n, digits);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
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

    #[test]
    fn typed_amounts_become_minor_units_exactly() {
        assert_eq!(parse_scaled("49.00", 2), Ok(4900));
        assert_eq!(parse_scaled(" 49.5 ", 2), Ok(4950));
        assert_eq!(parse_scaled("49", 2), Ok(4900));
        assert_eq!(parse_scaled("0.99", 2), Ok(99));
        assert_eq!(parse_scaled(".5", 2), Ok(50));
        assert_eq!(parse_scaled("7.", 2), Ok(700));
        assert_eq!(parse_scaled("1.5", 9), Ok(1_500_000_000));
        assert_eq!(parse_scaled("12", 0), Ok(12));
        for bad in [
            "", ".", "-1", "+1", "1,000.00", "1e3", "4 9", "abc", "1.2.3",
        ] {
            assert_eq!(
                parse_scaled(bad, 2),
                Err(AmountError::NotANumber),
                "{bad:?}"
            );
        }
        assert_eq!(parse_scaled("1.005", 2), Err(AmountError::TooPrecise(2)));
        assert_eq!(parse_scaled("1.5", 0), Err(AmountError::TooPrecise(0)));
        assert_eq!(
            parse_scaled("99999999999999999999", 2),
            Err(AmountError::TooLarge)
        );
        assert_eq!(
            parse_scaled("92233720368547758.08", 2),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn minor_units_are_written_with_their_decimals() {
        assert_eq!(format_scaled(4900, 2), "49.00");
        assert_eq!(format_scaled(5, 2), "0.05");
        assert_eq!(format_scaled(-4950, 2), "-49.50");
        assert_eq!(format_scaled(0, 2), "0.00");
        assert_eq!(format_scaled(12, 0), "12");
        assert_eq!(format_scaled(i64::MIN, 2), "-92233720368547758.08");
        assert_eq!(format_scaled_short(1_500_000_000, 9), "1.5");
        assert_eq!(format_scaled_short(5_000_000_000, 9), "5");
        assert_eq!(format_scaled_short(0, 9), "0");
    }

    proptest::proptest! {
        #[test]
        fn amounts_round_trip(n in 0i64..=i64::MAX, digits in 0u32..=9) {
            proptest::prop_assert_eq!(parse_scaled(&format_scaled(n, digits), digits), Ok(n));
            proptest::prop_assert_eq!(parse_scaled(&format_scaled_short(n, digits), digits), Ok(n));
        }
    }
}
