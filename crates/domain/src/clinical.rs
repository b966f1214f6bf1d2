//! The rules of the medical record (`spec/clinical.md`, first section): visit and note states,
//! when a note locks, plausible vitals, problem states and how a lab value is flagged against
//! its reference range. Pure: the services bring the clock and the stored rows.

use jiff::{SignedDuration, Timestamp};

use crate::names::string_enum;

string_enum!(
    /// Where a visit is: open while the patient is seen, closed once every note is signed.
    VisitStatus {
        Open = "open",
        Closed = "closed",
    }
);

string_enum!(
    /// What a note's answer says of it. Stored are only `draft` and `signed`; `locked` is a
    /// draft whose lock window has passed (see [`note_state`]).
    NoteStatus {
        Draft = "draft",
        Signed = "signed",
        Locked = "locked",
    }
);

string_enum!(
    /// An entry of a patient's problem list.
    ProblemStatus {
        Active = "active",
        Chronic = "chronic",
        Resolved = "resolved",
    }
);

string_enum!(
    /// A lab order: ordered, then resulted (one or more versions), then reviewed.
    LabOrderStatus {
        Ordered = "ordered",
        Resulted = "resulted",
        Reviewed = "reviewed",
    }
);

string_enum!(
    /// A lab value against its reference range.
    LabFlag {
        Low = "low",
        High = "high",
        Normal = "normal",
    }
);

/// How long an unsigned note stays editable when the practice sets nothing.
pub const DEFAULT_RECORD_LOCK_HOURS: i32 = 24;
/// The bounds of the practice setting `recordLockHours` (one hour to thirty days).
pub const RECORD_LOCK_HOURS: std::ops::RangeInclusive<i32> = 1..=720;
/// The longest text of one SOAP section, an addendum, a reason or a review note.
pub const MAX_NOTE_TEXT: usize = 20_000;
/// The longest reason (of a visit, an addendum, an entered-in-error mark).
pub const MAX_REASON: usize = 2_000;

/// The largest attachment (10 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The type of an attachment judged from its first bytes (never from what the upload
/// claims): PNG, JPEG, GIF, WebP images and PDF documents; anything else is `None`.
pub fn attachment_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// When a note locks: when it was signed, or `lock_hours` after it was written, whichever
/// comes first.
pub fn lock_at(created: Timestamp, signed: Option<Timestamp>, lock_hours: i32) -> Timestamp {
    let window = created
        .checked_add(SignedDuration::from_hours(i64::from(lock_hours)))
        .unwrap_or(Timestamp::MAX);
    match signed {
        Some(s) if s < window => s,
        _ => window,
    }
}

/// The state of a note at `now`, and the instant it locked (`None` while it is a draft).
pub fn note_state(
    created: Timestamp,
    signed: Option<Timestamp>,
    lock_hours: i32,
    now: Timestamp,
) -> (NoteStatus, Option<Timestamp>) {
    let at = lock_at(created, signed, lock_hours);
    match signed {
        Some(_) => (NoteStatus::Signed, Some(at)),
        None if now >= at => (NoteStatus::Locked, Some(at)),
        None => (NoteStatus::Draft, None),
    }
}

/// Vitals as measured at an examination; each is optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Vitals {
    pub temperature_c: Option<f64>,
    pub heart_rate: Option<i32>,
    pub respiratory_rate: Option<i32>,
    pub weight_kg: Option<f64>,
}

/// The vitals' problems as `(field, message)`: values outside what any patient can have are
/// typing mistakes (a temperature in Fahrenheit, grams typed as kilograms).
pub fn check_vitals(v: &Vitals) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if let Some(t) = v.temperature_c
        && !(t.is_finite() && (25.0..=46.0).contains(&t))
    {
        out.push((
            "temperatureC",
            "must be between 25 and 46 (degrees Celsius)",
        ));
    }
    if let Some(h) = v.heart_rate
        && !(1..=500).contains(&h)
    {
        out.push(("heartRate", "must be between 1 and 500 beats per minute"));
    }
    if let Some(r) = v.respiratory_rate
        && !(1..=250).contains(&r)
    {
        out.push((
            "respiratoryRate",
            "must be between 1 and 250 breaths per minute",
        ));
    }
    if let Some(w) = v.weight_kg
        && let Err(m) = crate::patient::check_weight(w, crate::patient::WeightUnit::Kg)
    {
        out.push(("weightKg", m));
    }
    out
}

/// A value against its reference range (either bound may be absent; with neither there is
/// nothing to flag against and the flag is `None`).
pub fn flag(value: f64, low: Option<f64>, high: Option<f64>) -> Option<LabFlag> {
    match (low, high) {
        (None, None) => None,
        (Some(l), _) if value < l => Some(LabFlag::Low),
        (_, Some(h)) if value > h => Some(LabFlag::High),
        _ => Some(LabFlag::Normal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn an_unsigned_note_locks_when_its_window_passes() {
        let created = t("2026-05-01T10:00:00Z");
        let (s, at) = note_state(created, None, 24, t("2026-05-02T09:59:59Z"));
        assert_eq!((s, at), (NoteStatus::Draft, None));
        let (s, at) = note_state(created, None, 24, t("2026-05-02T10:00:00Z"));
        assert_eq!(s, NoteStatus::Locked);
        assert_eq!(at, Some(t("2026-05-02T10:00:00Z")));
    }

    #[test]
    fn a_signed_note_is_locked_from_its_signature() {
        let created = t("2026-05-01T10:00:00Z");
        let signed = t("2026-05-01T11:30:00Z");
        let (s, at) = note_state(created, Some(signed), 24, t("2026-05-01T11:31:00Z"));
        assert_eq!((s, at), (NoteStatus::Signed, Some(signed)));
    }

    #[test]
    fn implausible_vitals_are_named() {
        let v = Vitals {
            temperature_c: Some(101.5),
            heart_rate: Some(0),
            respiratory_rate: Some(30),
            weight_kg: Some(-2.0),
        };
        let fields: Vec<_> = check_vitals(&v).into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["temperatureC", "heartRate", "weightKg"]);
        let ok = Vitals {
            temperature_c: Some(38.6),
            heart_rate: Some(110),
            respiratory_rate: Some(24),
            weight_kg: Some(12.4),
        };
        assert!(check_vitals(&ok).is_empty());
    }

    #[test]
    fn attachments_are_typed_by_their_bytes() {
        assert_eq!(attachment_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(
            attachment_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(attachment_type(b"GIF89a.."), Some("image/gif"));
        assert_eq!(attachment_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(attachment_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(attachment_type(b"<html><script>"), None);
        assert_eq!(attachment_type(b"MZ\x90\0"), None);
        assert_eq!(attachment_type(b""), None);
    }

    #[test]
    fn values_are_flagged_against_their_range() {
        assert_eq!(flag(3.0, Some(4.0), Some(9.0)), Some(LabFlag::Low));
        assert_eq!(flag(9.5, Some(4.0), Some(9.0)), Some(LabFlag::High));
        assert_eq!(flag(4.0, Some(4.0), Some(9.0)), Some(LabFlag::Normal));
        assert_eq!(flag(9.0, None, Some(9.0)), Some(LabFlag::Normal));
        assert_eq!(flag(1.0, Some(4.0), None), Some(LabFlag::Low));
        assert_eq!(flag(1.0, None, None), None);
    }
}
