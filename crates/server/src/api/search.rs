//! `GET /api/search`: one box that finds clients and patients. The rules live in
//! [`smartdmv_practice::search`]; this handler extracts, calls and answers.

use axum::Json;
use smartdmv_practice::search::{self, SearchQuery, SearchResults};

use crate::auth::Authorized;
use crate::auth::perms::ClientsRead;
use crate::error::ApiResult;
use crate::extract::ApiQuery;

pub fn routes() -> super::Routes {
    super::Routes::new().get("/api/search", find)
}

/// `GET /api/search?q=&limit=&includeInactive=`
pub(crate) async fn find(
    auth: Authorized<ClientsRead>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    Ok(Json(search::find(&auth, query).await?))
}
