//! The demo plans: Basic, Professional and Enterprise.

use smartdmv_platform::Platform;
use smartdmv_platform::company::Actor;
use smartdmv_platform::plans::{self as svc, NewPlan, PlanLimitsInput};
use smartdmv_store::owner::plan;

const GIB: i64 = 1024 * 1024 * 1024;

/// The demo plans: name, monthly price in cents, features, limits.
pub fn demo_plans() -> Vec<NewPlan> {
    let plan = |name: &str, cents, features: &[&str], limits| NewPlan {
        name: name.into(),
        interval: "monthly".into(),
        price_cents: cents,
        currency: "USD".into(),
        features: features.iter().map(|f| (*f).to_owned()).collect(),
        limits,
        active: true,
    };
    vec![
        plan(
            "Basic",
            4_900,
            &["client_portal"],
            PlanLimitsInput {
                max_practices: Some(1),
                max_users: Some(5),
                storage_bytes: Some(5 * GIB),
                api_calls_per_month: Some(100_000),
            },
        ),
        plan(
            "Professional",
            14_900,
            &["client_portal", "data_import"],
            PlanLimitsInput {
                max_practices: Some(3),
                max_users: Some(25),
                storage_bytes: Some(50 * GIB),
                api_calls_per_month: Some(1_000_000),
            },
        ),
        plan(
            "Enterprise",
            49_900,
            &["client_portal", "data_import", "custom_roles"],
            PlanLimitsInput::default(),
        ),
    ]
}

/// Creates the demo plans that do not exist yet (by name); answers every demo plan by name.
pub async fn seed(p: &Platform) -> anyhow::Result<Vec<plan::Model>> {
    let mut out = Vec::new();
    for np in demo_plans() {
        let existing = plan::find_by_name(p.owner.conn(), &np.name).await?;
        out.push(match existing {
            Some(pl) => pl,
            None => svc::create(p, np, &Actor::new("demo")).await?,
        });
    }
    Ok(out)
}
