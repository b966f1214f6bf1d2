//! How the pages show API values: local times, dates, ages, statuses, money, and the
//! conversion of a local date and time typed into a form into the instant the API takes.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use smartdmv_domain::schedule::AppointmentStatus;

use crate::auth::perms::Perm;
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::ApiError;
use crate::state::AppState;

/// The principal as the API handler requiring `P` takes it (its own database lease; the
/// permission checked exactly as the API's extractor checks it).
pub async fn authorized<P: Perm>(
    s: &AppState,
    p: &TenantPrincipal,
) -> Result<Authorized<P>, ApiError> {
    Authorized::check(p.fork(&s.platform.registry).await?)
}

/// The typed id in a page's address; a malformed one is the same "no such page" as an
/// unknown one.
pub fn page_id<T: smartdmv_domain::ids::TypedId>(raw: &str) -> Result<T, super::error::WebError> {
    raw.parse().map_err(|_| super::error::WebError::NotFound)
}

/// `HH:MM` of an RFC 3339 local time such as `2026-10-24T09:00:00+01:00`.
pub fn hhmm(rfc3339: &str) -> String {
    rfc3339.get(11..16).unwrap_or(rfc3339).to_owned()
}

/// `YYYY-MM-DD` of an RFC 3339 time.
pub fn day_of(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_owned()
}

/// `YYYY-MM-DD HH:MM` of an RFC 3339 local time.
pub fn when(rfc3339: &str) -> String {
    format!("{} {}", day_of(rfc3339), hhmm(rfc3339))
}

/// A status code as words: `checked_in` -> `checked in`.
pub fn status_label(s: AppointmentStatus) -> String {
    s.as_str().replace('_', " ")
}

/// The button label of a move to status `to`.
pub fn action_label(to: AppointmentStatus) -> &'static str {
    match to {
        AppointmentStatus::Booked => "Book",
        AppointmentStatus::Confirmed => "Confirm",
        AppointmentStatus::CheckedIn => "Check in",
        AppointmentStatus::InProgress => "Start",
        AppointmentStatus::Completed => "Complete",
        AppointmentStatus::Cancelled => "Cancel",
        AppointmentStatus::NoShow => "No-show",
        AppointmentStatus::Requested => "Move",
    }
}

/// An age from a date of birth, on `today`: `3 years`, `7 months`, `12 days`.
pub fn age(dob: Option<&str>, today: Date) -> String {
    let Some(d) = dob.and_then(|s| s.parse::<Date>().ok()) else {
        return String::new();
    };
    if d > today {
        return String::new();
    }
    let mut months = (i32::from(today.year()) - i32::from(d.year())) * 12
        + (i32::from(today.month()) - i32::from(d.month()));
    if today.day() < d.day() {
        months -= 1;
    }
    let plural = |n: i32, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if months >= 24 {
        plural(months / 12, "year")
    } else if months >= 1 {
        plural(months, "month")
    } else {
        plural(today.since(d).map_or(0, |s| s.get_days()), "day")
    }
}

/// Today in a time zone.
pub fn today_in(tz: &TimeZone) -> Date {
    Timestamp::now().to_zoned(tz.clone()).date()
}

/// The instant of a local date and `HH:MM` time in a zone, as RFC 3339 UTC; `None` when
/// either does not parse (or the time does not exist there).
pub fn local_to_utc(date: &str, time: &str, tz: &TimeZone) -> Option<String> {
    let d: Date = date.trim().parse().ok()?;
    let t: Time = time.trim().parse().ok()?;
    let z = d.to_datetime(t).to_zoned(tz.clone()).ok()?;
    Some(z.timestamp().to_string())
}

/// An amount in minor units with its currency: `USD 249.00`, `EUR -0.50`.
pub fn money(cents: i64, currency: &str) -> String {
    format!(
        "{currency} {}",
        smartdmv_domain::billing::money::format_scaled(cents, 2)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_shows_two_decimals_and_the_currency() {
        assert_eq!(money(24900, "USD"), "USD 249.00");
        assert_eq!(money(5, "EUR"), "EUR 0.05");
        assert_eq!(money(-50, "EUR"), "EUR -0.50");
        assert_eq!(money(i64::MIN, "USD"), "USD -92233720368547758.08");
    }

    #[test]
    fn times_show_as_written_in_the_practice() {
        assert_eq!(hhmm("2026-10-24T09:05:00+01:00"), "09:05");
        assert_eq!(day_of("2026-10-24T09:05:00+01:00"), "2026-10-24");
        assert_eq!(when("2026-10-24T09:05:00+01:00"), "2026-10-24 09:05");
        assert_eq!(status_label(AppointmentStatus::CheckedIn), "checked in");
    }

    #[test]
    fn ages_count_whole_units() {
        let today: Date = "2026-03-10".parse().unwrap();
        assert_eq!(age(Some("2020-03-10"), today), "6 years");
        assert_eq!(age(Some("2020-03-11"), today), "5 years");
        assert_eq!(age(Some("2025-03-11"), today), "11 months");
        assert_eq!(age(Some("2026-02-10"), today), "1 month");
        assert_eq!(age(Some("2026-03-01"), today), "9 days");
        assert_eq!(age(Some("2027-01-01"), today), "");
        assert_eq!(age(None, today), "");
    }

    #[test]
    fn local_times_become_utc_instants() {
        let tz = TimeZone::get("Europe/London").unwrap();
        assert_eq!(
            local_to_utc("2026-07-01", "09:30", &tz).as_deref(),
            Some("2026-07-01T08:30:00Z")
        );
        assert_eq!(local_to_utc("2026-07-01", "nine", &tz), None);
        assert_eq!(local_to_utc("", "09:30", &tz), None);
    }
}
