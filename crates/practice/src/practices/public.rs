//! The public profile of a company's open practices, which booking widgets read without
//! signing in.

use serde::Serialize;
use smartdmv_store::tenant::practice;

use crate::{Page, PageRequest, ServiceResult, Tenant};

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

/// The company's open practices. It reads only columns every schema version has, so booking
/// widgets keep working while the fleet migrator has not reached the company yet.
pub async fn public_list(
    tenant: &Tenant,
    page: &PageRequest,
) -> ServiceResult<Page<PublicPractice>> {
    let limit = page.limit()?;
    let rows = practice::public_page(
        tenant.db(),
        page.cursor()?,
        limit + 1,
        tenant.schema_version() >= practice::ACTIVE_SINCE,
    )
    .await?;
    Ok(Page::from_rows(rows, limit, |r| r.id.to_string()).map(PublicPractice::from))
}
