//! Scheduling rules: the appointment status machine of `spec/practice.md` and practice
//! local time.

use crate::names::string_enum;

string_enum!(
    /// Where an appointment is in its life.
    AppointmentStatus {
        Requested = "requested",
        Booked = "booked",
        Confirmed = "confirmed",
        CheckedIn = "checked_in",
        InProgress = "in_progress",
        Completed = "completed",
        Cancelled = "cancelled",
        NoShow = "no_show",
    }
);

use AppointmentStatus::*;

impl AppointmentStatus {
    /// The moves allowed from this status. Forward along the flow one step at a time
    /// (confirmation may be skipped: a booked patient can simply turn up), cancellation
    /// before the patient arrives, no-show only for a booked or confirmed appointment.
    pub fn next(self) -> &'static [AppointmentStatus] {
        match self {
            Requested => &[Booked, Cancelled],
            Booked => &[Confirmed, CheckedIn, Cancelled, NoShow],
            Confirmed => &[CheckedIn, Cancelled, NoShow],
            CheckedIn => &[InProgress, Cancelled],
            InProgress => &[Completed],
            Completed | Cancelled | NoShow => &[],
        }
    }

    pub fn can_move_to(self, to: AppointmentStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether the appointment still holds its slot (counts for conflicts).
    pub fn holds_slot(self) -> bool {
        !matches!(self, Cancelled | NoShow)
    }

    /// Whether the appointment keeps its veterinarian and room from being booked by another
    /// at the same time. A client's request claims nothing until staff book it (its
    /// conflicts are checked then); cancelled and no-show appointments free their slot.
    pub fn blocks_resources(self) -> bool {
        self.holds_slot() && self != Requested
    }

    /// Whether a client may cancel their own appointment in this status (once the patient
    /// has arrived, only staff can).
    pub fn client_may_cancel(self) -> bool {
        matches!(self, Requested | Booked | Confirmed)
    }

    /// Whether the appointment is over, one way or another.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }
}

/// A practice's time zone by IANA name, from the time zone database bundled in the binary.
pub fn time_zone(name: &str) -> Option<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).ok()
}

/// The lengths an appointment (and an appointment type) may have, in minutes.
pub const DURATION_MINUTES: std::ops::RangeInclusive<i32> = 5..=480;

/// The longest reason an appointment (or a status change) may give, in characters.
pub const REASON_MAX_CHARS: usize = 2000;

/// A booking's start: RFC 3339 with an offset, on a whole minute. `Err` is the field message.
pub fn parse_start(raw: &str) -> Result<jiff::Timestamp, &'static str> {
    let t: jiff::Timestamp = raw
        .parse()
        .map_err(|_| "must be an RFC 3339 time with an offset, such as 2027-01-04T09:00:00Z")?;
    if t.as_second() % 60 != 0 || t.subsec_nanosecond() != 0 {
        return Err("must be on a whole minute");
    }
    Ok(t)
}

/// Whether a reason is too long to keep.
pub fn reason_too_long(reason: Option<&str>) -> bool {
    reason.is_some_and(|r| r.chars().count() > REASON_MAX_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_rfc3339_on_a_whole_minute() {
        let t = parse_start("2027-01-04T09:00:00+01:00").unwrap();
        assert_eq!(t.to_string(), "2027-01-04T08:00:00Z");
        assert_eq!(
            parse_start("2027-01-04T09:00:30Z"),
            Err("must be on a whole minute")
        );
        assert_eq!(
            parse_start("2027-01-04T09:00:00.5Z"),
            Err("must be on a whole minute")
        );
        assert!(parse_start("2027-01-04 09:00").is_err());
        assert!(
            parse_start("2027-01-04T09:00:00").is_err(),
            "an offset is required"
        );
    }

    #[test]
    fn reasons_and_durations_have_limits() {
        assert!(!reason_too_long(None));
        assert!(!reason_too_long(Some(&"é".repeat(2000))));
        assert!(reason_too_long(Some(&"a".repeat(2001))));
        assert!(DURATION_MINUTES.contains(&5) && DURATION_MINUTES.contains(&480));
        assert!(!DURATION_MINUTES.contains(&4) && !DURATION_MINUTES.contains(&481));
    }

    #[test]
    fn status_names_round_trip() {
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(AppointmentStatus::parse("done"), None);
    }

    #[test]
    fn final_states_go_nowhere_and_nothing_returns_to_requested() {
        for s in AppointmentStatus::ALL {
            assert!(!s.can_move_to(Requested), "{s} -> requested");
            assert!(!s.can_move_to(s), "{s} -> itself");
        }
        for s in [Completed, Cancelled, NoShow] {
            assert!(s.is_final());
        }
    }

    /// The whole machine as a table: every (from, to) pair and whether it is allowed.
    #[test]
    fn transition_table() {
        let allowed = [
            (Requested, Booked),
            (Requested, Cancelled),
            (Booked, Confirmed),
            (Booked, CheckedIn),
            (Booked, Cancelled),
            (Booked, NoShow),
            (Confirmed, CheckedIn),
            (Confirmed, Cancelled),
            (Confirmed, NoShow),
            (CheckedIn, InProgress),
            (CheckedIn, Cancelled),
            (InProgress, Completed),
        ];
        for from in AppointmentStatus::ALL {
            for to in AppointmentStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn requests_and_freed_slots_block_nothing() {
        let blocking: Vec<_> = AppointmentStatus::ALL
            .into_iter()
            .filter(|s| s.blocks_resources())
            .collect();
        assert_eq!(
            blocking,
            [Booked, Confirmed, CheckedIn, InProgress, Completed]
        );
        let client: Vec<_> = AppointmentStatus::ALL
            .into_iter()
            .filter(|s| s.client_may_cancel())
            .collect();
        assert_eq!(client, [Requested, Booked, Confirmed]);
        assert!(client.iter().all(|s| s.can_move_to(Cancelled)));
    }

    #[test]
    fn known_time_zones_resolve() {
        assert!(time_zone("Europe/London").is_some());
        assert!(time_zone("America/New_York").is_some());
        assert!(time_zone("Mars/Olympus").is_none());
    }
}
