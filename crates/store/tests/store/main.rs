//! The store's one integration-test binary: repository functions and the search query
//! builder against a fresh, migrated company database. Each test runs once on SQLite and
//! once on PostgreSQL (`SMARTDMV_TEST_PG_URL`), as `<name>::sqlite` and `<name>::postgres`.

#![allow(clippy::unwrap_used)]

mod helpers;

mod appointments;
mod rooms;
mod search;
