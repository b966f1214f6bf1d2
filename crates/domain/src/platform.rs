//! The platform's own users, on the owner side (`spec/rbac.md`): an `OWNER` runs the whole
//! platform; a `COMPANY_ADMIN` manages one company's account (its contact details, plan,
//! billing and domains) and nothing of any other company.

use crate::names::string_enum;

string_enum!(
    /// The role of a platform user.
    PlatformRole {
        Owner = "OWNER",
        CompanyAdmin = "COMPANY_ADMIN",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_stored_by_their_names() {
        for r in PlatformRole::ALL {
            assert_eq!(PlatformRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(PlatformRole::Owner.to_string(), "OWNER");
        assert_eq!(PlatformRole::parse("owner"), None);
    }
}
