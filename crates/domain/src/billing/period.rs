//! Billing periods: whole calendar months (or years) counted from an anchor instant in UTC.
//! Period `n` ends at `anchor + n * interval`, computed from the anchor each time so that a
//! subscription started on the 31st ends its periods on the 28th, 31st, 30th... and never
//! drifts to the 28th for good.

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::plan::PlanInterval;

/// The end of period `n` (1-based) of a subscription anchored at `anchor`. Saturates at the
/// largest representable instant.
pub fn period_end(anchor: Timestamp, interval: PlanInterval, n: i64) -> Timestamp {
    anchor
        .to_zoned(TimeZone::UTC)
        .checked_add(Span::new().months(n.saturating_mul(interval.months())))
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

/// Whole calendar months from `a` to `b` (UTC dates; the day of month is ignored).
fn months_between(a: Timestamp, b: Timestamp) -> i64 {
    let (a, b) = (a.to_zoned(TimeZone::UTC), b.to_zoned(TimeZone::UTC));
    (i64::from(b.year()) - i64::from(a.year())) * 12 + i64::from(b.month()) - i64::from(a.month())
}

/// The end of the period that follows the one ending at `current_end`.
pub fn next_period_end(
    anchor: Timestamp,
    interval: PlanInterval,
    current_end: Timestamp,
) -> Timestamp {
    let n = (months_between(anchor, current_end) / interval.months()).max(0) + 1;
    let mut end = period_end(anchor, interval, n);
    // A period always moves time forward, whatever was stored.
    while end <= current_end {
        end = period_end(end, interval, 1);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn monthly_periods_keep_the_anchor_day() {
        let anchor = ts("2026-01-31T10:00:00Z");
        let m = PlanInterval::Monthly;
        assert_eq!(period_end(anchor, m, 1), ts("2026-02-28T10:00:00Z"));
        assert_eq!(period_end(anchor, m, 2), ts("2026-03-31T10:00:00Z"));
        let feb = period_end(anchor, m, 1);
        assert_eq!(next_period_end(anchor, m, feb), ts("2026-03-31T10:00:00Z"));
        assert_eq!(
            next_period_end(anchor, m, ts("2026-03-31T10:00:00Z")),
            ts("2026-04-30T10:00:00Z")
        );
    }

    #[test]
    fn yearly_periods_count_years() {
        let anchor = ts("2024-02-29T00:00:00Z");
        let y = PlanInterval::Yearly;
        assert_eq!(period_end(anchor, y, 1), ts("2025-02-28T00:00:00Z"));
        assert_eq!(period_end(anchor, y, 4), ts("2028-02-29T00:00:00Z"));
        assert_eq!(
            next_period_end(anchor, y, ts("2025-02-28T00:00:00Z")),
            ts("2026-02-28T00:00:00Z")
        );
    }

    #[test]
    fn the_first_period_follows_the_anchor() {
        let anchor = ts("2026-05-15T12:00:00Z");
        assert_eq!(
            next_period_end(anchor, PlanInterval::Monthly, anchor),
            ts("2026-06-15T12:00:00Z")
        );
    }
}
