//! `/api/owner/plans`: the plans companies subscribe to. An `OWNER` manages them; a
//! `COMPANY_ADMIN` may read the active ones (to choose a plan change).

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::ids::PlanId;
use smartdmv_platform::plans::{NewPlan, PlanChanges, PlanLimitsInput};
use smartdmv_platform::service::plans::{self as svc, ListInput};

use super::{Page, double_option};
use crate::api::{created, page};
use crate::auth::OwnerCall;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, IdPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/plans", get(list).post(create))
        .route(
            "/api/owner/plans/{id}",
            get(show).patch(update).delete(remove),
        )
}

pub use smartdmv_platform::service::views::{LimitsOut, PlanOut};

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub active: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/owner/plans?active=&limit=&cursor=`: a `COMPANY_ADMIN` sees active plans only.
async fn list(
    call: OwnerCall,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<PlanOut>>> {
    let input = ListInput {
        active: params.active,
        page: page(params.limit, params.cursor),
    };
    Ok(Json(svc::list(&call.cx(), input).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBody {
    pub name: String,
    pub interval: String,
    pub price_cents: i64,
    pub currency: String,
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(default)]
    pub limits: LimitsOut,
    pub active: Option<bool>,
}

/// `POST /api/owner/plans`
async fn create(
    call: OwnerCall,
    ApiJson(b): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<PlanOut>)> {
    let input = NewPlan {
        name: b.name,
        interval: b.interval,
        price_cents: b.price_cents,
        currency: b.currency,
        features: b.features,
        limits: PlanLimitsInput {
            max_practices: b.limits.max_practices,
            max_users: b.limits.max_users,
            storage_bytes: b.limits.storage_bytes,
            api_calls_per_month: b.limits.api_calls_per_month,
        },
        active: b.active.unwrap_or(true),
    };
    let p = svc::create(&call.cx(), input).await?;
    created(p)
}

/// `GET /api/owner/plans/{id}`: a `COMPANY_ADMIN` sees active plans and their own.
async fn show(call: OwnerCall, IdPath(id): IdPath<PlanId>) -> ApiResult<Json<PlanOut>> {
    Ok(Json(svc::get(&call.cx(), id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateBody {
    pub name: Option<String>,
    pub interval: Option<String>,
    pub price_cents: Option<i64>,
    pub currency: Option<String>,
    pub features: Option<Vec<String>>,
    pub limits: Option<LimitsPatch>,
    pub active: Option<bool>,
}

/// Limits to change: a key present (even `null`) changes that limit.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LimitsPatch {
    #[serde(default, deserialize_with = "double_option")]
    pub max_practices: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    pub max_users: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    pub storage_bytes: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    pub api_calls_per_month: Option<Option<i64>>,
}

/// `PATCH /api/owner/plans/{id}`: changes the fields present; `{"active": false}` retires.
async fn update(
    call: OwnerCall,
    IdPath(id): IdPath<PlanId>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> ApiResult<Json<PlanOut>> {
    let l = b.limits.unwrap_or_default();
    let changes = PlanChanges {
        name: b.name,
        interval: b.interval,
        price_cents: b.price_cents,
        currency: b.currency,
        features: b.features,
        max_practices: l.max_practices,
        max_users: l.max_users,
        storage_bytes: l.storage_bytes,
        api_calls_per_month: l.api_calls_per_month,
        active: b.active,
    };
    Ok(Json(svc::update(&call.cx(), id, changes).await?))
}

/// `DELETE /api/owner/plans/{id}`: 409 `plan_in_use` while any company uses it.
async fn remove(call: OwnerCall, IdPath(id): IdPath<PlanId>) -> ApiResult<StatusCode> {
    svc::remove(&call.cx(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
