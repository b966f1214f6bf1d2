//! The owner services: what the owner API and the owner's pages both call. Each takes a
//! [`Cx`] (the signed-in platform user and the platform) and typed input, applies the rules
//! (an `OWNER` sees every company, a `COMPANY_ADMIN` only their own: others are not found),
//! and answers a view type shared by the API's JSON and the pages.

pub mod companies;
pub mod invoices;
pub mod page;
pub mod principal;
pub mod views;

pub use page::{Page, PageRequest};
pub use principal::{Cx, Links, PlatformPrincipal, PlatformRole};

/// A stored instant as RFC 3339, as every owner view shows it.
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
