//! The owner services: what the owner API and the owner's pages both call. Each takes a
//! [`Cx`] (the signed-in platform user and the platform) and typed input, applies the rules
//! (an `OWNER` sees every company, a `COMPANY_ADMIN` only their own: others are not found),
//! and answers a view type shared by the API's JSON and the pages. Sign-up and sign-in are
//! for visitors and take the [`crate::Platform`] instead.

pub mod analytics;
pub mod companies;
pub mod impersonation;
pub mod invoices;
pub mod page;
pub mod plans;
pub mod platform_users;
pub mod principal;
pub mod signup;
pub mod subscriptions;
pub mod unapplied;
pub mod usage;
pub mod views;

pub use page::{Page, PageRequest};
pub use principal::{Cx, Links, PlatformPrincipal, PlatformRole};

/// A stored instant as RFC 3339, as every owner view shows it.
pub fn rfc3339(t: smartdmv_store::Stamp) -> String {
    t.rfc3339()
}
