//! Field checks of request bodies: the practice records' checks
//! ([`smartdmv_practice::fields`]), for the handlers that still check their bodies
//! themselves.

pub use smartdmv_practice::fields::Errors;
