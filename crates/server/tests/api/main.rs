//! The server's one integration-test binary. Every test starts the real application on a
//! free port with fresh databases and drives it over HTTP; each runs once on SQLite and once
//! on PostgreSQL (`SMARTDMV_TEST_PG_URL`).

#![allow(clippy::unwrap_used)]

mod fixtures;
mod helpers;

/// Every test runs on both backends (`smartdmv-testkit`).
pub(crate) use smartdmv_testkit::both_backends;

mod auth;
mod billing;
mod browser;
mod cli;
mod companies;
mod demo;
mod features;
mod fleet;
mod import;
mod isolation;
mod limits;
mod matrix;
mod medical;
mod plans;
mod practices;
mod provisioning;
mod records;
mod registry;
mod resolution;
mod scheduling;
mod search;
mod signup;
mod usage;
mod web;
mod web_admin;
mod web_analytics;
mod web_auth;
mod web_billing;
mod web_client;
mod web_pages;
mod web_practice_admin;
mod web_signup;
mod web_staff;
mod webdriver;
