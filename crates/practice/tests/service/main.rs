//! The tenant services' one integration-test binary: the rules that live in the services
//! (the unit of work, conflicts, practice scope, permissions, validation, the appointment
//! rules, users and their access), called directly with a principal, without HTTP. Each test
//! runs on a fresh, migrated company database, once on SQLite and once on PostgreSQL
//! (`SMARTDMV_TEST_PG_URL`), as `<name>::sqlite` and `<name>::postgres`.

#![allow(clippy::unwrap_used)]

mod fixture;

mod appointments;
mod rules;
mod scope;
mod users;
mod work;
