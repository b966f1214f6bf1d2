//! `/api/practices`: a company's practices. Until company logins exist these routes take the
//! operator token on the company's host; the identity work replaces that with
//! administrators' sessions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::{audit, practice};
use uuid::Uuid;

use super::{Page, PageParams};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Tenant, TenantOperator};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/practices", get(list).post(create))
}

/// A practice with its settings.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PracticeOut {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: String,
    pub currency: String,
    pub opening_hours: serde_json::Value,
    pub allow_client_signup: bool,
    pub is_head_office: bool,
}

impl From<practice::Model> for PracticeOut {
    fn from(p: practice::Model) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            address: p.address,
            phone: p.phone,
            email: p.email,
            time_zone: p.time_zone,
            currency: p.currency,
            opening_hours: p.opening_hours,
            allow_client_signup: p.allow_client_signup,
            is_head_office: p.is_head_office,
        }
    }
}

async fn list(
    _op: TenantOperator,
    tenant: Tenant,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PracticeOut>>> {
    let limit = page.limit()?;
    let mut rows = practice::list_page(tenant.db.conn(), page.cursor()?, limit + 1)
        .await
        .map_err(|e| tenant.db_error(e))?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|p| p.id.to_string())
    } else {
        None
    };
    Ok(Json(Page {
        items: rows.into_iter().map(PracticeOut::from).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePractice {
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
}

fn validate(b: &CreatePractice) -> Result<(), ApiError> {
    let mut errs = Vec::new();
    let n = b.name.trim().chars().count();
    if n == 0 || n > 200 {
        errs.push(("name".to_owned(), "must be 1 to 200 characters".to_owned()));
    }
    if let Some(e) = &b.email
        && !smartdmv_domain::text::is_plausible_email(e)
    {
        errs.push(("email".into(), "must be an email address".into()));
    }
    if let Some(p) = &b.phone
        && !smartdmv_domain::text::is_plausible_phone(p)
    {
        errs.push(("phone".into(), "must be a phone number".into()));
    }
    if let Some(tz) = &b.time_zone
        && !(tz == "UTC"
            || (tz.contains('/')
                && tz.len() <= 64
                && tz
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))))
    {
        errs.push((
            "timeZone".into(),
            "must be an IANA time zone such as Europe/London".into(),
        ));
    }
    if let Some(c) = &b.currency
        && !(c.len() == 3 && c.chars().all(|c| c.is_ascii_uppercase()))
    {
        errs.push((
            "currency".into(),
            "must be an ISO 4217 code such as USD".into(),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errs))
    }
}

/// `POST /api/practices`: adds a practice, with its audit entry in the same transaction.
async fn create(
    State(_s): State<AppState>,
    op: TenantOperator,
    tenant: Tenant,
    ApiJson(body): ApiJson<CreatePractice>,
) -> ApiResult<(StatusCode, Json<PracticeOut>)> {
    validate(&body)?;
    let now = smartdmv_store::now();
    let model = practice::Model {
        id: Uuid::now_v7(),
        name: body.name.trim().to_owned(),
        address: body.address,
        phone: body.phone,
        email: body.email,
        time_zone: body.time_zone.unwrap_or_else(|| "UTC".into()),
        currency: body.currency.unwrap_or_else(|| "USD".into()),
        opening_hours: smartdmv_tenancy::provision::default_opening_hours(),
        allow_client_signup: false,
        is_head_office: false,
        created_at: now,
        updated_at: now,
    };
    let db = tenant.db.conn();
    let saved = async {
        let txn = db.begin().await?;
        let saved = practice::insert(&txn, model).await?;
        audit::append(
            &txn,
            audit::Entry {
                actor_id: None,
                actor: op.actor_label(),
                action: "create",
                entity: "practice",
                entity_id: Some(saved.id),
                practice_id: Some(saved.id),
                before: None,
                after: Some(serde_json::json!({"name": saved.name})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(saved)
    }
    .await
    .map_err(|e| tenant.db_error(e))?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}
