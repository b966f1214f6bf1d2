//! `/owner/companies/{id}/subscription`: a company's subscription for an OWNER and the
//! company's own COMPANY_ADMIN: its state and its forms: changing the plan (each choice says
//! whether it is immediate and prorated or waits for the period end), cancelling at the
//! period end or undoing that, the billing contact, the company's contact details, and for
//! an OWNER starting a subscription (with an optional trial) when the company has none. The
//! forms' handlers are in `subscription_forms.rs`.

use crate::web::posted::Record;
use askama::Template;
use axum::response::Response;
use smartdmv_domain::billing::{ChangeTiming, lifecycle::change_timing};
use smartdmv_domain::plan::PlanPrice;

use super::super::admin::Pairs;
use super::super::chrome::{Chrome, PageCtx};
use super::super::error::WebResult;
use super::super::session::PlatformUser;
use super::super::{FormErrors, html};
use super::format;
use super::plans::price;
use crate::auth::PlatformPrincipal;
use crate::state::AppState;
use smartdmv_platform::service::plans as plan_service;
use smartdmv_platform::service::views::{CompanyOut, PlanOut, SubscriptionOut};

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
            status: s.status.to_string(),
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
            live: s.status.is_live(),
        }
    }
}

pub struct PlanOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

fn plan_price(p: &PlanOut) -> PlanPrice {
    PlanPrice {
        cents: p.price_cents,
        interval: p.interval,
    }
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
    let (from, to) = (plan_price(&s.plan), plan_price(target));
    let end = format::day(&s.current_period_end);
    match change_timing(s.status, &from, &to) {
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

pub(super) async fn page(
    s: &AppState,
    ctx: &PageCtx,
    op: &PlatformPrincipal,
    id: &str,
    submitted: Option<&Pairs>,
    errors: FormErrors,
) -> WebResult<Response> {
    let c = super::company(s, op, id).await?;
    let plans = plan_service::all(&s.owner(op), true).await?;
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
    Record(s, ctx, PlatformUser(op), id): Record<PlatformUser>,
) -> WebResult<Response> {
    page(&s, &ctx, &op, &id, None, FormErrors::default()).await
}
