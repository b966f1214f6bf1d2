//! What a plan grants: feature flags and usage limits. Plans themselves (price, interval)
//! live in the owner database; the names here are the contract between a plan's `features`
//! list, a company's overrides and the tenant routes that check them.

use serde::{Deserialize, Serialize};

use crate::names::string_enum;

/// A feature that a plan may include. A route of a feature the company's plan lacks answers
/// 403 `feature_not_in_plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Pet owners sign up and sign in to the client portal.
    ClientPortal,
    /// Bulk import of clients and patients from CSV.
    DataImport,
    /// Company-defined roles beyond the built-in ones.
    CustomRoles,
}

impl Feature {
    pub const ALL: [Feature; 3] = [Self::ClientPortal, Self::DataImport, Self::CustomRoles];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientPortal => "client_portal",
            Self::DataImport => "data_import",
            Self::CustomRoles => "custom_roles",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

string_enum!(
    /// How often a plan is billed.
    #[derive(Deserialize)]
    #[serde(rename_all = "lowercase")]
    PlanInterval {
        Monthly = "monthly",
        Yearly = "yearly",
    }
);

impl PlanInterval {
    /// Calendar months in one billing period.
    pub fn months(self) -> i64 {
        match self {
            Self::Monthly => 1,
            Self::Yearly => 12,
        }
    }
}

/// A plan's price: an amount in minor units per billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanPrice {
    pub cents: i64,
    pub interval: PlanInterval,
}

impl PlanPrice {
    /// Whether moving from `self` to `to` costs more per month, the test of an upgrade (which
    /// takes effect at once, prorated) against a downgrade (which waits for the period end).
    /// Compared exactly by cross-multiplication, never through a rounded monthly figure.
    pub fn is_upgrade_to(&self, to: &PlanPrice) -> bool {
        i128::from(to.cents) * i128::from(self.interval.months())
            > i128::from(self.cents) * i128::from(to.interval.months())
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_round_trip() {
        for f in Feature::ALL {
            assert_eq!(Feature::parse(f.as_str()), Some(f));
            assert_eq!(
                serde_json::to_value(f).unwrap(),
                serde_json::json!(f.as_str())
            );
        }
        assert_eq!(Feature::parse("teleportation"), None);
    }

    #[test]
    fn intervals_round_trip() {
        for i in PlanInterval::ALL {
            assert_eq!(PlanInterval::parse(i.as_str()), Some(i));
        }
        assert_eq!(PlanInterval::parse("weekly"), None);
    }

    #[test]
    fn upgrades_cost_more_per_month() {
        let m = |cents| PlanPrice {
            cents,
            interval: PlanInterval::Monthly,
        };
        let y = |cents| PlanPrice {
            cents,
            interval: PlanInterval::Yearly,
        };
        assert!(m(4900).is_upgrade_to(&m(14900)));
        assert!(!m(14900).is_upgrade_to(&m(4900)));
        assert!(!m(4900).is_upgrade_to(&m(4900)));
        // 120.00 a year is 10.00 a month: the same rate is not an upgrade either way.
        assert!(!m(1000).is_upgrade_to(&y(12000)));
        assert!(!y(12000).is_upgrade_to(&m(1000)));
        assert!(m(1000).is_upgrade_to(&y(12001)));
        assert!(y(12000).is_upgrade_to(&m(1001)));
    }
}
