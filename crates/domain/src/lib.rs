//! Pure types and rules of SmartDMV: identifiers, validated names, company lifecycle,
//! roles and password hashing. No async and no I/O live here.

pub mod company;
pub mod ids;
pub mod password;
pub mod perm;
pub mod role;
pub mod text;

pub use company::{CompanyStatus, Subdomain, SubdomainError};
pub use ids::{CompanyId, PracticeId, UserId};
pub use role::TenantRole;
