//! Keyset pages of the owner lists, shared with the tenant services and the API's answers
//! (defined once, in `smartdmv_domain::page`).

pub use smartdmv_domain::page::{Page, PageRequest};
