//! `GET/PUT /api/owner/companies/{id}/subscription`: an `OWNER` for any company, a
//! `COMPANY_ADMIN` for their own (plan changes, cancellation, billing contact; not trials).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::CompanyId;
use smartdmv_platform::billing::subscriptions::{self as svc, BillingDetails, SubscriptionRequest};

use crate::api::double_option;
use crate::auth::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/owner/companies/{id}/subscription",
        get(show).put(update),
    )
}

pub use smartdmv_platform::service::views::{BillingOut, SubscriptionOut};

pub(crate) fn company_id(op: &PlatformPrincipal, raw: &str) -> ApiResult<CompanyId> {
    let id: CompanyId = raw.parse().map_err(|_| ApiError::not_found("company"))?;
    op.require_sees(id)?;
    Ok(id)
}

/// `GET /api/owner/companies/{id}/subscription`: 404 when the company has none.
pub(crate) async fn show(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<SubscriptionOut>> {
    let id = company_id(&op, &id)?;
    Ok(Json(svc::view(&s.platform, id).await?.into()))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateBody {
    pub plan_id: Option<String>,
    pub trial_days: Option<u32>,
    pub cancel_at_period_end: Option<bool>,
    pub billing: Option<BillingBody>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BillingBody {
    #[serde(default, deserialize_with = "double_option")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub tax_id: Option<Option<String>>,
}

/// `PUT /api/owner/companies/{id}/subscription`: starts a subscription (`planId`, optional
/// `trialDays`), changes its plan (upgrade now and prorated, downgrade at the period end;
/// 409 when the company's usage exceeds the plan), sets `cancelAtPeriodEnd` (false undoes a
/// cancellation), and updates the billing contact.
pub(crate) async fn update(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> ApiResult<Json<SubscriptionOut>> {
    let id = company_id(&op, &id)?;
    if !op.is_owner() && b.trial_days.is_some() {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "trials are granted by the platform owner",
        ));
    }
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
    Ok(Json(
        svc::put(&s.platform, id, req, &op.actor()).await?.into(),
    ))
}
