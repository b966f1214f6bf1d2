//! Usage of the platform by one company: the calendar month usage is counted in and the
//! limits a plan sets on it. A limit that is absent is unlimited.

use std::fmt;

/// A calendar month (UTC) that usage is counted in, written `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i16,
    month: u8,
}

/// Why a string is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a month written YYYY-MM, such as 2026-11")]
pub struct MonthError;

impl Month {
    /// A month from its year (1970-9999) and number (1-12).
    pub fn new(year: i16, month: u8) -> Result<Self, MonthError> {
        if (1970..=9999).contains(&year) && (1..=12).contains(&month) {
            Ok(Self { year, month })
        } else {
            Err(MonthError)
        }
    }

    /// Parses exactly `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Self, MonthError> {
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 7 || b[4] != b'-' || !digits(0..4) || !digits(5..7) {
            return Err(MonthError);
        }
        let year = s[0..4].parse().map_err(|_| MonthError)?;
        let month = s[5..7].parse().map_err(|_| MonthError)?;
        Self::new(year, month)
    }

    pub fn year(self) -> i16 {
        self.year
    }

    /// 1 to 12.
    pub fn number(self) -> u8 {
        self.month
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = MonthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A usage limit of a plan, named as in plans and in `plan_limit_reached` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    MaxPractices,
    /// Active staff users; pet owners' portal logins (`CLIENT`) do not count.
    MaxUsers,
    StorageBytes,
    ApiCallsPerMonth,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MaxPractices => "maxPractices",
            Self::MaxUsers => "maxUsers",
            Self::StorageBytes => "storageBytes",
            Self::ApiCallsPerMonth => "apiCallsPerMonth",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether one more of something may be added when `current` are in use and the limit is
/// `max` (`None`: unlimited). At the limit, nothing more is added.
pub fn room_for_one_more(max: Option<u64>, current: u64) -> bool {
    max.is_none_or(|m| current < m)
}

/// Whether a limit of `max` is exhausted by `used`: at or over the limit.
pub fn exhausted(max: Option<u64>, used: u64) -> bool {
    max.is_some_and(|m| used >= m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_print() {
        let m = Month::parse("2026-11").unwrap();
        assert_eq!((m.year(), m.number()), (2026, 11));
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(m.next().to_string(), "2026-12");
        assert_eq!(m.next().next().to_string(), "2027-01");
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026/11",
            "2026-11-01",
            "",
            "abcd-ef",
            "0999-01",
            "+202-11",
        ] {
            assert_eq!(Month::parse(bad), Err(MonthError), "{bad}");
        }
        assert!(Month::parse("2026-01").unwrap() < Month::parse("2026-02").unwrap());
        assert!(Month::parse("2025-12").unwrap() < Month::parse("2026-01").unwrap());
    }

    #[test]
    fn limits_are_reached_at_their_value() {
        assert!(room_for_one_more(None, u64::MAX));
        assert!(room_for_one_more(Some(3), 2));
        assert!(!room_for_one_more(Some(3), 3));
        assert!(!room_for_one_more(Some(0), 0));
        assert!(!exhausted(None, u64::MAX));
        assert!(!exhausted(Some(100), 99));
        assert!(exhausted(Some(100), 100));
        assert!(exhausted(Some(100), 101));
        assert_eq!(Limit::ApiCallsPerMonth.to_string(), "apiCallsPerMonth");
    }
}
