//! `/owner/companies/{id}/usage`: a company's usage of a month against the limits it is held
//! to (OWNER and the company's own COMPANY_ADMIN), with earlier months; an OWNER also
//! recounts the month from the company's database and sees the form of the company's
//! overrides of its plan's limits and features (`overrides.rs`).

use crate::web::posted::Posted;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use smartdmv_domain::usage::Month;

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::Flash;
use super::super::error::WebResult;
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, html, redirect_flash};
use super::company_id;
use super::format;
use super::overrides::{FeatureOverride, LimitOverride, feature_overrides, limit_overrides};
use crate::auth::PlatformPrincipal;
use crate::error::ApiError;
use crate::state::AppState;
use smartdmv_platform::service::views::{CompanyOut, PlanOut, UsageOut};
use smartdmv_platform::service::{plans, usage as usage_service};

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
    let id = c.plan.as_deref()?.parse().ok()?;
    plans::get(&s.owner(op), id).await.ok()
}

pub(super) async fn page(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    month: Option<String>,
    submitted: Option<&Pairs>,
    errors: FormErrors,
) -> WebResult<Response> {
    let u = usage_service::get(&s.owner(op), company_id(id)?, month.as_deref()).await?;
    let c = super::company(s, op, id).await?;
    let plan = plan_of(s, op, &c).await;
    let this_month = smartdmv_platform::usage::current_month();
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
pub async fn recount(Posted(s, _, Owner(op), id, _): Posted<Owner>) -> WebResult<Response> {
    let back = format!("/owner/companies/{id}/usage");
    let recounted = usage_service::recompute(&s.owner(&op), company_id(&id)?)
        .await
        .map_err(ApiError::from);
    let flash = match recounted {
        Ok(u) => Flash::success(format!(
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
