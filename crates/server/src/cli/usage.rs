//! `smartdmv usage ...`: recounting companies' usage gauges from their databases.

use anyhow::bail;
use clap::Subcommand;
use smartdmv_platform::usage::recompute_all;

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Recount this month's usage gauges (users, practices, clients, patients,
    /// appointments, storage) from every company's database, or one company's.
    Recompute {
        /// Only this company (id or subdomain).
        #[arg(long)]
        company: Option<String>,
    },
}

pub(super) async fn run(config: Config, cmd: UsageCommand) -> anyhow::Result<()> {
    let p = super::open(&config).await?;
    let result = async {
        match cmd {
            UsageCommand::Recompute { company } => {
                let only = match company {
                    Some(sel) => Some(super::find_company(&p, &sel).await?.id),
                    None => None,
                };
                let mut failed = 0;
                for (c, r) in recompute_all(&p, only).await? {
                    match r {
                        Ok(u) => println!(
                            "{:<24} {}  users={} practices={} clients={} patients={} \
                             appointments={} storageBytes={} apiCalls={}",
                            c.subdomain,
                            u.month,
                            u.active_users,
                            u.practices,
                            u.clients,
                            u.patients,
                            u.appointments,
                            u.storage_bytes,
                            u.api_calls
                        ),
                        Err(e) => {
                            failed += 1;
                            eprintln!("{:<24} FAILED: {e}", c.subdomain);
                        }
                    }
                }
                if failed > 0 {
                    bail!("{failed} compan(ies) could not be counted");
                }
            }
        }
        Ok::<_, anyhow::Error>(())
    };
    let result = result.await;
    p.shutdown().await;
    result
}
