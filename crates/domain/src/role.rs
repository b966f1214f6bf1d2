//! Company (tenant) roles. The permission model built on them arrives with the identity work;
//! here they are the names stored on users.

use serde::Deserialize;

use crate::names::string_enum;

string_enum!(
    /// The built-in roles of a company user (`spec/rbac.md`).
    #[derive(Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    TenantRole {
        Administrator = "ADMINISTRATOR",
        PracticeAdministrator = "PRACTICE_ADMINISTRATOR",
        PracticeManager = "PRACTICE_MANAGER",
        Veterinarian = "VETERINARIAN",
        Technician = "TECHNICIAN",
        Receptionist = "RECEPTIONIST",
        Client = "CLIENT",
    }
);

impl TenantRole {
    /// Staff roles work in practices; clients use the portal.
    pub fn is_staff(self) -> bool {
        self != Self::Client
    }
}
