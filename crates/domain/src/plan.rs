//! What a plan grants: feature flags and usage limits. Plans themselves (price, interval)
//! live in the owner database; the names here are the contract between a plan's `features`
//! list, a company's overrides and the tenant routes that check them.

use serde::{Deserialize, Serialize};

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
}
