//! The OWNER's form of a company's overrides of its plan's limits and features, shown on the
//! usage page: `settings.limits` (`{"maxUsers": 7, "maxPractices": null}`: a number sets a
//! limit, `null` makes it unlimited) and `settings.features` (`{"data_import": true}`),
//! written through the companies API, which replaces these two keys and keeps every other
//! setting. What is left on "the plan's" is absent from the overrides.

use crate::web::invalid;
use crate::web::posted::Posted;
use axum::response::Response;
use serde_json::{Map, Value};
use smartdmv_domain::plan::Feature;

use super::super::admin::Pairs;
use super::super::csrf::Flash;
use super::super::error::WebResult;
use super::super::session::Owner;
use super::super::{FormErrors, edit_result, redirect_flash, rerender};
use super::format;
use super::update_company;
use super::usage::page;
use smartdmv_platform::company::CompanyChanges;
use smartdmv_platform::service::views::PlanOut;

/// The limits a company's settings may override: the API's key, the label, whether it is a
/// storage size (typed in GB) and the plan's value.
struct LimitKey {
    key: &'static str,
    label: &'static str,
    storage: bool,
}

const LIMITS: [LimitKey; 4] = [
    LimitKey {
        key: "maxPractices",
        label: "Practices",
        storage: false,
    },
    LimitKey {
        key: "maxUsers",
        label: "Active staff users",
        storage: false,
    },
    LimitKey {
        key: "storageBytes",
        label: "Storage in GB",
        storage: true,
    },
    LimitKey {
        key: "apiCallsPerMonth",
        label: "API calls a month",
        storage: false,
    },
];

fn plan_limit(p: &PlanOut, key: &str) -> Option<i64> {
    let l = &p.limits;
    match key {
        "maxPractices" => l.max_practices,
        "maxUsers" => l.max_users,
        "storageBytes" => l.storage_bytes,
        _ => l.api_calls_per_month,
    }
}

/// One limit of the overrides form: `mode` is `plan` (no override), `unlimited` or `set`.
pub struct LimitOverride {
    pub key: &'static str,
    pub label: &'static str,
    pub plan_value: String,
    pub mode: String,
    pub value: String,
    pub error: String,
}

/// One feature of the overrides form: `mode` is `plan`, `on` or `off`.
pub struct FeatureOverride {
    pub key: &'static str,
    pub label: String,
    pub plan_value: String,
    pub mode: String,
}

pub(super) fn limit_overrides(
    settings: &Value,
    plan: Option<&PlanOut>,
    form: Option<&Pairs>,
    errors: &FormErrors,
) -> Vec<LimitOverride> {
    LIMITS
        .iter()
        .map(|l| {
            let stored = &settings["limits"][l.key];
            let (mode, value) = match form {
                Some(f) => (
                    f.get(&format!("mode-{}", l.key)).to_owned(),
                    f.get(&format!("value-{}", l.key)).to_owned(),
                ),
                None => match settings["limits"].get(l.key) {
                    None => ("plan".to_owned(), String::new()),
                    Some(Value::Null) => ("unlimited".to_owned(), String::new()),
                    Some(_) => {
                        let n = stored.as_i64();
                        let v = if l.storage {
                            format::gb_field(n)
                        } else {
                            format::count_field(n)
                        };
                        ("set".to_owned(), v)
                    }
                },
            };
            let plan_value = match plan {
                None => "no plan: unlimited".to_owned(),
                Some(p) => match plan_limit(p, l.key) {
                    None => "unlimited".to_owned(),
                    Some(n) if l.storage => format::bytes(n),
                    Some(n) => n.to_string(),
                },
            };
            LimitOverride {
                key: l.key,
                label: l.label,
                plan_value,
                mode,
                value,
                error: errors.of(&format!("value-{}", l.key)).to_owned(),
            }
        })
        .collect()
}

pub(super) fn feature_overrides(
    settings: &Value,
    plan: Option<&PlanOut>,
    form: Option<&Pairs>,
) -> Vec<FeatureOverride> {
    Feature::ALL
        .iter()
        .map(|f| {
            let key = f.as_str();
            let mode = match form {
                Some(p) => p.get(&format!("feature-{key}")).to_owned(),
                None => match settings["features"][key].as_bool() {
                    Some(true) => "on".into(),
                    Some(false) => "off".into(),
                    None => "plan".into(),
                },
            };
            let plan_value = match plan {
                None => "no plan: every feature".to_owned(),
                Some(p) => {
                    let included = p
                        .features
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(key)));
                    if included { "included" } else { "not included" }.to_owned()
                }
            };
            FeatureOverride {
                key,
                label: format::words(key),
                plan_value,
                mode,
            }
        })
        .collect()
}

/// The overrides of the submitted form as the settings `{"limits": {..}, "features": {..}}`,
/// or the fields that do not parse.
fn parse_overrides(f: &Pairs) -> Result<Map<String, Value>, FormErrors> {
    let mut errors = FormErrors::default();
    let mut limits = Map::new();
    for l in &LIMITS {
        let value_field = format!("value-{}", l.key);
        match f.get(&format!("mode-{}", l.key)) {
            "unlimited" => {
                limits.insert(l.key.into(), Value::Null);
            }
            "set" => {
                let raw = f.get(&value_field);
                let parsed = if l.storage {
                    format::parse_gb(raw)
                } else {
                    format::parse_count(raw)
                };
                match parsed {
                    Ok(Some(n)) => {
                        limits.insert(l.key.into(), n.into());
                    }
                    Ok(None) => {
                        errors
                            .fields
                            .insert(value_field, "give the limit to set".into());
                    }
                    Err(m) => {
                        errors.fields.insert(value_field, m);
                    }
                }
            }
            _ => {}
        }
    }
    let mut features = Map::new();
    for feat in Feature::ALL {
        match f.get(&format!("feature-{}", feat.as_str())) {
            "on" => {
                features.insert(feat.as_str().into(), Value::Bool(true));
            }
            "off" => {
                features.insert(feat.as_str().into(), Value::Bool(false));
            }
            _ => {}
        }
    }
    errors.checked()?;
    let mut settings = Map::new();
    settings.insert("limits".into(), Value::Object(limits));
    settings.insert("features".into(), Value::Object(features));
    Ok(settings)
}

/// `POST /owner/companies/{id}/overrides` (OWNER): the company's overrides of its plan's
/// limits and features; what is left on "the plan's" is removed from the overrides.
pub async fn save(Posted(s, ctx, Owner(op), id, form): Posted<Owner>) -> WebResult<Response> {
    let settings = match parse_overrides(&form) {
        Ok(x) => x,
        Err(errors) => return invalid(page(&s, &ctx, &op, &id, None, Some(&form), errors).await),
    };
    let changes = CompanyChanges {
        settings: Some(settings),
        ..CompanyChanges::default()
    };
    match edit_result(update_company(&s, &op, &id, changes).await)? {
        Ok(_) => Ok(redirect_flash(
            &s,
            &format!("/owner/companies/{id}/usage"),
            Flash::success("The overrides were saved; they apply at once."),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                page(&s, &ctx, &op, &id, None, Some(&form), errors).await
            })
            .await
        }
    }
}
