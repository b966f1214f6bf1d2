//! `/api/owner/plans`: the plans companies subscribe to. An `OWNER` manages them; a
//! `COMPANY_ADMIN` may read the active ones (to choose a plan change).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_platform::plans::{self as svc, NewPlan, PlanChanges, PlanLimitsInput};
use smartdmv_store::owner::plan;
use uuid::Uuid;

use super::{Page, PageParams, double_option};
use crate::auth::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
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

fn parse_id(raw: &str) -> ApiResult<Uuid> {
    raw.parse().map_err(|_| ApiError::not_found("plan"))
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub active: Option<bool>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/owner/plans?active=&limit=&cursor=`: a `COMPANY_ADMIN` sees active plans only.
pub(crate) async fn list(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<PlanOut>>> {
    let page = PageParams {
        limit: params.limit,
        cursor: params.cursor,
    };
    let limit = page.limit()?;
    let active_only = !op.is_owner() || params.active == Some(true);
    let mut rows = plan::list(
        s.platform.owner.conn(),
        active_only,
        page.cursor::<Uuid>()?,
        limit + 1,
    )
    .await?;
    if params.active == Some(false) {
        rows.retain(|p| !p.active);
    }
    let next_cursor = super::next_cursor(&mut rows, limit, |p| p.id.to_string());
    Ok(Json(Page {
        items: rows.into_iter().map(PlanOut::from).collect(),
        next_cursor,
    }))
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
pub(crate) async fn create(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    ApiJson(b): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<PlanOut>)> {
    op.require_owner()?;
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
    let p = svc::create(&s.platform, input, &op.actor()).await?;
    Ok((StatusCode::CREATED, Json(p.into())))
}

/// `GET /api/owner/plans/{id}`: a `COMPANY_ADMIN` sees active plans and their own.
pub(crate) async fn show(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanOut>> {
    let db = s.platform.owner.conn();
    let p = plan::find(db, parse_id(&id)?)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    if !op.is_owner() && !p.active {
        let own = match op.user.company_id {
            Some(c) => smartdmv_store::owner::company::find(db, c.into())
                .await?
                .and_then(|c| c.plan)
                .is_some_and(|pl| pl == p.id.to_string()),
            None => false,
        };
        if !own {
            return Err(ApiError::not_found("plan"));
        }
    }
    Ok(Json(p.into()))
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
pub(crate) async fn update(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> ApiResult<Json<PlanOut>> {
    op.require_owner()?;
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
    let p = svc::update(&s.platform, parse_id(&id)?, changes, &op.actor()).await?;
    Ok(Json(p.into()))
}

/// `DELETE /api/owner/plans/{id}`: 409 `plan_in_use` while any company uses it.
pub(crate) async fn remove(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    op.require_owner()?;
    svc::delete(&s.platform, parse_id(&id)?, &op.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
