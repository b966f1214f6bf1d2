//! `smartdmv demo`: the platform on SQLite with two demo companies, ready to click through.

use smartdmv_store::owner::company;
use smartdmv_tenancy::company::{self as svc, Actor, NewAdmin, NewCompany};

use crate::app::{Application, shutdown_signal};
use crate::config::{Config, random_token};

/// The demo companies: subdomain, name, phone.
pub const DEMO_COMPANIES: [(&str, &str, &str); 2] = [
    ("demo-vet", "Demo Veterinary Clinic", "+1 555 010 0100"),
    (
        "happy-paws",
        "Happy Paws Animal Hospital",
        "+1 555 010 0200",
    ),
];

/// The demo administrators' password (demo data only).
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// Creates the demo companies that do not exist yet; returns how many were created.
pub async fn seed(app: &Application) -> anyhow::Result<usize> {
    let p = &app.state().platform;
    let mut created = 0;
    for (sub, name, phone) in DEMO_COMPANIES {
        if company::find_by_subdomain(p.owner.conn(), sub)
            .await?
            .is_some()
        {
            continue;
        }
        svc::create(
            p,
            NewCompany {
                name: name.into(),
                subdomain: sub.into(),
                contact_email: format!("office@{sub}.example"),
                contact_phone: Some(phone.into()),
                database_url: None,
                plan: None,
                admin: Some(NewAdmin {
                    email: format!("admin@{sub}.example"),
                    name: format!("{name} Administrator"),
                    password: DEMO_PASSWORD.into(),
                }),
            },
            &Actor::new("demo"),
        )
        .await?;
        created += 1;
    }
    Ok(created)
}

/// Runs the demo until Ctrl-C.
pub async fn run(mut config: Config) -> anyhow::Result<()> {
    let token = match config.operator_token.clone().filter(|t| !t.is_empty()) {
        Some(t) => t,
        None => {
            let t = random_token(24);
            config.operator_token = Some(t.clone());
            t
        }
    };
    let base = config.base_domain.clone();
    let platform_host = config.platform_host();
    let app = Application::build(config).await?;
    let created = seed(&app).await?;
    let port = app.local_addr().port();
    println!();
    println!("SmartDMV demo is running ({created} demo companies created this time).");
    println!();
    println!("  Platform (owner API):  http://{platform_host}:{port}/api/owner/companies");
    println!("  Operator token:        {token}");
    println!(
        "    curl -H 'Authorization: Bearer {token}' http://{platform_host}:{port}/api/owner/companies"
    );
    println!();
    for (sub, name, _) in DEMO_COMPANIES {
        println!("  {name}");
        println!("    http://{sub}.{base}:{port}/api/public/practices");
        println!("    administrator: admin@{sub}.example / {DEMO_PASSWORD}");
    }
    println!();
    println!("  Health: http://{platform_host}:{port}/healthz   Stop with Ctrl-C.");
    println!();
    app.run_until(shutdown_signal()).await
}
