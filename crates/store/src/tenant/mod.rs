//! One company's database: practices, users, sessions and the tenant audit log. Practice records: clients,
//! patients and scheduling; the search index over clients and patients.

pub mod access;
pub mod appointment;
pub mod appointment_type;
pub mod audit;
pub mod client;
pub mod client_contact;
pub mod custom_breed;
pub mod custom_species;
pub mod import;
pub mod migration;
pub mod patient;
pub mod patient_owner;
pub mod patient_weight;
pub mod practice;
pub mod room;
pub mod search;
pub mod session;
pub mod usage;
pub mod user;

pub use migration::TenantMigrator;
