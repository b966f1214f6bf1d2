//! `smartdmv demo`: the platform on SQLite with two demo companies, ready to click through,
//! each with a practice full of generated (deterministic) clients, patients and appointments.

pub mod medical;
pub mod plans;
pub mod practice;

use smartdmv_domain::TenantRole;
use smartdmv_platform::company::{self as svc, Actor, NewAdmin, NewCompany};
use smartdmv_practice::practices::{self, PracticeChanges};
use smartdmv_practice::{PageRequest, Tenant, TenantPrincipal};
use smartdmv_store::owner::{company, platform_user};
use smartdmv_store::tenant::user;
use smartdmv_tenancy::clock::ManualClock;

use crate::app::{Application, shutdown_signal};
use crate::config::Config;
use crate::state::AppState;

/// The demo platform owner.
pub const DEMO_OWNER: &str = "owner@platform.example";

/// Staff and a client of every demo company: (local part, name, role).
pub const DEMO_PEOPLE: [(&str, &str, TenantRole); 3] = [
    ("vet", "Dr. Vera Vet", TenantRole::Veterinarian),
    ("reception", "Rita Reception", TenantRole::Receptionist),
    ("client", "Carl Client", TenantRole::Client),
];

/// The demo companies: subdomain, name, phone, plan name.
pub const DEMO_COMPANIES: [(&str, &str, &str, &str); 2] = [
    (
        "demo-vet",
        "Demo Veterinary Clinic",
        "+1 555 010 0100",
        "Enterprise",
    ),
    (
        "happy-paws",
        "Happy Paws Animal Hospital",
        "+1 555 010 0200",
        "Professional",
    ),
];

/// The demo administrators' password (demo data only).
pub const DEMO_PASSWORD: &str = "demo-password-2026";

/// Creates the demo owner and the demo companies that do not exist yet; returns how many
/// companies were created.
pub async fn seed(state: &AppState) -> anyhow::Result<usize> {
    let p = &state.platform;
    if platform_user::find_by_email(p.owner.conn(), DEMO_OWNER)
        .await?
        .is_none()
    {
        crate::api::owner_auth::create_platform_user(
            p.owner.conn(),
            DEMO_OWNER,
            "Platform Owner",
            DEMO_PASSWORD.into(),
            "OWNER",
            None,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let plans = plans::seed(p).await?;
    let mut created = 0;
    // Each company's records are written while the next company is made: they are in
    // databases of their own.
    let mut seeding = tokio::task::JoinSet::new();
    for (sub, name, phone, plan_name) in DEMO_COMPANIES {
        let plan = plans
            .iter()
            .find(|pl| pl.name == plan_name)
            .map(|pl| pl.id.to_string());
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
                plan,
                admin: Some(NewAdmin {
                    email: format!("admin@{sub}.example"),
                    name: format!("{name} Administrator"),
                    password: DEMO_PASSWORD.into(),
                }),
            },
            &Actor::new("demo"),
        )
        .await?;
        let state = state.clone();
        seeding.spawn(async move { seed_people(&state, sub).await });
        created += 1;
    }
    while let Some(seeded) = seeding.join_next().await {
        seeded??;
    }
    Ok(created)
}

/// The company's practice, made to accept online sign-up, then its staff, its portal client
/// and its records ([`practice::seed`]), all through the tenant services as the company's
/// first administrator.
async fn seed_people(state: &AppState, sub: &str) -> anyhow::Result<()> {
    let resolved = state.platform.resolver.by_subdomain(sub).await?;
    let tenant = Tenant::acquire(&state.platform.registry, resolved).await?;
    let admin = user::find_by_email(tenant.db(), &format!("admin@{sub}.example"))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo company has no administrator"))?;
    let cx = TenantPrincipal::signed_in_as(tenant, &admin, 60).await?;
    let home = practices::list(&cx, &PageRequest::default())
        .await?
        .items
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("the demo company has no practice"))?;
    let changes = PracticeChanges {
        allow_client_signup: Some(true),
        address: Some("1 Harbour Street, Springfield".into()),
        time_zone: Some("America/New_York".into()),
        ..Default::default()
    };
    let home = practices::update(&cx, home.id, changes).await?;
    practice::seed(&cx, &home, sub).await?;
    // The medical record, written by the demo veterinarian on a clock set back in time.
    let resolved = state.platform.resolver.by_subdomain(sub).await?;
    let tenant = Tenant::acquire(&state.platform.registry, resolved).await?;
    let vet = user::find_by_email(tenant.db(), &format!("vet@{sub}.example"))
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo company has no veterinarian"))?;
    let clock = std::sync::Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let vet = TenantPrincipal::signed_in_as(tenant, &vet, 60)
        .await?
        .with_clock(clock.clone());
    medical::seed(&vet, &clock).await
}

/// Runs the demo until Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let base = config.base_domain.clone();
    let platform_host = config.platform_host();
    let app = Application::build(config).await?;
    let created = seed(app.state()).await?;
    let port = app.local_addr().port();
    println!();
    println!("SmartDMV demo is running ({created} demo companies created this time).");
    println!();
    println!("  Owner dashboard:       http://{platform_host}:{port}/owner");
    println!("  Platform (owner API):  http://{platform_host}:{port}/api/owner/companies");
    println!("  Platform owner:        {DEMO_OWNER} / {DEMO_PASSWORD}");
    println!(
        "    curl -X POST -H 'content-type: application/json' -d '{{\"email\":\"{DEMO_OWNER}\",\"password\":\"{DEMO_PASSWORD}\"}}' http://{platform_host}:{port}/api/owner/auth/login"
    );
    println!();
    for (sub, name, _, _) in DEMO_COMPANIES {
        println!("  {name}");
        println!("    sign in: http://{sub}.{base}:{port}/login");
        println!("    http://{sub}.{base}:{port}/api/public/practices");
        println!("    administrator  admin@{sub}.example / {DEMO_PASSWORD}");
        for (local, _, role) in DEMO_PEOPLE.iter().chain(&practice::DEMO_STAFF) {
            println!(
                "    {:<14} {local}@{sub}.example / {DEMO_PASSWORD}",
                role.as_str().to_lowercase()
            );
        }
    }
    println!();
    println!("  Health: http://{platform_host}:{port}/healthz   Stop with Ctrl-C.");
    println!();
    app.run_until(shutdown_signal()).await
}
