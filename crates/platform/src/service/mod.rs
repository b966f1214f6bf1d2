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

/// A list's filter by a stored status or state (`status=`, `state=`): absent or empty is no
/// filter, a value `parse` does not know is 400 `invalid_query` (`unknown {name} "raw"`).
pub(crate) fn state_filter<T>(
    raw: Option<&str>,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> crate::PlatformResult<Option<T>> {
    match raw {
        None | Some("") => Ok(None),
        Some(raw) => parse(raw).map(Some).ok_or_else(|| {
            crate::PlatformError::bad_request("invalid_query", format!("unknown {name} {raw:?}"))
        }),
    }
}
