//! The clock billing runs on (the platform's one clock, defined in the tenancy crate so that
//! the tenant services read the same one), and the conversions of its instants to stored
//! times.

use jiff::Timestamp;

pub use smartdmv_tenancy::clock::{Clock, ManualClock, SystemClock};

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
    fn stored_instants_round_trip_to_the_microsecond() {
        let t: Timestamp = "2026-03-04T05:06:07.123456789Z".parse().unwrap();
        let back = to_instant(to_stored(t));
        assert_eq!(back, "2026-03-04T05:06:07.123456Z".parse().unwrap());
    }
}
