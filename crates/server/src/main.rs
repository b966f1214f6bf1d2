//! The `smartdmv` binary: parse the command line and dispatch.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    smartdmv_server::cli::run(smartdmv_server::cli::Cli::parse()).await
}
