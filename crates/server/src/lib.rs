//! The SmartDMV server: configuration, the HTTP application (owner API, tenant API, health),
//! the CLI commands and the demo data. `main.rs` only parses the CLI and dispatches here.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod limits;
pub mod state;
pub mod telemetry;
pub mod upload;
pub mod web;

pub use app::Application;
pub use config::Config;
pub use state::AppState;
