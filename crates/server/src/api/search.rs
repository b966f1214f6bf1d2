//! `GET /api/search`: one box that finds clients and patients. The rules live in
//! [`smartdmv_practice::search`]; this handler extracts, calls and answers.

use axum::Json;
use serde::Deserialize;
use smartdmv_practice::search::{self, SearchQuery, SearchResults};

use crate::auth::Authorized;
use crate::auth::perms::ClientsRead;
use crate::error::ApiResult;
use crate::extract::ApiQuery;

pub fn routes() -> super::Routes {
    super::Routes::new().get("/api/search", find)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchParams {
    pub q: Option<String>,
    /// Per list; default 20, at most 100.
    pub limit: Option<usize>,
    #[serde(default)]
    pub include_inactive: bool,
}

/// `GET /api/search?q=&limit=&includeInactive=`
pub(crate) async fn find(
    auth: Authorized<ClientsRead>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchResults>> {
    let query = SearchQuery {
        q: p.q,
        limit: p.limit,
        include_inactive: p.include_inactive,
    };
    Ok(Json(search::find(&auth, query).await?))
}
