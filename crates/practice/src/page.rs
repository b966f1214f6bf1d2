//! Keyset pages of lists, shared with the owner services and the API's answers (defined once,
//! in `smartdmv_domain::page`).

pub use smartdmv_domain::page::{DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest};
