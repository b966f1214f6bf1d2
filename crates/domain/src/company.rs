//! Companies: the subdomain rules and the lifecycle states.

use serde::{Deserialize, Serialize};

use crate::names::string_enum;
use std::fmt;

/// Names that can never be a company's subdomain: they are the platform's own hosts or
/// would mislead users.
pub const RESERVED_SUBDOMAINS: &[&str] = &[
    "www",
    "api",
    "owner",
    "owners",
    "admin",
    "administrator",
    "app",
    "apps",
    "mail",
    "smtp",
    "imap",
    "pop",
    "ftp",
    "static",
    "assets",
    "cdn",
    "status",
    "docs",
    "help",
    "support",
    "billing",
    "signup",
    "login",
    "auth",
    "dashboard",
    "platform",
    "system",
    "root",
    "test",
    "dev",
    "staging",
    "internal",
    "localhost",
    "metrics",
    "health",
    "default",
    "public",
];

/// Why a string is not a valid subdomain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubdomainError {
    #[error("must be 3 to 63 characters long")]
    Length,
    #[error("may contain only lowercase letters, digits and hyphens")]
    Characters,
    #[error("must start and end with a letter or digit")]
    Hyphen,
    #[error("is reserved")]
    Reserved,
}

/// A company's subdomain: lowercase letters, digits and inner hyphens, 3-63 characters,
/// not a reserved name. It can only be built through [`Subdomain::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Subdomain(String);

impl Subdomain {
    /// Checks every rule; the input is taken as given (no lowercasing), so `ABC` is refused
    /// rather than silently changed.
    pub fn parse(s: &str) -> Result<Self, SubdomainError> {
        if s.len() < 3 || s.len() > 63 {
            return Err(SubdomainError::Length);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(SubdomainError::Characters);
        }
        if s.starts_with('-') || s.ends_with('-') {
            return Err(SubdomainError::Hyphen);
        }
        if RESERVED_SUBDOMAINS.contains(&s) {
            return Err(SubdomainError::Reserved);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Subdomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_enum!(
    /// Lifecycle of a company as stored in the owner database (`spec/owner.md`).
    #[derive(Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    CompanyStatus {
        Provisioning = "PROVISIONING",
        Failed = "FAILED",
        Trial = "TRIAL",
        Active = "ACTIVE",
        PastDue = "PAST_DUE",
        Suspended = "SUSPENDED",
        Maintenance = "MAINTENANCE",
        Archived = "ARCHIVED",
    }
);

/// How the tenant side treats a request for a company in a given state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Serving {
    /// Requests are served.
    Serve,
    /// 403 `company_suspended`.
    Suspended,
    /// 503 with `Retry-After`: not ready yet or busy (provisioning, failed, maintenance).
    NotReady,
    /// Treated like an unknown company: archived companies are gone for their users.
    Gone,
}

impl CompanyStatus {
    /// Whether the tenant side serves a company in this state.
    pub fn serving(self) -> Serving {
        match self {
            Self::Trial | Self::Active | Self::PastDue => Serving::Serve,
            Self::Suspended => Serving::Suspended,
            Self::Provisioning | Self::Failed | Self::Maintenance => Serving::NotReady,
            Self::Archived => Serving::Gone,
        }
    }

    /// Whether an operator may move a company from `self` to `to` by editing it. Provisioning
    /// states belong to the provisioner and archiving to `DELETE`.
    pub fn operator_may_set(self, to: CompanyStatus) -> bool {
        use CompanyStatus::*;
        if self == to {
            return true;
        }
        matches!(
            (self, to),
            (Trial | Active | PastDue, Suspended)
                | (Suspended, Active | Trial)
                | (Trial, Active)
                | (PastDue, Active)
                | (Active, PastDue)
                | (Trial | Active | PastDue | Suspended, Maintenance)
                | (Maintenance, Active)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_subdomains_parse() {
        for s in ["abc", "abc-vet", "a1b", "demo-vet", &"a".repeat(63)] {
            assert_eq!(Subdomain::parse(s).map(|d| d.0), Ok(s.to_string()), "{s}");
        }
    }

    #[test]
    fn invalid_subdomains_are_refused_with_the_reason() {
        let cases = [
            ("ab", SubdomainError::Length),
            (&"a".repeat(64) as &str, SubdomainError::Length),
            ("ABC", SubdomainError::Characters),
            ("abc_vet", SubdomainError::Characters),
            ("abc.vet", SubdomainError::Characters),
            ("ábc", SubdomainError::Characters),
            ("-abc", SubdomainError::Hyphen),
            ("abc-", SubdomainError::Hyphen),
            ("www", SubdomainError::Reserved),
            ("api", SubdomainError::Reserved),
            ("owner", SubdomainError::Reserved),
            ("admin", SubdomainError::Reserved),
        ];
        for (s, why) in cases {
            assert_eq!(Subdomain::parse(s), Err(why), "{s}");
        }
    }

    #[test]
    fn status_strings_round_trip() {
        for st in CompanyStatus::ALL {
            assert_eq!(CompanyStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(CompanyStatus::parse("active"), None);
    }

    #[test]
    fn serving_follows_the_lifecycle() {
        assert_eq!(CompanyStatus::Active.serving(), Serving::Serve);
        assert_eq!(CompanyStatus::Trial.serving(), Serving::Serve);
        assert_eq!(CompanyStatus::PastDue.serving(), Serving::Serve);
        assert_eq!(CompanyStatus::Suspended.serving(), Serving::Suspended);
        assert_eq!(CompanyStatus::Provisioning.serving(), Serving::NotReady);
        assert_eq!(CompanyStatus::Failed.serving(), Serving::NotReady);
        assert_eq!(CompanyStatus::Maintenance.serving(), Serving::NotReady);
        assert_eq!(CompanyStatus::Archived.serving(), Serving::Gone);
    }

    #[test]
    fn operators_cannot_touch_provisioning_or_archive_by_edit() {
        use CompanyStatus::*;
        assert!(Active.operator_may_set(Suspended));
        assert!(Suspended.operator_may_set(Active));
        assert!(!Active.operator_may_set(Archived));
        assert!(!Active.operator_may_set(Provisioning));
        assert!(!Failed.operator_may_set(Active));
        assert!(!Provisioning.operator_may_set(Active));
        assert!(!Archived.operator_may_set(Active));
    }
}
