//! The tenant services: everything a company's users do in their company's database, behind
//! one context ([`TenantPrincipal`]: who acts, and the company's database) and one error type
//! ([`ServiceError`]). Nothing here knows about HTTP: the API handlers and the web pages of
//! the server both call these functions and render their answers.
//!
//! Writes run in one unit of work ([`TenantPrincipal::write`]) that begins the transaction,
//! hands out the audit writer bound to the principal, commits, and classifies database
//! errors once.

pub mod account;
pub mod appointment_types;
pub mod appointments;
pub mod audit;
mod audited;
pub mod clients;
pub mod error;
pub mod fields;
pub mod import;
pub mod page;
pub mod patients;
pub mod practices;
pub mod principal;
pub mod record;
pub mod roles;
pub mod rooms;
pub mod search;
pub mod species;
pub mod tenant;
pub mod users;
pub mod work;

pub use error::{ConflictAs, FieldErrors, Refusal, ServiceError, ServiceResult};
pub use page::{Page, PageRequest};
pub use principal::{TenantPrincipal, build_access, is_portal_user};
pub use tenant::Tenant;
pub use work::{Change, Work};

/// A stored time as RFC 3339, as every answer shows times.
pub fn rfc3339(t: smartdmv_store::Stamp) -> String {
    t.rfc3339()
}
