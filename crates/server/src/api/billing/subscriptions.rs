//! `GET/PUT /api/owner/companies/{id}/subscription`: an `OWNER` for any company, a
//! `COMPANY_ADMIN` for their own (plan changes, cancellation, billing contact; not trials).
//! The rules are `smartdmv_platform::service::subscriptions`'.

use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::CompanyId;
use smartdmv_platform::billing::subscriptions::{BillingDetails, SubscriptionRequest};
use smartdmv_platform::service::subscriptions as svc;

use crate::api::double_option;
use crate::auth::OwnerCall;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IdPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/owner/companies/{id}/subscription",
        get(show).put(update),
    )
}

pub use smartdmv_platform::service::views::{BillingOut, SubscriptionOut};

/// `GET /api/owner/companies/{id}/subscription`: 404 when the company has none.
async fn show(call: OwnerCall, IdPath(id): IdPath<CompanyId>) -> ApiResult<Json<SubscriptionOut>> {
    Ok(Json(svc::get(&call.cx(), id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateBody {
    plan_id: Option<String>,
    trial_days: Option<u32>,
    cancel_at_period_end: Option<bool>,
    billing: Option<BillingBody>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BillingBody {
    #[serde(default, deserialize_with = "double_option")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    tax_id: Option<Option<String>>,
}

/// `PUT /api/owner/companies/{id}/subscription`: starts a subscription (`planId`, optional
/// `trialDays`), changes its plan (upgrade now and prorated, downgrade at the period end;
/// 409 when the company's usage exceeds the plan), sets `cancelAtPeriodEnd` (false undoes a
/// cancellation), and updates the billing contact.
async fn update(
    call: OwnerCall,
    IdPath(id): IdPath<CompanyId>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> ApiResult<Json<SubscriptionOut>> {
    let billing = b.billing.unwrap_or_default();
    let req = SubscriptionRequest {
        plan_id: b.plan_id,
        trial_days: b.trial_days,
        cancel_at_period_end: b.cancel_at_period_end,
        billing: BillingDetails {
            email: billing.email,
            name: billing.name,
            address: billing.address,
            tax_id: billing.tax_id,
        },
    };
    Ok(Json(svc::put(&call.cx(), id, req).await?))
}
