//! The workspace's time values as columns. The workspace speaks `jiff`; SeaORM binds and reads
//! instants and dates through the `time` crate. [`Stamp`] (a `timestamptz` instant) and
//! [`Day`] (a calendar date) wrap jiff's types and convert at the column, so no code above
//! the store names `time`, and what the columns hold is what they held before.

use jiff::SignedDuration;
use jiff::Timestamp;
use jiff::civil::Date;
use sea_orm::sea_query::{self, ArrayType, ColumnType, Nullable, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable, Value};
use std::fmt;
use std::ops::{Add, Deref, Sub};

/// An instant as a column (`timestamp with time zone`), in UTC.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Stamp(pub Timestamp);

/// A calendar date as a column (`date`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Day(pub Date);

impl Stamp {
    /// Now, truncated to microseconds: the precision both backends keep, so a value reads
    /// back equal to what was written.
    pub fn now() -> Stamp {
        Stamp::micros(Timestamp::now())
    }

    /// `t` truncated to whole microseconds.
    pub fn micros(t: Timestamp) -> Stamp {
        let ns = t.as_nanosecond();
        let truncated = ns - ns.rem_euclid(1000);
        Stamp(Timestamp::from_nanosecond(truncated).unwrap_or(t))
    }

    /// The calendar date in UTC.
    pub fn date(self) -> Date {
        self.0.to_zoned(jiff::tz::TimeZone::UTC).date()
    }

    /// RFC 3339 in UTC (`2026-12-03T15:17:55.5Z`), as every answer shows an instant.
    pub fn rfc3339(self) -> String {
        self.0.to_string()
    }
}

fn to_time(t: Timestamp) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(t.as_nanosecond()).ok()
}

fn from_time(t: time::OffsetDateTime) -> Option<Timestamp> {
    Timestamp::from_nanosecond(t.unix_timestamp_nanos()).ok()
}

fn date_to_time(d: Date) -> Option<time::Date> {
    let month = time::Month::try_from(u8::try_from(d.month()).ok()?).ok()?;
    time::Date::from_calendar_date(i32::from(d.year()), month, u8::try_from(d.day()).ok()?).ok()
}

fn date_from_time(d: time::Date) -> Option<Date> {
    let year = i16::try_from(d.year()).ok()?;
    Date::new(year, u8::from(d.month()) as i8, d.day() as i8).ok()
}

impl Day {
    /// A date written exactly `YYYY-MM-DD`, as forms and queries give dates.
    pub fn parse_ymd(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        s.parse().ok().map(Day)
    }

    /// The first instant of the day in UTC.
    pub fn start_utc(self) -> Option<Stamp> {
        self.0
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| Stamp(z.timestamp()))
    }
}

impl From<Timestamp> for Stamp {
    fn from(t: Timestamp) -> Self {
        Stamp(t)
    }
}

impl From<Stamp> for Timestamp {
    fn from(s: Stamp) -> Self {
        s.0
    }
}

impl From<Date> for Day {
    fn from(d: Date) -> Self {
        Day(d)
    }
}

impl From<Day> for Date {
    fn from(d: Day) -> Self {
        d.0
    }
}

impl Add<SignedDuration> for Stamp {
    type Output = Stamp;
    fn add(self, d: SignedDuration) -> Stamp {
        Stamp(self.0 + d)
    }
}

impl Sub<SignedDuration> for Stamp {
    type Output = Stamp;
    fn sub(self, d: SignedDuration) -> Stamp {
        Stamp(self.0 - d)
    }
}

/// How long from `rhs` to `self` (negative when `self` is earlier).
impl Sub for Stamp {
    type Output = SignedDuration;
    fn sub(self, rhs: Stamp) -> SignedDuration {
        self.0.duration_since(rhs.0)
    }
}

impl Deref for Stamp {
    type Target = Timestamp;
    fn deref(&self) -> &Timestamp {
        &self.0
    }
}

impl Deref for Day {
    type Target = Date;
    fn deref(&self) -> &Date {
        &self.0
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Both types bind as their `time` counterparts and read back through them; an instant or
/// date outside what `time` represents (years beyond ±9999) is a value error, never a panic.
macro_rules! column_value {
    ($name:ident, $inner:ty, $variant:ident, $to:path, $from:path, $column:expr, $array:expr) => {
        impl From<$name> for Value {
            fn from(v: $name) -> Value {
                Value::$variant($to(v.0).map(Into::into))
            }
        }

        impl TryGetable for $name {
            fn try_get_by<I: ColIdx>(res: &QueryResult, idx: I) -> Result<Self, TryGetError> {
                let v = <$inner as TryGetable>::try_get_by(res, idx)?;
                $from(v).map($name).ok_or_else(|| {
                    TryGetError::DbErr(sea_orm::DbErr::Type(format!(
                        "{} out of range: {v}",
                        stringify!($name)
                    )))
                })
            }
        }

        impl sea_query::ValueType for $name {
            fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
                let inner = <$inner as sea_query::ValueType>::try_from(v)?;
                $from(inner).map($name).ok_or(ValueTypeErr)
            }

            fn type_name() -> String {
                stringify!($name).to_owned()
            }

            fn array_type() -> ArrayType {
                $array
            }

            fn column_type() -> ColumnType {
                $column
            }
        }

        impl Nullable for $name {
            fn null() -> Value {
                Value::$variant(None)
            }
        }
    };
}

column_value!(
    Stamp,
    time::OffsetDateTime,
    TimeDateTimeWithTimeZone,
    to_time,
    from_time,
    ColumnType::TimestampWithTimeZone,
    ArrayType::TimeDateTimeWithTimeZone
);
column_value!(
    Day,
    time::Date,
    TimeDate,
    date_to_time,
    date_from_time,
    ColumnType::Date,
    ArrayType::TimeDate
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_convert_both_ways_without_loss() {
        for s in [
            "2026-12-03T15:17:55Z",
            "2026-12-03T15:17:55.123456Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.999999Z",
        ] {
            let t: Timestamp = s.parse().unwrap();
            let back = from_time(to_time(t).unwrap()).unwrap();
            assert_eq!(back, t, "{s}");
            assert_eq!(Stamp(t).rfc3339(), s);
        }
    }

    #[test]
    fn the_answer_format_is_the_one_time_wrote() {
        let fmt = time::format_description::well_known::Rfc3339;
        for s in [
            "2026-12-03T15:17:55Z",
            "2026-12-03T15:17:55.5Z",
            "2026-02-28T23:00:01.000123Z",
        ] {
            let t: Timestamp = s.parse().unwrap();
            assert_eq!(
                to_time(t).unwrap().format(&fmt).unwrap(),
                Stamp(t).rfc3339()
            );
        }
    }

    #[test]
    fn now_is_whole_microseconds() {
        let n = Stamp::now();
        assert_eq!(n.as_nanosecond() % 1000, 0);
        assert_eq!(
            Stamp::micros("2026-01-01T00:00:00.123456789Z".parse().unwrap()).rfc3339(),
            "2026-01-01T00:00:00.123456Z"
        );
        assert_eq!(
            Stamp::micros("1969-12-31T23:59:59.9999999Z".parse().unwrap()).rfc3339(),
            "1969-12-31T23:59:59.999999Z"
        );
    }

    #[test]
    fn dates_convert_both_ways() {
        for s in ["2026-12-03", "2024-02-29", "0001-01-01", "9999-12-31"] {
            let d: Date = s.parse().unwrap();
            assert_eq!(date_from_time(date_to_time(d).unwrap()).unwrap(), d);
            assert_eq!(Day(d).to_string(), s);
            assert_eq!(Day::parse_ymd(s), Some(Day(d)));
        }
        for bad in [
            "2026-1-03",
            "20261203",
            "2026-12-03T00:00",
            "2026-02-30",
            "",
        ] {
            assert_eq!(Day::parse_ymd(bad), None, "{bad}");
        }
        let start = Day::parse_ymd("2026-12-03").unwrap().start_utc().unwrap();
        assert_eq!(start.rfc3339(), "2026-12-03T00:00:00Z");
    }
}
