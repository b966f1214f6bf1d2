//! `/owner/plans/new` and `/owner/plans/{id}` (OWNER): the plan form (name, interval, price
//! typed in units, currency, features, limits where blank is unlimited) to create or edit a
//! plan, and retiring, reactivating or deleting it; the API's refusals (a plan in use cannot
//! be deleted, nor its interval or currency changed) are shown on the page.

use crate::web::invalid;
use crate::web::posted::{Posted, Record, Submitted};
use askama::Template;
use axum::response::Response;
use smartdmv_domain::plan::{Feature, PlanInterval};

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::error::WebResult;
use super::super::session::Owner;
use super::super::{
    FormErrors, edit_result, form_result, html, redirect_flash, rerender, with_status,
};
use super::format;
use super::plans::PlanRow;
use crate::auth::PlatformPrincipal;
use crate::state::AppState;
use crate::web::display::page_id;
use smartdmv_platform::plans::{NewPlan, PlanChanges, PlanLimitsInput};
use smartdmv_platform::service::plans as svc;
use smartdmv_platform::service::views::PlanOut;

/// The plan form's fields as typed.
#[derive(Debug, Default)]
pub struct PlanForm {
    name: String,
    interval: String,
    price: String,
    currency: String,
    features: Vec<String>,
    max_practices: String,
    max_users: String,
    storage_gb: String,
    api_calls: String,
}

impl PlanForm {
    fn from_pairs(f: &Pairs) -> Self {
        Self {
            name: f.get("name").to_owned(),
            interval: f.get("interval").to_owned(),
            price: f.get("price").to_owned(),
            currency: f.get("currency").to_owned(),
            features: f.all("features"),
            max_practices: f.get("maxPractices").to_owned(),
            max_users: f.get("maxUsers").to_owned(),
            storage_gb: f.get("storageGb").to_owned(),
            api_calls: f.get("apiCallsPerMonth").to_owned(),
        }
    }

    fn from_plan(p: &PlanOut) -> Self {
        Self {
            name: p.name.clone(),
            interval: p.interval.to_string(),
            price: format::amount_field(p.price_cents),
            currency: p.currency.clone(),
            features: p
                .features
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect(),
            max_practices: format::count_field(p.limits.max_practices),
            max_users: format::count_field(p.limits.max_users),
            storage_gb: format::gb_field(p.limits.storage_bytes),
            api_calls: format::count_field(p.limits.api_calls_per_month),
        }
    }

    fn has(&self, feature: &str) -> bool {
        self.features.iter().any(|f| f == feature)
    }

    /// The price in cents and the limits, or the fields that do not parse.
    fn parse(&self) -> Result<(i64, PlanLimitsInput), FormErrors> {
        let mut errors = FormErrors::default();
        let mut field = |name: &str, r: Result<Option<i64>, String>| match r {
            Ok(v) => v,
            Err(m) => {
                errors.fields.insert(name.into(), m);
                None
            }
        };
        let price = field("price", format::parse_amount(&self.price).map(Some));
        let limits = PlanLimitsInput {
            max_practices: field("maxPractices", format::parse_count(&self.max_practices)),
            max_users: field("maxUsers", format::parse_count(&self.max_users)),
            storage_bytes: field("storageGb", format::parse_gb(&self.storage_gb)),
            api_calls_per_month: field("apiCallsPerMonth", format::parse_count(&self.api_calls)),
        };
        errors.checked()?;
        Ok((price.unwrap_or_default(), limits))
    }
}

/// The API's names of the plan's fields, as the form names them.
const FIELD_NAMES: &[(&str, &str)] = &[
    ("priceCents", "price"),
    ("limits.maxPractices", "maxPractices"),
    ("limits.maxUsers", "maxUsers"),
    ("limits.storageBytes", "storageGb"),
    ("limits.apiCallsPerMonth", "apiCallsPerMonth"),
];

/// The refusal of a plan form, with its field names moved to the form's (an unknown feature
/// `features.N` is shown beside the features).
fn plan_errors(errors: FormErrors) -> FormErrors {
    let mut errors = errors.renamed(FIELD_NAMES);
    let features: Vec<String> = errors
        .fields
        .keys()
        .filter(|k| k.starts_with("features."))
        .cloned()
        .collect();
    for k in features {
        if let Some(m) = errors.fields.remove(&k) {
            errors.fields.insert("features".into(), m);
        }
    }
    errors
}

pub struct FeatureBox {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "owner/plan.html")]
struct PlanPage {
    chrome: Chrome,
    /// `None` on the new-plan form.
    plan: Option<PlanRow>,
    action: String,
    form: PlanForm,
    intervals: Vec<&'static str>,
    features: Vec<FeatureBox>,
    errors: FormErrors,
}

fn plan_page(
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    plan: Option<&PlanOut>,
    form: PlanForm,
    errors: FormErrors,
) -> WebResult<Response> {
    let title = plan.map_or_else(|| "New plan".to_owned(), |p| format!("Plan {}", p.name));
    let features = Feature::ALL
        .iter()
        .map(|f| FeatureBox {
            value: f.as_str(),
            label: format::words(f.as_str()),
            checked: form.has(f.as_str()),
        })
        .collect();
    html(&PlanPage {
        chrome: Chrome::platform(ctx, title, op),
        action: plan.map_or_else(
            || "/owner/plans".into(),
            |p| format!("/owner/plans/{}", p.id),
        ),
        plan: plan.map(PlanRow::from),
        form,
        intervals: PlanInterval::ALL.iter().map(|i| i.as_str()).collect(),
        features,
        errors,
    })
}

/// `GET /owner/plans/new`
pub async fn new_form(ctx: PageCtx, Owner(op): Owner) -> WebResult<Response> {
    let form = PlanForm {
        interval: PlanInterval::Monthly.as_str().into(),
        currency: "USD".into(),
        ..PlanForm::default()
    };
    plan_page(&ctx, &op, None, form, FormErrors::default())
}

/// `POST /owner/plans`
pub async fn create(Submitted(s, ctx, Owner(op), pairs): Submitted<Owner>) -> WebResult<Response> {
    let form = PlanForm::from_pairs(&pairs);
    let (price_cents, limits) = match form.parse() {
        Ok(x) => x,
        Err(errors) => return invalid(plan_page(&ctx, &op, None, form, errors)),
    };
    let input = NewPlan {
        name: form.name.clone(),
        interval: form.interval.clone(),
        price_cents,
        currency: form.currency.trim().to_owned(),
        features: form.features.clone(),
        limits,
        active: true,
    };
    match form_result(svc::create(&s.owner(&op), input).await)? {
        Ok(p) => Ok(redirect_flash(
            &s,
            "/owner/plans",
            Flash::success(format!("The plan {} was created.", p.name)),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                plan_page(&ctx, &op, None, form, plan_errors(errors))
            })
            .await
        }
    }
}

async fn load(s: &AppState, op: &PlatformPrincipal, id: &str) -> WebResult<PlanOut> {
    Ok(svc::get(&s.owner(op), page_id(id)?).await?)
}

/// `GET /owner/plans/{id}`
pub async fn edit(Record(s, ctx, Owner(op), id): Record<Owner>) -> WebResult<Response> {
    let p = load(&s, &op, &id).await?;
    plan_page(
        &ctx,
        &op,
        Some(&p),
        PlanForm::from_plan(&p),
        FormErrors::default(),
    )
}

/// `POST /owner/plans/{id}`: every field of the form; a blank limit is unlimited.
pub async fn update(Posted(s, ctx, Owner(op), id, pairs): Posted<Owner>) -> WebResult<Response> {
    let current = load(&s, &op, &id).await?;
    let form = PlanForm::from_pairs(&pairs);
    let (price_cents, limits) = match form.parse() {
        Ok(x) => x,
        Err(errors) => return invalid(plan_page(&ctx, &op, Some(&current), form, errors)),
    };
    let changes = PlanChanges {
        name: Some(form.name.clone()),
        interval: Some(form.interval.clone()),
        price_cents: Some(price_cents),
        currency: Some(form.currency.trim().to_owned()),
        features: Some(form.features.clone()),
        max_practices: Some(limits.max_practices),
        max_users: Some(limits.max_users),
        storage_bytes: Some(limits.storage_bytes),
        api_calls_per_month: Some(limits.api_calls_per_month),
        active: None,
    };
    let plan_id = page_id(&id)?;
    match edit_result(svc::update(&s.owner(&op), plan_id, changes).await)? {
        Ok(p) => Ok(redirect_flash(
            &s,
            &format!("/owner/plans/{}", p.id),
            Flash::success(format!("The plan {} was saved.", p.name)),
        )),
        Err(e) => {
            rerender(e, async |errors| {
                plan_page(&ctx, &op, Some(&current), form, plan_errors(errors))
            })
            .await
        }
    }
}

/// `POST /owner/plans/{id}/active`: `active=false` retires the plan (no new subscriptions;
/// companies on it keep it), `active=true` reactivates it.
pub async fn set_active(
    Posted(s, ctx, Owner(op), id, pairs): Posted<Owner>,
) -> WebResult<Response> {
    let changes = PlanChanges {
        active: Some(pairs.get("active") == "true"),
        ..PlanChanges::default()
    };
    let plan_id = page_id(&id)?;
    match edit_result(svc::update(&s.owner(&op), plan_id, changes).await)? {
        Ok(p) => Ok(redirect_flash(
            &s,
            &format!("/owner/plans/{}", p.id),
            Flash::success(if p.active {
                format!("The plan {} is active again.", p.name)
            } else {
                format!("The plan {} is retired: no new subscriptions.", p.name)
            }),
        )),
        Err(e) => refused(&s, &ctx, &op, &id, e).await,
    }
}

/// `POST /owner/plans/{id}/delete`: a plan in use is refused (409), shown on its page.
pub async fn remove(Posted(s, ctx, Owner(op), id, _): Posted<Owner>) -> WebResult<Response> {
    let name = load(&s, &op, &id).await?.name;
    match edit_result(svc::remove(&s.owner(&op), page_id(&id)?).await)? {
        Ok(_) => Ok(redirect_flash(
            &s,
            "/owner/plans",
            Flash::success(format!("The plan {name} was deleted.")),
        )),
        Err(e) => refused(&s, &ctx, &op, &id, e).await,
    }
}

/// The plan's page with the API's refusal of an action above its form.
async fn refused(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    e: crate::error::ApiError,
) -> WebResult<Response> {
    let status = e.status;
    let p = load(s, op, id).await?;
    let errors = FormErrors::general(e.detail);
    let resp = plan_page(ctx, op, Some(&p), PlanForm::from_plan(&p), errors)?;
    Ok(with_status(resp, status))
}
