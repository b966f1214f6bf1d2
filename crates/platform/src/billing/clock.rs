//! The clock billing runs on: the system clock in production, a settable one in tests (and
//! for an operator replaying a period), so that months of a subscription's life can be
//! driven in seconds.

use jiff::{SignedDuration, Timestamp};
use std::sync::Mutex;

/// Where billing reads the time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until it is set or advanced.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Mutex::new(start))
    }

    pub fn set(&self, t: Timestamp) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = t;
    }

    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t = t.checked_add(by).unwrap_or(Timestamp::MAX);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// An instant as stored (UTC, to the microsecond, like `smartdmv_store::now`).
pub fn to_stored(t: Timestamp) -> smartdmv_store::Stamp {
    smartdmv_store::Stamp::micros(t)
}

/// A stored instant.
pub fn to_instant(t: smartdmv_store::Stamp) -> Timestamp {
    t.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let c = ManualClock::new(start);
        assert_eq!(c.now(), start);
        c.advance(SignedDuration::from_hours(24));
        assert_eq!(c.now(), "2026-01-02T00:00:00Z".parse().unwrap());
        c.set(start);
        assert_eq!(c.now(), start);
    }

    #[test]
    fn stored_instants_round_trip_to_the_microsecond() {
        let t: Timestamp = "2026-03-04T05:06:07.123456789Z".parse().unwrap();
        let back = to_instant(to_stored(t));
        assert_eq!(back, "2026-03-04T05:06:07.123456Z".parse().unwrap());
    }
}
