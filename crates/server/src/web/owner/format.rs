//! How the billing pages show and read amounts: money in a currency, limits ("3 of 5",
//! unlimited), storage in human units, tax rates, and the typed fields of their forms
//! (a price in units such as `49.00`, a storage size in GB, a whole-number limit).

use smartdmv_domain::billing::money::{
    AmountError, format_scaled, format_scaled_short, parse_scaled,
};

/// Decimals of an amount typed in a currency's units (minor units are cents).
pub const MONEY_DIGITS: u32 = 2;
/// Decimals of a storage size typed in GB (exact to the byte: 1 GB = 10^9 bytes).
pub const GB_DIGITS: u32 = 9;

pub use crate::web::display::money;

/// An amount in minor units as a form shows it: `49.00`.
pub fn amount_field(cents: i64) -> String {
    format_scaled(cents, MONEY_DIGITS)
}

/// A typed amount (`49`, `49.5`, `49.00`) in minor units.
pub fn parse_amount(s: &str) -> Result<i64, String> {
    parse_scaled(s, MONEY_DIGITS).map_err(|e| e.to_string())
}

/// A byte count in decimal units: `0 B`, `999 B`, `1.5 kB`, `12.3 MB`, `2 GB`.
pub fn bytes(n: i64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let n = n.max(0);
    let mut unit = 0;
    let mut scale: i64 = 1;
    while unit + 1 < UNITS.len() && n >= scale.saturating_mul(1000) {
        scale *= 1000;
        unit += 1;
    }
    if unit == 0 {
        return format!("{n} B");
    }
    // One decimal, rounded half up, in integer arithmetic.
    let tenths = (i128::from(n) * 10 + i128::from(scale) / 2) / i128::from(scale);
    let s = format_scaled_short(i64::try_from(tenths).unwrap_or(i64::MAX), 1);
    format!("{s} {}", UNITS[unit])
}

/// A storage limit as the form shows it, in GB (exact): `5`, `1.5`; blank when unlimited.
pub fn gb_field(bytes: Option<i64>) -> String {
    bytes.map_or_else(String::new, |b| format_scaled_short(b, GB_DIGITS))
}

/// A storage size typed in GB as bytes; blank is `None` (unlimited).
pub fn parse_gb(s: &str) -> Result<Option<i64>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    parse_scaled(s, GB_DIGITS).map(Some).map_err(|e| match e {
        AmountError::TooPrecise(_) => "must be exact to the byte (at most 9 decimals)".into(),
        e => e.to_string(),
    })
}

/// A whole-number limit typed in a form; blank is `None` (unlimited).
pub fn parse_count(s: &str) -> Result<Option<i64>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    parse_scaled(s, 0)
        .map(Some)
        .map_err(|_| "must be a whole number, or blank for unlimited".into())
}

/// A limit as the form shows it; blank when unlimited.
pub fn count_field(n: Option<i64>) -> String {
    n.map_or_else(String::new, |n| n.to_string())
}

/// A limit in words: `5`, `unlimited`.
pub fn limit(n: Option<i64>) -> String {
    n.map_or_else(|| "unlimited".into(), |n| n.to_string())
}

/// Use against a limit: `3 of 5`, `3 (unlimited)`.
pub fn used_of(used: i64, max: Option<u64>) -> String {
    match max {
        Some(m) => format!("{used} of {m}"),
        None => format!("{used} (unlimited)"),
    }
}

/// Storage use against a limit: `1.5 GB of 5 GB`, `1.5 GB (unlimited)`.
pub fn bytes_of(used: i64, max: Option<u64>) -> String {
    match max {
        Some(m) => format!(
            "{} of {}",
            bytes(used),
            bytes(i64::try_from(m).unwrap_or(i64::MAX))
        ),
        None => format!("{} (unlimited)", bytes(used)),
    }
}

/// A tax rate in basis points as a percentage: `20 %`, `8.25 %`.
pub fn percent(bp: i32) -> String {
    format!("{} %", format_scaled_short(i64::from(bp), 2))
}

/// `YYYY-MM-DD` of an RFC 3339 time (empty stays empty).
pub fn day(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_owned()
}

/// `YYYY-MM-DD HH:MM UTC` of an RFC 3339 UTC time.
pub fn moment(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(d), Some(t)) => format!("{d} {t} UTC"),
        _ => rfc3339.to_owned(),
    }
}

/// A snake-case code in words: `proration_credit` -> `proration credit`.
pub fn words(code: &str) -> String {
    code.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_rates_read_as_written() {
        assert_eq!(money(4900, "USD"), "USD 49.00");
        assert_eq!(money(-1000, "EUR"), "EUR -10.00");
        assert_eq!(amount_field(5), "0.05");
        assert_eq!(parse_amount("49.5"), Ok(4950));
        assert!(parse_amount("49.555").is_err());
        assert_eq!(percent(2000), "20 %");
        assert_eq!(percent(825), "8.25 %");
        assert_eq!(percent(0), "0 %");
    }

    #[test]
    fn storage_is_shown_in_decimal_units() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1000), "1 kB");
        assert_eq!(bytes(1_500), "1.5 kB");
        assert_eq!(bytes(12_345_678), "12.3 MB");
        assert_eq!(bytes(999_960_000), "1000 MB");
        assert_eq!(bytes(2_000_000_000), "2 GB");
        assert_eq!(bytes(-5), "0 B");
        assert_eq!(
            bytes_of(1_500_000_000, Some(5_000_000_000)),
            "1.5 GB of 5 GB"
        );
        assert_eq!(bytes_of(10, None), "10 B (unlimited)");
    }

    #[test]
    fn limit_fields_round_trip_and_blank_is_unlimited() {
        assert_eq!(parse_gb(""), Ok(None));
        assert_eq!(parse_gb("1.5"), Ok(Some(1_500_000_000)));
        assert_eq!(gb_field(Some(5_368_709_120)), "5.36870912");
        assert_eq!(
            parse_gb(&gb_field(Some(5_368_709_120))),
            Ok(Some(5_368_709_120))
        );
        assert_eq!(gb_field(None), "");
        assert!(parse_gb("1.0000000001").is_err());
        assert_eq!(parse_count(" 5 "), Ok(Some(5)));
        assert_eq!(parse_count(""), Ok(None));
        assert!(parse_count("2.5").is_err());
        assert!(parse_count("-1").is_err());
        assert_eq!(count_field(Some(3)), "3");
        assert_eq!(used_of(3, Some(5)), "3 of 5");
        assert_eq!(used_of(3, None), "3 (unlimited)");
        assert_eq!(limit(None), "unlimited");
    }

    #[test]
    fn times_and_codes_read_as_words() {
        assert_eq!(day("2026-05-01T00:00:00Z"), "2026-05-01");
        assert_eq!(moment("2026-05-01T09:30:00Z"), "2026-05-01 09:30 UTC");
        assert_eq!(words("proration_credit"), "proration credit");
    }
}
