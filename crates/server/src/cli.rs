//! The `smartdmv` command line: serve, demo, migrations, company administration and usage. Each
//! command is a thin wrapper over the same library functions the HTTP API uses.

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_platform::Platform;
use smartdmv_platform::company::{self as svc, Actor, CompanyChanges, NewAdmin, NewCompany};
use smartdmv_store::owner::company;
use smartdmv_tenancy::fleet::{FleetOptions, migrate_fleet};
use std::io::IsTerminal;
use std::path::PathBuf;

mod usage;

use crate::app::{Application, shutdown_signal};
use crate::config::{Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "smartdmv",
    version,
    about = "SmartDMV veterinary practice platform"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalFlags,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that mirror configuration variables.
#[derive(Debug, Args)]
pub struct GlobalFlags {
    /// Data folder (DATA_DIR).
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Owner database URL (OWNER_DATABASE_URL).
    #[arg(long, global = true)]
    pub owner_database_url: Option<String>,
    /// Base domain (BASE_DOMAIN).
    #[arg(long, global = true)]
    pub base_domain: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates the owner database first).
    Serve {
        /// Address to listen on (SMARTDMV_LISTEN).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Run the server with demo companies on SQLite, printing URLs and credentials.
    Demo {
        #[arg(long)]
        listen: Option<String>,
    },
    /// Run migrations.
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Administer companies.
    #[command(subcommand)]
    Company(CompanyCommand),
    /// Administer platform users.
    #[command(subcommand)]
    Owner(OwnerCommand),
    /// Companies' monthly usage.
    #[command(subcommand)]
    Usage(usage::UsageCommand),
}

#[derive(Debug, Subcommand)]
pub enum OwnerCommand {
    /// Create a platform user (OWNER, or COMPANY_ADMIN of one company).
    CreateUser {
        #[arg(long)]
        email: String,
        /// The password; `-` or absent reads it from standard input.
        #[arg(long)]
        password: Option<String>,
        #[arg(long, value_parser = ["OWNER", "COMPANY_ADMIN"])]
        role: String,
        /// The company of a COMPANY_ADMIN (id or subdomain).
        #[arg(long)]
        company: Option<String>,
        #[arg(long, default_value = "Platform user")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply the owner migration set.
    Owner,
    /// Bring every tenant database to the latest schema, recording each in the ledger.
    Tenants {
        /// Only this company (id or subdomain).
        #[arg(long)]
        company: Option<String>,
        /// Tenants migrated at once.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Open every tenant even when the ledger says it is current.
        #[arg(long)]
        verify_all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// List companies.
    List {
        #[arg(long)]
        status: Option<String>,
    },
    /// Create and provision a company.
    Create(CreateArgs),
    /// Register an existing database (DATABASE_URL by default) as a company.
    Adopt {
        #[arg(long)]
        name: String,
        #[arg(long)]
        subdomain: String,
        #[arg(long)]
        contact_email: String,
        /// The database to adopt; defaults to DATABASE_URL.
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Show one company (id or subdomain) as JSON.
    Show { company: String },
    /// Stop serving a company (403 on its host).
    Suspend { company: String },
    /// Serve a suspended company again.
    Reactivate { company: String },
    /// Archive a company (kept, not served).
    Archive { company: String },
    /// Run a failed provisioning again.
    Retry { company: String },
    /// Add a custom domain to a company.
    AddDomain {
        company: String,
        domain: String,
        /// Mark it verified at once.
        #[arg(long)]
        verified: bool,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub subdomain: String,
    #[arg(long)]
    pub contact_email: String,
    #[arg(long)]
    pub contact_phone: Option<String>,
    #[arg(long)]
    pub database_url: Option<String>,
    /// The id of an active plan: the company starts a trial of it.
    #[arg(long)]
    pub plan: Option<String>,
    #[arg(long, requires_all = ["admin_name", "admin_password"])]
    pub admin_email: Option<String>,
    #[arg(long)]
    pub admin_name: Option<String>,
    /// The first administrator's password (prefer SMARTDMV_ADMIN_PASSWORD).
    #[arg(long, env = "SMARTDMV_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
}

impl Cli {
    fn overrides(&self, listen: Option<String>) -> Overrides {
        Overrides {
            listen,
            data_dir: self.global.data_dir.clone(),
            owner_database_url: self.global.owner_database_url.clone(),
            base_domain: self.global.base_domain.clone(),
        }
    }
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let listen = match &cli.command {
        Command::Serve { listen } | Command::Demo { listen } => listen.clone(),
        _ => None,
    };
    let config = Config::load(&cli.overrides(listen)).context("reading configuration")?;
    crate::telemetry::init(&config.log_format);
    match cli.command {
        Command::Serve { .. } => {
            let app = Application::build(config).await?;
            tracing::info!(addr = %app.local_addr(), "listening");
            app.run_until(shutdown_signal()).await
        }
        Command::Demo { .. } => crate::demo::run(config).await,
        Command::Migrate(m) => migrate(config, m).await,
        Command::Company(c) => company_command(config, c).await,
        Command::Owner(o) => owner_command(config, o).await,
        Command::Usage(u) => usage::run(config, u).await,
    }
}

async fn open(config: &Config) -> anyhow::Result<Platform> {
    let p = Platform::open(&config.platform_config()?)
        .await
        .context("opening the owner database")?;
    p.owner
        .migrate()
        .await
        .context("migrating the owner database")?;
    Ok(p)
}

async fn migrate(config: Config, m: MigrateCommand) -> anyhow::Result<()> {
    match m {
        MigrateCommand::Owner => {
            let p = Platform::open(&config.platform_config()?).await?;
            let pending = p.owner.pending_migrations().await?;
            p.owner.migrate().await?;
            println!("owner database migrated ({} applied)", pending.len());
            p.shutdown().await;
            Ok(())
        }
        MigrateCommand::Tenants {
            company,
            concurrency,
            verify_all,
        } => {
            let p = open(&config).await?;
            let only = match company {
                Some(sel) => Some(find_company(&p, &sel).await?.id),
                None => None,
            };
            let tty = std::io::stderr().is_terminal();
            let opts = FleetOptions {
                concurrency,
                only,
                verify_all,
            };
            let report = migrate_fleet(&p, &opts, move |done, total, o| {
                if tty || o.error.is_some() {
                    eprintln!(
                        "[{done}/{total}] {} v{} -> v{}{}",
                        o.subdomain,
                        o.from_version,
                        o.to_version,
                        o.error
                            .as_deref()
                            .map(|e| format!(" FAILED: {e}"))
                            .unwrap_or_default()
                    );
                }
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            println!(
                "target version {}: {} migrated, {} already current, {} failed",
                report.target_version,
                report.migrated.len(),
                report.up_to_date,
                report.failed.len()
            );
            p.shutdown().await;
            if report.failed.is_empty() {
                Ok(())
            } else {
                bail!("{} tenant(s) failed to migrate", report.failed.len())
            }
        }
    }
}

async fn find_company(p: &Platform, sel: &str) -> anyhow::Result<company::Model> {
    let db = p.owner.conn();
    let found = match sel.parse::<CompanyId>() {
        Ok(id) => company::find(db, id).await?,
        Err(_) => company::find_by_subdomain(db, sel).await?,
    };
    found.with_context(|| format!("no company {sel:?}"))
}

fn print_company(c: &company::Model) {
    println!(
        "{}  {:<24} {:<12} {:<8} v{}  {}",
        c.id, c.subdomain, c.status, c.db_backend, c.schema_version, c.name
    );
}

async fn company_command(config: Config, cmd: CompanyCommand) -> anyhow::Result<()> {
    let p = open(&config).await?;
    let actor = Actor::new("cli");
    let result = async {
        match cmd {
            CompanyCommand::List { status } => {
                let filter = company::ListFilter {
                    status: status
                        .as_deref()
                        .map(|s| {
                            CompanyStatus::parse(s).with_context(|| format!("unknown status {s}"))
                        })
                        .transpose()?,
                    include_archived: true,
                    ..Default::default()
                };
                for c in company::list(p.owner.conn(), &filter, None, 10_000).await? {
                    print_company(&c);
                }
            }
            CompanyCommand::Create(a) => {
                let admin = match (a.admin_email, a.admin_name, a.admin_password) {
                    (Some(email), Some(name), Some(password)) => Some(NewAdmin {
                        email,
                        name,
                        password,
                    }),
                    _ => None,
                };
                let c = svc::create(
                    &p,
                    NewCompany {
                        name: a.name,
                        subdomain: a.subdomain,
                        contact_email: a.contact_email,
                        contact_phone: a.contact_phone,
                        database_url: a.database_url,
                        plan: a.plan,
                        admin,
                    },
                    &actor,
                )
                .await?;
                print_company(&c);
            }
            CompanyCommand::Adopt {
                name,
                subdomain,
                contact_email,
                database_url,
            } => {
                let url = database_url
                    .or(config.database_url.clone())
                    .context("give --database-url or set DATABASE_URL")?;
                let c = svc::create(
                    &p,
                    NewCompany {
                        name,
                        subdomain,
                        contact_email,
                        contact_phone: None,
                        database_url: Some(url),
                        plan: None,
                        admin: None,
                    },
                    &actor,
                )
                .await?;
                print_company(&c);
                println!(
                    "set SMARTDMV_DEFAULT_COMPANY={} to serve it for requests that name no company",
                    c.subdomain
                );
            }
            CompanyCommand::Show { company } => {
                let c = find_company(&p, &company).await?;
                let mut v = serde_json::json!({
                    "id": c.id, "name": c.name, "subdomain": c.subdomain, "status": c.status,
                    "backend": c.db_backend, "server": c.db_server, "database": c.db_name,
                    "schemaVersion": c.schema_version, "provisioningError": c.provision_error,
                });
                let domains = smartdmv_store::owner::domain::list_for(p.owner.conn(), c.id).await?;
                v["domains"] = domains
                    .iter()
                    .map(|d| serde_json::json!({"domain": d.domain, "verified": d.verified}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
            CompanyCommand::Suspend { company } => {
                set_status(&p, &company, CompanyStatus::Suspended, &actor).await?;
            }
            CompanyCommand::Reactivate { company } => {
                set_status(&p, &company, CompanyStatus::Active, &actor).await?;
            }
            CompanyCommand::Archive { company } => {
                let c = find_company(&p, &company).await?;
                print_company(&svc::archive(&p, c.id, &actor).await?);
            }
            CompanyCommand::Retry { company } => {
                let c = find_company(&p, &company).await?;
                print_company(&svc::retry_provisioning(&p, c.id, &actor).await?);
            }
            CompanyCommand::AddDomain {
                company,
                domain,
                verified,
            } => {
                let c = find_company(&p, &company).await?;
                let mut d = svc::add_domain(&p, c.id, &domain, &actor).await?;
                if verified {
                    d = svc::verify_domain(&p, c.id, d.id, &actor).await?;
                }
                println!(
                    "{} -> {} ({}; verification token {})",
                    d.domain,
                    c.subdomain,
                    if d.verified { "verified" } else { "unverified" },
                    d.verification_token
                );
            }
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    p.shutdown().await;
    result
}

async fn set_status(
    p: &Platform,
    sel: &str,
    status: CompanyStatus,
    actor: &Actor,
) -> anyhow::Result<()> {
    let c = find_company(p, sel).await?;
    let c = svc::update(
        p,
        c.id,
        CompanyChanges {
            status: Some(status),
            ..Default::default()
        },
        actor,
    )
    .await?;
    print_company(&c);
    Ok(())
}

async fn owner_command(config: Config, cmd: OwnerCommand) -> anyhow::Result<()> {
    let p = open(&config).await?;
    let result = async {
        match cmd {
            OwnerCommand::CreateUser {
                email,
                password,
                role,
                company,
                name,
            } => {
                let password = match password.as_deref() {
                    None | Some("-") => {
                        let mut line = String::new();
                        std::io::stdin()
                            .read_line(&mut line)
                            .context("reading the password from standard input")?;
                        line.trim_end_matches(['\r', '\n']).to_owned()
                    }
                    Some(pw) => pw.to_owned(),
                };
                let company_id = match company {
                    Some(sel) => Some(find_company(&p, &sel).await?.id),
                    None => None,
                };
                let u = crate::api::owner_auth::create_platform_user(
                    p.owner.conn(),
                    &email,
                    &name,
                    password,
                    &role,
                    company_id,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("{}  {}  {}", u.id, u.email, u.role);
            }
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    p.shutdown().await;
    result
}
