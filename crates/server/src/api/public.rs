//! Public tenant routes that booking widgets read without logging in.

use axum::Json;
use serde::Serialize;
use smartdmv_store::tenant::practice;

use super::{Page, PageParams};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Tenant};

pub fn routes() -> super::Routes {
    super::Routes::new().get("/api/public/practices", list_practices)
}

/// The public profile of a practice: how to find and reach it, and when it is open.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicPractice {
    pub id: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: String,
    pub opening_hours: serde_json::Value,
}

impl From<practice::PublicProfile> for PublicPractice {
    fn from(p: practice::PublicProfile) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.name,
            address: p.address,
            phone: p.phone,
            email: p.email,
            time_zone: p.time_zone,
            opening_hours: p.opening_hours,
        }
    }
}

/// `GET /api/public/practices`: the resolved company's open practices. It reads only columns
/// every schema version has, so booking widgets keep working while the fleet migrator has
/// not reached the company yet.
pub(crate) async fn list_practices(
    tenant: Tenant,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<PublicPractice>>> {
    let limit = page.limit()?;
    let cursor = page.cursor::<uuid::Uuid>()?;
    let mut rows = practice::public_page(
        tenant.db(),
        cursor,
        limit + 1,
        tenant.schema_version() >= practice::ACTIVE_SINCE,
    )
    .await
    .map_err(|e| tenant.db_error(e))?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    Ok(Json(Page {
        items: rows.into_iter().map(PublicPractice::from).collect(),
        next_cursor,
    }))
}
