//! The rules of a practice's settings that need no I/O: its opening hours, currency and tax
//! rate. The service checks a submitted settings body against them.

use std::ops::RangeInclusive;

/// The keys of a week's opening hours, Monday first.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The most characters a practice's name may have.
pub const NAME_MAX: usize = 200;

/// Allowed sales tax rates, in basis points (2000 = 20 %).
pub const TAX_RATE_BP: RangeInclusive<i32> = 0..=10_000;

/// Whether `s` is a time of day written `HH:MM` (00:00 to 23:59).
pub fn is_hhmm(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

/// Whether `from`–`to` is an opening span of one day: two `HH:MM` times, `from` first.
pub fn is_open_span(from: &str, to: &str) -> bool {
    is_hhmm(from) && is_hhmm(to) && from < to
}

/// Whether `day` is one of [`WEEKDAYS`].
pub fn is_weekday(day: &str) -> bool {
    WEEKDAYS.contains(&day)
}

/// Whether `c` is written like an ISO 4217 currency code (three upper-case letters).
pub fn is_currency_code(c: &str) -> bool {
    c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_are_hh_mm() {
        assert!(is_hhmm("00:00"));
        assert!(is_hhmm("23:59"));
        assert!(!is_hhmm("24:00"));
        assert!(!is_hhmm("12:60"));
        assert!(!is_hhmm("8:00"));
        assert!(!is_hhmm("08-00"));
        assert!(!is_hhmm("08:00 "));
    }

    #[test]
    fn a_span_closes_after_it_opens() {
        assert!(is_open_span("08:00", "12:00"));
        assert!(!is_open_span("12:00", "12:00"));
        assert!(!is_open_span("13:00", "12:00"));
        assert!(!is_open_span("08:00", "25:00"));
    }

    #[test]
    fn weekdays_and_currencies() {
        assert!(WEEKDAYS.iter().all(|d| is_weekday(d)));
        assert!(!is_weekday("monday"));
        assert!(is_currency_code("USD"));
        assert!(!is_currency_code("usd"));
        assert!(!is_currency_code("US"));
        assert!(TAX_RATE_BP.contains(&0) && TAX_RATE_BP.contains(&10_000));
        assert!(!TAX_RATE_BP.contains(&-1) && !TAX_RATE_BP.contains(&10_001));
    }
}
