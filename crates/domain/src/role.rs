//! Company (tenant) roles. The permission model built on them arrives with the identity work;
//! here they are the names stored on users.

use serde::{Deserialize, Serialize};

/// The built-in roles of a company user (`spec/rbac.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TenantRole {
    Administrator,
    PracticeAdministrator,
    PracticeManager,
    Veterinarian,
    Technician,
    Receptionist,
    Client,
}

impl TenantRole {
    pub const ALL: [TenantRole; 7] = [
        Self::Administrator,
        Self::PracticeAdministrator,
        Self::PracticeManager,
        Self::Veterinarian,
        Self::Technician,
        Self::Receptionist,
        Self::Client,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff roles work in practices; clients use the portal.
    pub fn is_staff(self) -> bool {
        self != Self::Client
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "ADMINISTRATOR",
            Self::PracticeAdministrator => "PRACTICE_ADMINISTRATOR",
            Self::PracticeManager => "PRACTICE_MANAGER",
            Self::Veterinarian => "VETERINARIAN",
            Self::Technician => "TECHNICIAN",
            Self::Receptionist => "RECEPTIONIST",
            Self::Client => "CLIENT",
        }
    }
}
