//! `/owner/companies/{id}/subscription`: a company's subscription for an OWNER and the
//! company's own COMPANY_ADMIN: its state, changing the plan (saying whether the change is
//! immediate and prorated or waits for the period end), cancelling at the period end or
//! undoing that, the billing contact, and the company's contact details. An OWNER also
//! starts a subscription (with an optional trial) for a company that has none.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use smartdmv_domain::billing::{ChangeTiming, SubscriptionStatus, lifecycle::change_timing};
use smartdmv_domain::plan::{PlanInterval, PlanPrice};

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::{Flash, Form};
use super::super::error::WebResult;
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, edit_result, html, redirect_flash, with_status};
use super::format;
use super::plans::{all_plans, price};
use crate::api::billing::subscriptions::{self as api, BillingBody, SubscriptionOut, UpdateBody};
use crate::api::companies::{self, CompanyOut};
use crate::api::plans::PlanOut;
use crate::app::AppState;
use crate::auth::PlatformPrincipal;
use crate::error::ApiError;
use crate::extract::ApiJson;

/// The subscription as the page shows it.
pub struct SubView {
    pub status: String,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_price: String,
    pub period_start: String,
    pub period_end: String,
    pub trial_end: Option<String>,
    pub pending_plan: Option<String>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub past_due_since: Option<String>,
    pub live: bool,
}

impl From<&SubscriptionOut> for SubView {
    fn from(s: &SubscriptionOut) -> Self {
        Self {
            status: s.status.clone(),
            plan_id: s.plan.id.clone(),
            plan_name: s.plan.name.clone(),
            plan_price: price(&s.plan),
            period_start: format::day(&s.current_period_start),
            period_end: format::day(&s.current_period_end),
            trial_end: s.trial_end.as_deref().map(format::day),
            pending_plan: s
                .pending_plan
                .as_ref()
                .map(|p| format!("{} ({})", p.name, price(p))),
            cancel_at_period_end: s.cancel_at_period_end,
            canceled_at: s.canceled_at.as_deref().map(format::day),
            cancel_reason: s.cancel_reason.clone(),
            past_due_since: s.past_due_since.as_deref().map(format::day),
            live: SubscriptionStatus::parse(&s.status).is_some_and(SubscriptionStatus::is_live),
        }
    }
}

pub struct PlanOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

fn plan_price(p: &PlanOut) -> Option<PlanPrice> {
    Some(PlanPrice {
        cents: p.price_cents,
        interval: PlanInterval::parse(&p.interval)?,
    })
}

/// What choosing `target` does to the live subscription `s`, in words.
fn timing(s: &SubscriptionOut, target: &PlanOut) -> String {
    if target.id == s.plan.id {
        return if s.pending_plan.is_some() {
            "current plan: keeps it and drops the scheduled change".into()
        } else {
            "current plan".into()
        };
    }
    if s.pending_plan.as_ref().is_some_and(|p| p.id == target.id) {
        return "already scheduled for the period end".into();
    }
    let (Some(status), Some(from), Some(to)) = (
        SubscriptionStatus::parse(&s.status),
        plan_price(&s.plan),
        plan_price(target),
    ) else {
        return String::new();
    };
    let end = format::day(&s.current_period_end);
    match change_timing(status, &from, &to) {
        ChangeTiming::Swap => "during the trial: changes now, nothing is charged".into(),
        ChangeTiming::NowProrated => {
            "upgrade: takes effect now; the rest of this period is invoiced prorated".into()
        }
        ChangeTiming::AtPeriodEnd if from.interval != to.interval => {
            format!("interval change: takes effect at the period end, {end}")
        }
        ChangeTiming::AtPeriodEnd => format!("downgrade: takes effect at the period end, {end}"),
    }
}

/// The forms' fields, as stored or as typed.
#[derive(Debug, Default)]
pub struct Values {
    plan_id: String,
    billing_email: String,
    billing_name: String,
    billing_address: String,
    billing_tax_id: String,
    contact_email: String,
    contact_phone: String,
    start_plan_id: String,
    trial_days: String,
}

impl Values {
    fn current(c: &CompanyOut) -> Self {
        let s = c.subscription.as_ref();
        let b = s.map(|s| &s.billing);
        let text = |v: Option<&Option<String>>| v.cloned().flatten().unwrap_or_default();
        Self {
            plan_id: s.map(|s| s.plan.id.clone()).unwrap_or_default(),
            billing_email: text(b.map(|b| &b.email)),
            billing_name: text(b.map(|b| &b.name)),
            billing_address: text(b.map(|b| &b.address)),
            billing_tax_id: text(b.map(|b| &b.tax_id)),
            contact_email: c.contact_email.clone(),
            contact_phone: c.contact_phone.clone().unwrap_or_default(),
            start_plan_id: String::new(),
            trial_days: String::new(),
        }
    }

    /// The current values with the submitted form's fields over them.
    fn with(mut self, f: &Pairs) -> Self {
        let slots: [(&str, &mut String); 9] = [
            ("planId", &mut self.plan_id),
            ("billingEmail", &mut self.billing_email),
            ("billingName", &mut self.billing_name),
            ("billingAddress", &mut self.billing_address),
            ("billingTaxId", &mut self.billing_tax_id),
            ("contactEmail", &mut self.contact_email),
            ("contactPhone", &mut self.contact_phone),
            ("startPlanId", &mut self.start_plan_id),
            ("trialDays", &mut self.trial_days),
        ];
        for (name, slot) in slots {
            if f.has(name) {
                *slot = f.get(name).to_owned();
            }
        }
        self
    }
}

#[derive(Template)]
#[template(path = "owner/subscription.html")]
struct SubscriptionPage {
    chrome: Chrome,
    company_id: String,
    company_name: String,
    is_owner: bool,
    sub: Option<SubView>,
    /// Whether the company has a live subscription (one that is not canceled).
    live: bool,
    change_options: Vec<PlanOption>,
    start_options: Vec<PlanOption>,
    form: Values,
    errors: FormErrors,
}

async fn page(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    submitted: Option<&Pairs>,
    errors: FormErrors,
) -> WebResult<Response> {
    let Json(c) = companies::show(State(s.clone()), op.clone(), Path(id.to_owned())).await?;
    let plans = all_plans(s, op, true).await?;
    let mut form = Values::current(&c);
    if let Some(f) = submitted {
        form = form.with(f);
    }
    let sub = c.subscription.as_ref();
    let mut change_options: Vec<PlanOption> = Vec::new();
    if let Some(sub) = sub {
        // The current plan is offered even when retired (choosing it drops a scheduled change).
        if !plans.iter().any(|p| p.id == sub.plan.id) {
            change_options.push(PlanOption {
                id: sub.plan.id.clone(),
                label: format!(
                    "{} — {} (current plan, retired)",
                    sub.plan.name,
                    price(&sub.plan)
                ),
                selected: form.plan_id == sub.plan.id,
            });
        }
        change_options.extend(plans.iter().map(|p| PlanOption {
            id: p.id.clone(),
            label: format!("{} — {} ({})", p.name, price(p), timing(sub, p)),
            selected: form.plan_id == p.id,
        }));
    }
    let start_options = plans
        .iter()
        .map(|p| PlanOption {
            id: p.id.clone(),
            label: format!("{} — {}", p.name, price(p)),
            selected: form.start_plan_id == p.id,
        })
        .collect();
    html(&SubscriptionPage {
        chrome: Chrome::platform(ctx, format!("Subscription of {}", c.name), op),
        company_id: c.id.clone(),
        company_name: c.name.clone(),
        is_owner: op.is_owner(),
        live: sub.map(SubView::from).is_some_and(|v| v.live),
        sub: sub.map(SubView::from),
        change_options,
        start_options,
        form,
        errors,
    })
}

/// `GET /owner/companies/{id}/subscription`
pub async fn show(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    page(&s, &ctx, &op, &id, None, FormErrors::default()).await
}

fn back(id: &str) -> String {
    format!("/owner/companies/{id}/subscription")
}

/// The request a form answers: whose subscription, seen by whom.
struct Here<'a> {
    s: &'a AppState,
    ctx: &'a PageCtx,
    op: &'a PlatformPrincipal,
    id: &'a str,
}

impl Here<'_> {
    /// The page again with the API's refusal `e` of the submitted form, its field names
    /// moved to the form's; a refusal naming no field is shown beside `field` when given.
    async fn refused(
        &self,
        form: &Pairs,
        e: ApiError,
        names: &[(&str, &str)],
        field: Option<&str>,
    ) -> WebResult<Response> {
        let status = e.status;
        let mut errors = FormErrors::from_api(e).renamed(names);
        if let Some(f) = field
            && errors.fields.is_empty()
        {
            errors.fields.insert(f.into(), errors.general.clone());
            errors.general = "The change was not made; see below.".into();
        }
        let resp = page(self.s, self.ctx, self.op, self.id, Some(form), errors).await?;
        Ok(with_status(resp, status))
    }
}

async fn put(
    s: &AppState,
    op: &PlatformPrincipal,
    id: &str,
    body: UpdateBody,
) -> WebResult<Result<SubscriptionOut, ApiError>> {
    Ok(edit_result(
        api::update(
            State(s.clone()),
            op.clone(),
            Path(id.to_owned()),
            ApiJson(body),
        )
        .await,
    )?
    .map(|Json(v)| v))
}

fn body() -> UpdateBody {
    UpdateBody {
        plan_id: None,
        trial_days: None,
        cancel_at_period_end: None,
        billing: None,
    }
}

/// `POST /owner/companies/{id}/subscription/plan`: `planId`.
pub async fn change_plan(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let target = form.get("planId").to_owned();
    let req = UpdateBody {
        plan_id: Some(target.clone()),
        ..body()
    };
    match put(&s, &op, &id, req).await? {
        Ok(sub) => {
            let message = if sub.plan.id == target {
                format!("The plan is now {}.", sub.plan.name)
            } else if let Some(p) = sub.pending_plan.as_ref().filter(|p| p.id == target) {
                format!(
                    "{} takes over at the end of the period, {}.",
                    p.name,
                    format::day(&sub.current_period_end)
                )
            } else {
                "The subscription was saved.".into()
            };
            Ok(redirect_flash(&s, &back(&id), Flash::success(message)))
        }
        Err(e) => {
            Here {
                s: &s,
                ctx: &ctx,
                op: &op,
                id: &id,
            }
            .refused(&form, e, &[], Some("planId"))
            .await
        }
    }
}

/// `POST /owner/companies/{id}/subscription/cancel`: `cancelAtPeriodEnd=true|false`.
pub async fn cancel(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let flag = form.get("cancelAtPeriodEnd") == "true";
    let req = UpdateBody {
        cancel_at_period_end: Some(flag),
        ..body()
    };
    match put(&s, &op, &id, req).await? {
        Ok(sub) => {
            let message = if sub.cancel_at_period_end {
                format!(
                    "The subscription ends with the period, on {}.",
                    format::day(&sub.current_period_end)
                )
            } else {
                "The subscription continues: the cancellation was undone.".into()
            };
            Ok(redirect_flash(&s, &back(&id), Flash::success(message)))
        }
        Err(e) => {
            Here {
                s: &s,
                ctx: &ctx,
                op: &op,
                id: &id,
            }
            .refused(&form, e, &[], None)
            .await
        }
    }
}

/// `Some(None)` for a blank field (clears it), `Some(Some(text))` otherwise.
fn clearable(v: &str) -> Option<Option<String>> {
    Some(super::super::admin::opt(v))
}

/// `POST /owner/companies/{id}/subscription/billing`: the billing contact; a blank field
/// clears it.
pub async fn billing(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let req = UpdateBody {
        billing: Some(BillingBody {
            email: clearable(form.get("billingEmail")),
            name: clearable(form.get("billingName")),
            address: clearable(form.get("billingAddress")),
            tax_id: clearable(form.get("billingTaxId")),
        }),
        ..body()
    };
    match put(&s, &op, &id, req).await? {
        Ok(_) => Ok(redirect_flash(
            &s,
            &back(&id),
            Flash::success("The billing details were saved."),
        )),
        Err(e) => {
            let names = [
                ("billing.email", "billingEmail"),
                ("billing.name", "billingName"),
                ("billing.address", "billingAddress"),
                ("billing.taxId", "billingTaxId"),
            ];
            Here {
                s: &s,
                ctx: &ctx,
                op: &op,
                id: &id,
            }
            .refused(&form, e, &names, None)
            .await
        }
    }
}

/// `POST /owner/companies/{id}/subscription/contact`: the company's contact email and
/// phone, through the companies API (which a COMPANY_ADMIN may use for these).
pub async fn contact(
    State(s): State<AppState>,
    ctx: PageCtx,
    PlatformUser(op): PlatformUser,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let req = companies::UpdateBody {
        name: None,
        subdomain: None,
        contact_email: Some(form.get("contactEmail").to_owned()),
        contact_phone: clearable(form.get("contactPhone")),
        status: None,
        plan: None,
        settings: None,
    };
    match edit_result(
        companies::update(State(s.clone()), op.clone(), Path(id.clone()), ApiJson(req)).await,
    )? {
        Ok(_) => Ok(redirect_flash(
            &s,
            &back(&id),
            Flash::success("The contact details were saved."),
        )),
        Err(e) => {
            Here {
                s: &s,
                ctx: &ctx,
                op: &op,
                id: &id,
            }
            .refused(&form, e, &[], None)
            .await
        }
    }
}

/// `POST /owner/companies/{id}/subscription/start` (OWNER): `startPlanId` and `trialDays`
/// (blank or 0: paying from now, the first period invoiced at once).
pub async fn start(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
    Path(id): Path<String>,
    Form(form): Form<Pairs>,
) -> WebResult<Response> {
    let trial_days = match form.get("trialDays") {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let errors = FormErrors {
                    fields: [(
                        "trialDays".to_owned(),
                        "must be a whole number of days".to_owned(),
                    )]
                    .into(),
                    general: "Please correct the fields marked below.".into(),
                };
                let resp = page(&s, &ctx, &op, &id, Some(&form), errors).await?;
                return Ok(with_status(resp, StatusCode::UNPROCESSABLE_ENTITY));
            }
        },
    };
    let req = UpdateBody {
        plan_id: Some(form.get("startPlanId").to_owned()),
        trial_days,
        ..body()
    };
    match put(&s, &op, &id, req).await? {
        Ok(sub) => {
            let message = match &sub.trial_end {
                Some(t) => format!(
                    "The subscription to {} started; the trial ends on {}.",
                    sub.plan.name,
                    format::day(t)
                ),
                None => format!(
                    "The subscription to {} started; its first period was invoiced.",
                    sub.plan.name
                ),
            };
            Ok(redirect_flash(&s, &back(&id), Flash::success(message)))
        }
        Err(e) => {
            let names = [("planId", "startPlanId")];
            Here {
                s: &s,
                ctx: &ctx,
                op: &op,
                id: &id,
            }
            .refused(&form, e, &names, Some("startPlanId"))
            .await
        }
    }
}
