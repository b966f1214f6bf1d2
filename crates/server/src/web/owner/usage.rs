//! `/owner/companies/{id}/usage`: a company's usage of a month against the limits it is held
//! to (OWNER and the company's own COMPANY_ADMIN), with earlier months; an OWNER also
//! recounts the month from the company's database and sets the company's overrides of its
//! plan's limits and features (`settings.limits`, `settings.features`, written through the
//! companies API, which replaces those two keys and keeps every other setting).

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value};
use smartdmv_domain::plan::Feature;
use smartdmv_domain::usage::Month;

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::{Flash, Form};
use super::super::error::WebResult;
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, edit_result, html, redirect_flash, with_status};
use super::format;
use crate::api::companies::{self, CompanyOut, UpdateBody};
use crate::api::plans::{self, PlanOut};
use crate::api::usage::{self as api, UsageOut, UsageParams};
use crate::app::AppState;
use crate::auth::PlatformPrincipal;
use crate::extract::{ApiJson, ApiQuery};

pub struct Figure {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    /// Whether the figure has reached its limit.
    pub at_limit: bool,
}

fn reached(used: i64, max: Option<u64>) -> bool {
    max.is_some_and(|m| u64::try_from(used).is_ok_and(|u| u >= m))
}

fn figures(u: &UsageOut) -> Vec<Figure> {
    let l = &u.limits;
    let plain = |id, label, n: i64| Figure {
        id,
        label,
        value: n.to_string(),
        at_limit: false,
    };
    vec![
        Figure {
            id: "usage-users",
            label: "Active staff users",
            value: format::used_of(u.active_users, l.max_users),
            at_limit: reached(u.active_users, l.max_users),
        },
        Figure {
            id: "usage-practices",
            label: "Practices",
            value: format::used_of(u.practices, l.max_practices),
            at_limit: reached(u.practices, l.max_practices),
        },
        Figure {
            id: "usage-storage",
            label: "Storage",
            value: format::bytes_of(u.storage_bytes, l.storage_bytes),
            at_limit: reached(u.storage_bytes, l.storage_bytes),
        },
        Figure {
            id: "usage-api-calls",
            label: "API calls this month",
            value: format::used_of(u.api_calls, l.api_calls_per_month),
            at_limit: reached(u.api_calls, l.api_calls_per_month),
        },
        plain("usage-clients", "Clients", u.clients),
        plain("usage-patients", "Patients", u.patients),
        plain("usage-appointments", "Appointments", u.appointments),
    ]
}

/// The month before `m`.
fn previous(m: Month) -> Option<Month> {
    if m.number() == 1 {
        Month::new(m.year() - 1, 12).ok()
    } else {
        Month::new(m.year(), m.number() - 1).ok()
    }
}

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

fn limit_overrides(
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

fn feature_overrides(
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

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

#[derive(Template)]
#[template(path = "owner/usage.html")]
struct UsagePage {
    chrome: Chrome,
    company_id: String,
    company_name: String,
    plan_name: Option<String>,
    has_plan: bool,
    is_owner: bool,
    month: String,
    current: bool,
    previous_month: Option<String>,
    next_month: Option<String>,
    counted_at: Option<String>,
    figures: Vec<Figure>,
    limits: Vec<LimitOverride>,
    features: Vec<FeatureOverride>,
    errors: FormErrors,
}

/// The company's plan, when it has one the user may read.
async fn plan_of(s: &AppState, op: &PlatformPrincipal, c: &CompanyOut) -> Option<PlanOut> {
    let id = c.plan.clone()?;
    plans::show(State(s.clone()), op.clone(), Path(id))
        .await
        .ok()
        .map(|Json(p)| p)
}

async fn page(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    month: Option<String>,
    submitted: Option<&Pairs>,
    errors: FormErrors,
) -> WebResult<Response> {
    let Json(u) = api::show(
        State(s.clone()),
        op.clone(),
        Path(id.to_owned()),
        ApiQuery(UsageParams { month }),
    )
    .await?;
    let Json(c) = companies::show(State(s.clone()), op.clone(), Path(id.to_owned())).await?;
    let plan = plan_of(s, op, &c).await;
    let this_month = smartdmv_tenancy::usage::current_month();
    let shown = Month::parse(&u.month).unwrap_or(this_month);
    html(&UsagePage {
        chrome: Chrome::platform(ctx, format!("Usage of {}", c.name), op),
        company_id: c.id.clone(),
        company_name: c.name.clone(),
        plan_name: plan.as_ref().map(|p| p.name.clone()),
        has_plan: c.plan.is_some(),
        is_owner: op.is_owner(),
        month: u.month.clone(),
        current: shown == this_month,
        previous_month: previous(shown).map(|m| m.to_string()),
        next_month: (shown < this_month).then(|| shown.next().to_string()),
        counted_at: u.counted_at.as_deref().map(format::moment),
        figures: figures(&u),
        limits: limit_overrides(&c.settings, plan.as_ref(), submitted, &errors),
        features: feature_overrides(&c.settings, plan.as_ref(), submitted),
        errors,
    })
}

/// `GET /owner/companies/{id}/usage?month=YYYY-MM`
pub async fn show(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> WebResult<Response> {
    let month = q.month.filter(|m| !m.trim().is_empty());
    page(&s, &ctx, &op, &id, month, None, FormErrors::default()).await
}

/// `POST /owner/companies/{id}/usage/recount` (OWNER): recounts this month's gauges from the
/// company's database.
pub async fn recount(
    State(s): State<AppState>,
    Owner(op): Owner,
    Path(id): Path<String>,
    Form(_): Form<Pairs>,
) -> WebResult<Response> {
    let back = format!("/owner/companies/{id}/usage");
    let flash = match api::recompute_now(State(s.clone()), op, Path(id)).await {
        Ok(Json(u)) => Flash::success(format!(
            "Recounted: {} active staff users, {} practices, {} clients, {} patients.",
            u.active_users, u.practices, u.clients, u.patients
        )),
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            Flash::error(e.detail)
        }
        Err(e) => return Err(e.into()),
    };
    Ok(redirect_flash(&s, &back, flash))
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
    if errors.fields.is_empty() {
        let mut settings = Map::new();
        settings.insert("limits".into(), Value::Object(limits));
        settings.insert("features".into(), Value::Object(features));
        Ok(settings)
    } else {
        errors.general = "Please correct the fields marked below.".into();
        Err(errors)
    }
}

/// `POST /owner/companies/{id}/overrides` (OWNER): the company's overrides of its plan's
/// limits and features; what is left on "the plan's" is removed from the overrides.
pub async fn overrides(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let settings = match parse_overrides(&form) {
        Ok(x) => x,
        Err(errors) => {
            let resp = page(&s, &ctx, &op, &id, None, Some(&form), errors).await?;
            return Ok(with_status(resp, StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let body = UpdateBody {
        name: None,
        subdomain: None,
        contact_email: None,
        contact_phone: None,
        status: None,
        plan: None,
        settings: Some(settings),
    };
    match edit_result(
        companies::update(
            State(s.clone()),
            op.clone(),
            Path(id.clone()),
            ApiJson(body),
        )
        .await,
    )? {
        Ok(_) => Ok(redirect_flash(
            &s,
            &format!("/owner/companies/{id}/usage"),
            Flash::success("The overrides were saved; they apply at once."),
        )),
        Err(e) => {
            let status = e.status;
            let errors = FormErrors::from_api(e);
            let resp = page(&s, &ctx, &op, &id, None, Some(&form), errors).await?;
            Ok(with_status(resp, status))
        }
    }
}
