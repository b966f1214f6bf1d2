//! The rules of an appointment type that need no I/O: its length and calendar colour.

use std::ops::RangeInclusive;

/// Allowed lengths of an appointment, in minutes.
pub const DURATION_MINUTES: RangeInclusive<i32> = 5..=480;

/// The calendar colour of a type created without one.
pub const DEFAULT_COLOUR: &str = "#4f7cac";

/// The most characters a type's name may have.
pub const NAME_MAX: usize = 100;

/// Whether `s` is a colour written `#rrggbb` (either case).
pub fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_hash_and_six_hex_digits() {
        assert!(is_colour(DEFAULT_COLOUR));
        assert!(is_colour("#ABCDEF"));
        assert!(!is_colour("4f7cac"));
        assert!(!is_colour("#4f7ca"));
        assert!(!is_colour("#4f7cag"));
        assert!(!is_colour("#4f7cacc"));
    }

    #[test]
    fn lengths_are_five_minutes_to_eight_hours() {
        assert!(DURATION_MINUTES.contains(&5) && DURATION_MINUTES.contains(&480));
        assert!(!DURATION_MINUTES.contains(&4) && !DURATION_MINUTES.contains(&481));
    }
}
