//! Field checks shared by the practice-record inputs (clients, patients, species): trimmed
//! text with a length limit, calendar dates that cannot be in the future, alert lists. Each
//! check adds `(field, message)` pairs to one list so that an input answers with every
//! problem at once ([`ServiceError::Invalid`]).

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use smartdmv_domain::{IdInput, TypedId};

use crate::{ServiceError, ServiceResult};

/// Field errors collected for one invalid input.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// `Ok` when nothing was added, else [`ServiceError::Invalid`] with every error.
    pub fn finish(self) -> ServiceResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }

    /// A required text: present, trimmed, 1 to `max` characters.
    pub fn required(&mut self, field: &str, v: Option<&str>, max: usize) -> String {
        let Some(v) = v else {
            self.add(field, "is required");
            return String::new();
        };
        let t = v.trim();
        let n = t.chars().count();
        if n == 0 || n > max {
            self.add(field, format!("must be 1 to {max} characters"));
        }
        t.to_owned()
    }

    /// An optional text: trimmed, empty is none, at most `max` characters.
    pub fn optional(&mut self, field: &str, v: Option<&str>, max: usize) -> Option<String> {
        let t = v.map(str::trim).filter(|t| !t.is_empty())?;
        if t.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
        Some(t.to_owned())
    }

    /// A `YYYY-MM-DD` date that is not in the future.
    pub fn past_date(&mut self, field: &str, v: &str) -> Option<smartdmv_store::Day> {
        match smartdmv_store::Day::parse_ymd(v.trim()).ok_or(()) {
            Err(()) => {
                self.add(field, "must be a date written YYYY-MM-DD");
                None
            }
            Ok(d) if d.0 > latest_today() => {
                self.add(field, "cannot be in the future");
                None
            }
            Ok(d) => Some(d),
        }
    }

    /// Alerts (allergies, aggression, ...): up to 20 distinct texts of 1 to 200 characters.
    pub fn alerts(&mut self, field: &str, v: &[String]) -> Value {
        let mut out: Vec<String> = Vec::new();
        if v.len() > 20 {
            self.add(field, "at most 20 alerts");
        }
        for (i, a) in v.iter().enumerate() {
            let t = a.trim();
            let n = t.chars().count();
            if n == 0 || n > 200 {
                self.add(format!("{field}.{i}"), "must be 1 to 200 characters");
            } else if !out.iter().any(|x| x == t) {
                out.push(t.to_owned());
            }
        }
        Value::from(out)
    }

    /// An id in an input, or the field error when it is malformed.
    pub fn id<T: TypedId>(&mut self, field: &str, v: IdInput<T>) -> Option<T> {
        let id = v.id();
        if id.is_none() {
            self.add(field, "must be an id");
        }
        id
    }
}

/// Today's date somewhere on earth: the calendar date at UTC+14, the earliest time zone. A
/// date up to this one is not "in the future" for any practice, wherever it is.
pub fn latest_today() -> jiff::civil::Date {
    (smartdmv_store::Stamp::now() + jiff::SignedDuration::from_hours(14)).date()
}

/// `YYYY-MM-DD`.
pub fn date_string(d: smartdmv_store::Day) -> String {
    d.to_string()
}

/// For ids in queries and forms, where a blank value means none: absent or blank -> `None`,
/// else the id as given.
pub fn blank_is_none<'de, T, D>(d: D) -> Result<Option<IdInput<T>>, D::Error>
where
    T: TypedId,
    D: Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(d)?;
    Ok(raw.and_then(|s| IdInput::optional(&s)))
}

/// For change inputs: absent -> `None`, `null` -> `Some(None)`, value -> `Some(Some(v))`.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
