//! Client contacts: each phone number or email address of a client is one contact with a
//! purpose and its own consent flags. `clients.email` / `clients.phone` mirror the primary
//! contact of each kind, chosen here.

use crate::names::string_enum;
use crate::text::{is_plausible_email, is_plausible_phone, phone_digits};

string_enum!(
    /// What a contact is.
    ContactKind {
        Phone = "phone",
        Email = "email",
    }
);

impl ContactKind {
    /// The purpose a contact gets when none is given: phones are usually mobiles, emails
    /// personal.
    pub fn default_purpose(self) -> &'static str {
        match self {
            ContactKind::Phone => "mobile",
            ContactKind::Email => "home",
        }
    }

    /// Checks a value of this kind; the error is a field message.
    pub fn check(self, value: &str) -> Result<(), &'static str> {
        match self {
            ContactKind::Phone if !is_plausible_phone(value.trim()) => {
                Err("must be a phone number (6 to 20 digits)")
            }
            ContactKind::Email if !is_plausible_email(value.trim()) => {
                Err("must be an email address")
            }
            _ => Ok(()),
        }
    }

    /// What search and duplicate checks compare: the digits of a phone number, the trimmed
    /// lower-case address of an email.
    pub fn normalize(self, value: &str) -> String {
        match self {
            ContactKind::Phone => phone_digits(value),
            ContactKind::Email => value.trim().to_lowercase(),
        }
    }
}

/// The purposes a contact may have.
pub const PURPOSES: &[&str] = &["home", "mobile", "work", "billing", "emergency", "other"];

pub fn is_purpose(s: &str) -> bool {
    PURPOSES.contains(&s)
}

/// Which contact of each kind is primary, given the kinds in order and whether each was
/// marked primary: the marked one, else the first of its kind. Exactly one per kind present.
/// `Err(i)` names the second contact marked primary for the same kind.
pub fn resolve_primaries(contacts: &[(ContactKind, bool)]) -> Result<Vec<bool>, usize> {
    let mut out = vec![false; contacts.len()];
    for kind in ContactKind::ALL {
        let of_kind: Vec<usize> = (0..contacts.len())
            .filter(|i| contacts[*i].0 == kind)
            .collect();
        let marked: Vec<usize> = of_kind.iter().copied().filter(|i| contacts[*i].1).collect();
        if let Some(second) = marked.get(1) {
            return Err(*second);
        }
        if let Some(p) = marked.first().or(of_kind.first()) {
            out[*p] = true;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::ContactKind::{Email, Phone};
    use super::*;

    #[test]
    fn values_are_checked_and_normalized_per_kind() {
        assert!(Phone.check("+44 (0)20 7946-0018").is_ok());
        assert!(Phone.check("ann@example.com").is_err());
        assert!(Email.check(" Ann@Example.com ").is_ok());
        assert!(Email.check("0207 946 0018").is_err());
        assert_eq!(Phone.normalize("+1 (555) 010-0100"), "15550100100");
        assert_eq!(Email.normalize(" Ann@Example.COM "), "ann@example.com");
        assert_eq!(ContactKind::parse("fax"), None);
        assert!(is_purpose("emergency") && !is_purpose("Home"));
    }

    #[test]
    fn the_marked_contact_or_the_first_of_its_kind_is_primary() {
        let r = resolve_primaries(&[(Phone, false), (Email, false), (Phone, true)]).unwrap();
        assert_eq!(r, vec![false, true, true]);
        let r = resolve_primaries(&[(Email, false), (Email, false)]).unwrap();
        assert_eq!(r, vec![true, false]);
        assert_eq!(resolve_primaries(&[]).unwrap(), Vec::<bool>::new());
        assert_eq!(
            resolve_primaries(&[(Email, true), (Phone, true), (Email, true)]),
            Err(2)
        );
    }
}
