//! Public tenant routes that booking widgets read without logging in. The rules live in
//! [`smartdmv_practice::practices::public_list`].

use axum::Json;
use smartdmv_practice::PageRequest;
use smartdmv_practice::practices::{self, PublicPractice};

use super::Page;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Tenant};

pub fn routes() -> super::Routes {
    super::Routes::new().get("/api/public/practices", list_practices)
}

/// `GET /api/public/practices`: the resolved company's open practices.
pub(crate) async fn list_practices(
    tenant: Tenant,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> ApiResult<Json<Page<PublicPractice>>> {
    Ok(Json(practices::public_list(&tenant, &page).await?))
}
