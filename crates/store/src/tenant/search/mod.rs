//! Search over clients and patients: the index tables (`search_terms`, `search_fuzzy`), their
//! maintenance and the ranked lookup behind `GET /api/search`.
//!
//! `search_terms` holds one row per word a record is found by: each folded name word, each
//! phone number (digits reversed, so that "ends with" is a prefix range), each email and the
//! microchip, with the record's sort key and active flag. `search_fuzzy` maps deletion keys
//! (`smartdmv_domain::search::stored_keys`) to the distinct name words, so that a typo is an
//! exact index lookup. Plain tables and B-tree indexes only: both backends, no extension.
//!
//! Every write path of clients, their contacts and patients calls [`reindex_client`] or
//! [`reindex_patient`] in its transaction; bulk loads call [`index_records`] or [`rebuild`].

pub(crate) mod index;
mod query;

pub use index::{RebuildStats, index_records, rebuild, reindex_client, reindex_patient};
pub use query::{
    Hit, Hits, Options, PatientOwner, clients_by_id, current_owners, patients_by_id, search,
};

/// `search_terms.entity_kind` of a client.
pub const CLIENT: &str = "c";
/// `search_terms.entity_kind` of a patient.
pub const PATIENT: &str = "p";

/// `search_terms.field` values.
pub mod field {
    pub const NAME: &str = "n";
    pub const PHONE: &str = "p";
    pub const EMAIL: &str = "e";
    pub const MICROCHIP: &str = "m";
}
