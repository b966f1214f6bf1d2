//! Pure types and rules of SmartDMV: identifiers, validated names, company lifecycle,
//! roles, password hashing and the practice-records rules (species, microchips, the
//! appointment status machine). No async and no I/O live here.

pub mod appointment_type;
pub mod billing;
pub mod calendar;
pub mod clinical;
pub mod company;
pub mod contact;
pub mod csv;
pub mod ids;
pub mod import;
pub mod microchip;
pub mod names;
pub mod page;
pub mod password;
pub mod patient;
pub mod perm;
pub mod plan;
pub mod platform;
pub mod practice;
pub mod role;
pub mod schedule;
pub mod search;
pub mod species;
pub mod text;
pub mod usage;

pub use company::{CompanyStatus, Subdomain, SubdomainError};
pub use ids::{
    AddendumId, AppointmentId, AppointmentTypeId, AttachmentId, ClientId, CompanyId, ContactId,
    IdInput, LabOrderId, LabResultId, NoteId, OverrideId, OwnershipId, PatientId, PracticeId,
    ProblemId, RoleId, RoomId, SessionId, TypedId, UserId, VisitId, WeightId,
};
pub use role::TenantRole;
