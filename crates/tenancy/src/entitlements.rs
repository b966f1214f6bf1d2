//! What a company may use: its plan's limits and features with the company's own overrides
//! (`settings.limits`, `settings.features`) on top. The resolver fills
//! `ResolvedCompany.limits` and `.features` from [`effective`].

use smartdmv_domain::plan::Feature;
use smartdmv_store::owner::plan;
use std::collections::BTreeSet;

use crate::resolve::Limits;

/// The keys of `settings.limits` and of a plan's `limits` object.
pub const LIMIT_KEYS: [&str; 4] = [
    "maxPractices",
    "maxUsers",
    "storageBytes",
    "apiCallsPerMonth",
];

fn plan_limits(p: &plan::Model) -> Limits {
    let u = |v: Option<i64>| v.map(|n| n.max(0) as u64);
    Limits {
        max_practices: u(p.max_practices),
        max_users: u(p.max_users),
        storage_bytes: u(p.storage_bytes),
        api_calls_per_month: u(p.api_calls_per_month),
    }
}

fn slot<'a>(l: &'a mut Limits, key: &str) -> Option<&'a mut Option<u64>> {
    match key {
        "maxPractices" => Some(&mut l.max_practices),
        "maxUsers" => Some(&mut l.max_users),
        "storageBytes" => Some(&mut l.storage_bytes),
        "apiCallsPerMonth" => Some(&mut l.api_calls_per_month),
        _ => None,
    }
}

/// The limits and features a company is held to.
///
/// - With a plan: the plan's limits, where each key present in `settings.limits` replaces
///   the plan's (a number sets it, `null` makes it unlimited; anything else is ignored), and
///   `Some(the plan's features)` with `settings.features` (`{"<feature>": true|false}`)
///   adding or removing features. Unknown names are ignored.
/// - Without a plan: the numeric `settings.limits` only, and `None` (every feature).
pub fn effective(
    plan: Option<&plan::Model>,
    settings: &serde_json::Value,
) -> (Limits, Option<BTreeSet<Feature>>) {
    let Some(p) = plan else {
        return (Limits::from_settings(settings), None);
    };
    let mut limits = plan_limits(p);
    if let Some(over) = settings["limits"].as_object() {
        for (k, v) in over {
            if let Some(s) = slot(&mut limits, k) {
                if v.is_null() {
                    *s = None;
                } else if let Some(n) = v.as_u64() {
                    *s = Some(n);
                }
            }
        }
    }
    let mut features = p.feature_set();
    if let Some(over) = settings["features"].as_object() {
        for (k, v) in over {
            match (Feature::parse(k), v.as_bool()) {
                (Some(f), Some(true)) => {
                    features.insert(f);
                }
                (Some(f), Some(false)) => {
                    features.remove(&f);
                }
                _ => {}
            }
        }
    }
    (limits, Some(features))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn basic() -> plan::Model {
        let now = smartdmv_store::Stamp(jiff::Timestamp::UNIX_EPOCH);
        plan::Model {
            id: smartdmv_domain::ids::PlanId(uuid::Uuid::nil()),
            name: "Basic".into(),
            interval: smartdmv_domain::plan::PlanInterval::Monthly,
            price_cents: 4900,
            currency: "USD".into(),
            features: json!(["client_portal", "teleportation"]),
            max_practices: Some(1),
            max_users: Some(5),
            storage_bytes: None,
            api_calls_per_month: Some(10_000),
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_plan_alone_gives_its_limits_and_known_features() {
        let (l, f) = effective(Some(&basic()), &json!({}));
        assert_eq!(
            l,
            Limits {
                max_practices: Some(1),
                max_users: Some(5),
                storage_bytes: None,
                api_calls_per_month: Some(10_000),
            }
        );
        assert_eq!(f, Some(BTreeSet::from([Feature::ClientPortal])));
    }

    #[test]
    fn overrides_replace_the_plans_values_key_by_key() {
        let settings = json!({
            "limits": {"maxUsers": 50, "apiCallsPerMonth": null, "storageBytes": 1000,
                       "maxPractices": "lots", "unknown": 3},
            "features": {"client_portal": false, "data_import": true, "teleportation": true,
                         "custom_roles": "yes"}
        });
        let (l, f) = effective(Some(&basic()), &settings);
        assert_eq!(
            l,
            Limits {
                // A value of the wrong type leaves the plan's limit.
                max_practices: Some(1),
                max_users: Some(50),
                storage_bytes: Some(1000),
                // null: unlimited although the plan has a limit.
                api_calls_per_month: None,
            }
        );
        assert_eq!(f, Some(BTreeSet::from([Feature::DataImport])));
    }

    #[test]
    fn without_a_plan_every_feature_is_allowed_and_only_numeric_limits_count() {
        let settings = json!({"limits": {"maxPractices": 2, "maxUsers": null},
                              "features": {"client_portal": false}});
        let (l, f) = effective(None, &settings);
        assert_eq!(
            l,
            Limits {
                max_practices: Some(2),
                ..Limits::default()
            }
        );
        assert_eq!(f, None);
    }
}
