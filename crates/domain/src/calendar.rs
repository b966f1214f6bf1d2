//! Practice-local calendar arithmetic: the local day, opening hours as absolute intervals and
//! free slots. Everything is computed on absolute instants (`jiff::Timestamp`) and converted
//! from the practice's local time once, so that days of 23 or 25 hours (daylight saving
//! changes) come out right.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// A half-open interval `[start, end)` of absolute time: back-to-back intervals do not
/// overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    pub fn new(start: Timestamp, end: Timestamp) -> Self {
        Self { start, end }
    }

    /// `start + minutes`, or `None` past the representable range.
    pub fn from_minutes(start: Timestamp, minutes: i64) -> Option<Self> {
        let end = start.checked_add(SignedDuration::from_mins(minutes)).ok()?;
        Some(Self { start, end })
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }
}

/// The key of a weekday in a practice's `opening_hours` (`mon` .. `sun`).
pub fn weekday_key(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

/// Parses an opening-hours time, `HH:MM` (00:00 to 23:59).
pub fn parse_hhmm(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 5 || b[2] != b':' || !digits(0..2) || !digits(3..5) {
        return None;
    }
    let h = (b[0] - b'0') * 10 + (b[1] - b'0');
    let m = (b[3] - b'0') * 10 + (b[4] - b'0');
    Time::new(h as i8, m as i8, 0, 0).ok()
}

/// The instant a local wall-clock time of `date` happens in `tz`. A time skipped by a
/// daylight-saving gap resolves to the instant after the gap, a repeated one to its first
/// occurrence (RFC 5545 / Temporal "compatible" behaviour).
pub fn local_instant(date: Date, time: Time, tz: &TimeZone) -> Option<Timestamp> {
    tz.to_ambiguous_timestamp(date.to_datetime(time))
        .compatible()
        .ok()
}

/// The local day `date` in `tz`: from its first instant to the first instant of the next
/// day. 24 hours long, except on daylight-saving change days (23 or 25 hours).
pub fn local_day(date: Date, tz: &TimeZone) -> Option<Interval> {
    let start = local_instant(date, Time::midnight(), tz)?;
    let end = local_instant(date.tomorrow().ok()?, Time::midnight(), tz)?;
    Some(Interval { start, end })
}

/// Opening spans of one day (local `[open, close)` times) as absolute intervals, in order.
/// Empty or inverted spans are dropped.
pub fn opening_intervals(date: Date, tz: &TimeZone, spans: &[(Time, Time)]) -> Vec<Interval> {
    let mut out: Vec<Interval> = spans
        .iter()
        .filter_map(|(open, close)| {
            let start = local_instant(date, *open, tz)?;
            let end = local_instant(date, *close, tz)?;
            (start < end).then_some(Interval { start, end })
        })
        .collect();
    out.sort();
    out
}

/// A bookable slot and the resources free for all of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreeSlot<R> {
    pub at: Interval,
    pub free: Vec<R>,
}

/// Slots of `length`, starting every `step` from the opening of each interval of `open` and
/// ending by its close, in which at least one of `resources` (each with the intervals it is
/// busy) is free; each slot lists the free ones in the order given. Slots starting before
/// `not_before` are left out; a start offered by two overlapping opening spans appears once.
pub fn free_slots<R: Clone>(
    open: &[Interval],
    length: SignedDuration,
    step: SignedDuration,
    resources: &[(R, Vec<Interval>)],
    not_before: Option<Timestamp>,
) -> Vec<FreeSlot<R>> {
    let mut out: Vec<FreeSlot<R>> = Vec::new();
    if length <= SignedDuration::ZERO || step <= SignedDuration::ZERO {
        return out;
    }
    for span in open {
        let mut start = span.start;
        loop {
            let Ok(end) = start.checked_add(length) else {
                break;
            };
            if end > span.end {
                break;
            }
            let slot = Interval { start, end };
            if not_before.is_none_or(|nb| start >= nb) {
                let free: Vec<R> = resources
                    .iter()
                    .filter(|(_, busy)| !busy.iter().any(|b| b.overlaps(&slot)))
                    .map(|(r, _)| r.clone())
                    .collect();
                if !free.is_empty() {
                    out.push(FreeSlot { at: slot, free });
                }
            }
            let Ok(next) = start.checked_add(step) else {
                break;
            };
            start = next;
        }
    }
    out.sort_by_key(|s| s.at);
    out.dedup_by_key(|s| s.at.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn iv(a: &str, b: &str) -> Interval {
        Interval::new(ts(a), ts(b))
    }

    fn london() -> TimeZone {
        TimeZone::get("Europe/London").unwrap()
    }

    fn t(h: i8, m: i8) -> Time {
        Time::new(h, m, 0, 0).unwrap()
    }

    #[test]
    fn half_open_intervals_touching_do_not_overlap() {
        let a = iv("2027-01-04T09:00:00Z", "2027-01-04T09:30:00Z");
        let b = iv("2027-01-04T09:30:00Z", "2027-01-04T10:00:00Z");
        let c = iv("2027-01-04T09:29:00Z", "2027-01-04T09:31:00Z");
        assert!(!a.overlaps(&b) && !b.overlaps(&a));
        assert!(a.overlaps(&c) && c.overlaps(&b));
        assert!(a.overlaps(&a));
        let inner = iv("2027-01-04T09:10:00Z", "2027-01-04T09:20:00Z");
        assert!(a.overlaps(&inner) && inner.overlaps(&a));
        assert_eq!(a.duration(), SignedDuration::from_mins(30));
        assert_eq!(
            Interval::from_minutes(ts("2027-01-04T09:00:00Z"), 30),
            Some(a)
        );
    }

    #[test]
    fn hhmm_parses_only_valid_times() {
        assert_eq!(parse_hhmm("08:30"), Some(t(8, 30)));
        assert_eq!(parse_hhmm("23:59"), Some(t(23, 59)));
        assert_eq!(parse_hhmm("00:00"), Some(t(0, 0)));
        for bad in [
            "24:00", "8:30", "08:60", "0830", "08:3a", "+8:30", "", "08:30:00",
        ] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
    }

    #[test]
    fn weekday_keys_match_opening_hours() {
        assert_eq!(weekday_key(date(2026, 10, 25).weekday()), "sun");
        assert_eq!(weekday_key(date(2026, 10, 26).weekday()), "mon");
    }

    #[test]
    fn local_days_are_23_24_or_25_hours() {
        let tz = london();
        let autumn = local_day(date(2026, 10, 25), &tz).unwrap();
        assert_eq!(autumn.start, ts("2026-10-24T23:00:00Z"));
        assert_eq!(autumn.end, ts("2026-10-26T00:00:00Z"));
        assert_eq!(autumn.duration(), SignedDuration::from_hours(25));
        let spring = local_day(date(2027, 3, 28), &tz).unwrap();
        assert_eq!(spring.start, ts("2027-03-28T00:00:00Z"));
        assert_eq!(spring.duration(), SignedDuration::from_hours(23));
        let plain = local_day(date(2027, 1, 4), &tz).unwrap();
        assert_eq!(plain.duration(), SignedDuration::from_hours(24));
        let ny = TimeZone::get("America/New_York").unwrap();
        let ny_autumn = local_day(date(2026, 11, 1), &ny).unwrap();
        assert_eq!(ny_autumn.start, ts("2026-11-01T04:00:00Z"));
        assert_eq!(ny_autumn.end, ts("2026-11-02T05:00:00Z"));
    }

    #[test]
    fn local_times_resolve_across_the_change() {
        let tz = london();
        // 09:00 local is 08:00Z in summer time and 09:00Z in winter time.
        assert_eq!(
            local_instant(date(2026, 10, 24), t(9, 0), &tz),
            Some(ts("2026-10-24T08:00:00Z"))
        );
        assert_eq!(
            local_instant(date(2026, 10, 25), t(9, 0), &tz),
            Some(ts("2026-10-25T09:00:00Z"))
        );
        // 01:30 happens twice on the autumn day: the first one counts.
        assert_eq!(
            local_instant(date(2026, 10, 25), t(1, 30), &tz),
            Some(ts("2026-10-25T00:30:00Z"))
        );
        // 01:30 does not happen on the spring day: it resolves past the gap.
        assert_eq!(
            local_instant(date(2027, 3, 28), t(1, 30), &tz),
            Some(ts("2027-03-28T01:30:00Z"))
        );
    }

    #[test]
    fn opening_intervals_drop_inverted_spans_and_sort() {
        let tz = london();
        let got = opening_intervals(
            date(2027, 1, 4),
            &tz,
            &[
                (t(14, 0), t(18, 0)),
                (t(12, 0), t(12, 0)),
                (t(8, 0), t(12, 0)),
            ],
        );
        assert_eq!(
            got,
            vec![
                iv("2027-01-04T08:00:00Z", "2027-01-04T12:00:00Z"),
                iv("2027-01-04T14:00:00Z", "2027-01-04T18:00:00Z"),
            ]
        );
    }

    #[test]
    fn free_slots_step_inside_opening_hours_and_skip_busy_time() {
        let open = [iv("2027-01-04T09:00:00Z", "2027-01-04T10:30:00Z")];
        let busy_a = vec![iv("2027-01-04T09:15:00Z", "2027-01-04T09:45:00Z")];
        let slots = free_slots(
            &open,
            SignedDuration::from_mins(30),
            SignedDuration::from_mins(15),
            &[("a", busy_a.clone())],
            None,
        );
        let starts: Vec<String> = slots.iter().map(|s| s.at.start.to_string()).collect();
        // 09:00 overlaps 09:15; 09:45 is back-to-back with the end of the busy time;
        // 10:15 would end after closing.
        assert_eq!(
            starts,
            ["2027-01-04T09:45:00Z", "2027-01-04T10:00:00Z"],
            "{slots:?}"
        );
        assert!(
            slots
                .iter()
                .all(|s| s.at.duration() == SignedDuration::from_mins(30))
        );

        // With a second, idle resource every slot is offered, naming who is free.
        let slots = free_slots(
            &open,
            SignedDuration::from_mins(30),
            SignedDuration::from_mins(15),
            &[("a", busy_a), ("b", vec![])],
            None,
        );
        assert_eq!(slots.len(), 5);
        assert_eq!(slots[0].free, vec!["b"]);
        assert_eq!(slots[3].free, vec!["a", "b"]);
    }

    #[test]
    fn free_slots_respect_not_before_and_merge_overlapping_spans() {
        let open = [
            iv("2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z"),
            iv("2027-01-04T09:30:00Z", "2027-01-04T10:30:00Z"),
        ];
        let slots = free_slots(
            &open,
            SignedDuration::from_mins(30),
            SignedDuration::from_mins(15),
            &[((), vec![])],
            Some(ts("2027-01-04T09:10:00Z")),
        );
        let starts: Vec<String> = slots.iter().map(|s| s.at.start.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2027-01-04T09:15:00Z",
                "2027-01-04T09:30:00Z",
                "2027-01-04T09:45:00Z",
                "2027-01-04T10:00:00Z",
            ]
        );
    }

    #[test]
    fn no_resources_or_no_hours_means_no_slots() {
        let open = [iv("2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z")];
        let none: [((), Vec<Interval>); 0] = [];
        assert!(
            free_slots(
                &open,
                SignedDuration::from_mins(15),
                SignedDuration::from_mins(15),
                &none,
                None
            )
            .is_empty()
        );
        assert!(
            free_slots(
                &[],
                SignedDuration::from_mins(15),
                SignedDuration::from_mins(15),
                &[((), vec![])],
                None
            )
            .is_empty()
        );
        assert!(
            free_slots(
                &open,
                SignedDuration::ZERO,
                SignedDuration::from_mins(15),
                &[((), vec![])],
                None
            )
            .is_empty()
        );
    }

    #[test]
    fn slots_on_the_autumn_change_day_follow_local_opening_hours() {
        let tz = london();
        let day = date(2026, 10, 25);
        let open = opening_intervals(day, &tz, &[(t(0, 0), t(3, 0))]);
        // 00:00 BST to 03:00 GMT is four hours of absolute time.
        assert_eq!(open[0].duration(), SignedDuration::from_hours(4));
        let slots = free_slots(
            &open,
            SignedDuration::from_mins(60),
            SignedDuration::from_mins(60),
            &[((), vec![])],
            None,
        );
        assert_eq!(slots.len(), 4);
        assert_eq!(slots[0].at.start, ts("2026-10-24T23:00:00Z"));
        assert_eq!(slots[3].at.end, ts("2026-10-25T03:00:00Z"));
    }
}
