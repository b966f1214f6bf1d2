//! The forms of a company's subscription page (`/owner/companies/{id}/subscription/...`):
//! each calls the subscription or companies service, and on a refusal shows the page again
//! with the service's errors beside the form's fields.

use crate::web::invalid;
use crate::web::posted::Posted;
use axum::response::Response;

use super::super::admin::Pairs;
use super::super::chrome::PageCtx;
use super::super::csrf::Flash;
use super::super::error::WebResult;
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, edit_result, redirect_flash, with_status};
use super::company_id;
use super::format;
use super::subscription::page;
use super::update_company;
use crate::auth::PlatformPrincipal;
use crate::error::ApiError;
use crate::state::AppState;
use smartdmv_platform::billing::subscriptions::{BillingDetails, SubscriptionRequest};
use smartdmv_platform::company::CompanyChanges;
use smartdmv_platform::service::subscriptions as svc;
use smartdmv_platform::service::views::SubscriptionOut;

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

impl<'a> Here<'a> {
    fn new(s: &'a AppState, ctx: &'a PageCtx, op: &'a PlatformPrincipal, id: &'a str) -> Self {
        Self { s, ctx, op, id }
    }

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
    req: SubscriptionRequest,
) -> WebResult<Result<SubscriptionOut, ApiError>> {
    edit_result(svc::put(&s.owner(op), company_id(id)?, req).await)
}

/// `POST /owner/companies/{id}/subscription/plan`: `planId`.
pub async fn change_plan(
    Posted(s, ctx, PlatformUser(op), id, form): Posted<PlatformUser>,
) -> WebResult<Response> {
    let target = form.get("planId").to_owned();
    let req = SubscriptionRequest {
        plan_id: Some(target.clone()),
        ..SubscriptionRequest::default()
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
            Here::new(&s, &ctx, &op, &id)
                .refused(&form, e, &[], Some("planId"))
                .await
        }
    }
}

/// `POST /owner/companies/{id}/subscription/cancel`: `cancelAtPeriodEnd=true|false`.
pub async fn cancel(
    Posted(s, ctx, PlatformUser(op), id, form): Posted<PlatformUser>,
) -> WebResult<Response> {
    let flag = form.get("cancelAtPeriodEnd") == "true";
    let req = SubscriptionRequest {
        cancel_at_period_end: Some(flag),
        ..SubscriptionRequest::default()
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
            Here::new(&s, &ctx, &op, &id)
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
    Posted(s, ctx, PlatformUser(op), id, form): Posted<PlatformUser>,
) -> WebResult<Response> {
    let req = SubscriptionRequest {
        billing: BillingDetails {
            email: clearable(form.get("billingEmail")),
            name: clearable(form.get("billingName")),
            address: clearable(form.get("billingAddress")),
            tax_id: clearable(form.get("billingTaxId")),
        },
        ..SubscriptionRequest::default()
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
            Here::new(&s, &ctx, &op, &id)
                .refused(&form, e, &names, None)
                .await
        }
    }
}

/// `POST /owner/companies/{id}/subscription/contact`: the company's contact email and
/// phone, through the companies API (which a COMPANY_ADMIN may use for these).
pub async fn contact(
    Posted(s, ctx, PlatformUser(op), id, form): Posted<PlatformUser>,
) -> WebResult<Response> {
    let changes = CompanyChanges {
        contact_email: Some(form.get("contactEmail").to_owned()),
        contact_phone: clearable(form.get("contactPhone")),
        ..CompanyChanges::default()
    };
    match edit_result(update_company(&s, &op, &id, changes).await)? {
        Ok(_) => Ok(redirect_flash(
            &s,
            &back(&id),
            Flash::success("The contact details were saved."),
        )),
        Err(e) => {
            Here::new(&s, &ctx, &op, &id)
                .refused(&form, e, &[], None)
                .await
        }
    }
}

/// `POST /owner/companies/{id}/subscription/start` (OWNER): `startPlanId` and `trialDays`
/// (blank or 0: paying from now, the first period invoiced at once).
pub async fn start(Posted(s, ctx, Owner(op), id, form): Posted<Owner>) -> WebResult<Response> {
    let trial_days = match form.get("trialDays") {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let errors = FormErrors::field("trialDays", "must be a whole number of days");
                return invalid(page(&s, &ctx, &op, &id, Some(&form), errors).await);
            }
        },
    };
    let req = SubscriptionRequest {
        plan_id: Some(form.get("startPlanId").to_owned()),
        trial_days,
        ..SubscriptionRequest::default()
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
            Here::new(&s, &ctx, &op, &id)
                .refused(&form, e, &names, Some("startPlanId"))
                .await
        }
    }
}
