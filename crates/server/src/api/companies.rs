//! `/api/owner/companies`: the companies API of the product guide, plus retrying a failed
//! provisioning and custom domains. Platform host only; an `OWNER` sees every company, a
//! `COMPANY_ADMIN` only their own (others answer 404). The rules are the owner services'
//! (`smartdmv_platform::service::companies`); these handlers only map HTTP to them.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use smartdmv_domain::ids::DomainId;
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_platform::company::{CompanyChanges, NewAdmin, NewCompany};
use smartdmv_platform::service::companies::{self as svc, ListInput};
use smartdmv_platform::service::views::DomainOut;
use uuid::Uuid;

pub use smartdmv_platform::service::views::CompanyOut;

use super::{Page, double_option};
use crate::api::{created, page};
use crate::auth::OwnerCall;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, IdPath};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/owner/companies", get(list).post(create))
        .route(
            "/api/owner/companies/{id}",
            get(show).put(update).delete(archive),
        )
        .route("/api/owner/companies/{id}/provision", post(retry))
        .route(
            "/api/owner/companies/{id}/domains",
            get(list_domains).post(add_domain),
        )
        .route(
            "/api/owner/companies/{id}/domains/{domain_id}",
            axum::routing::delete(remove_domain),
        )
        .route(
            "/api/owner/companies/{id}/domains/{domain_id}/verify",
            post(verify_domain),
        )
        .route("/api/owner/metrics", get(metrics))
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub status: Option<String>,
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/owner/companies?status=&q=&limit=&cursor=`
async fn list(
    call: OwnerCall,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<CompanyOut>>> {
    let input = ListInput {
        status: params.status,
        q: params.q,
        page: page(params.limit, params.cursor),
    };
    Ok(Json(svc::list(&call.cx(), input).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    name: String,
    subdomain: String,
    contact_email: String,
    contact_phone: Option<String>,
    database_url: Option<String>,
    plan: Option<String>,
    admin: Option<AdminBody>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdminBody {
    email: String,
    name: String,
    password: String,
}

/// `POST /api/owner/companies`: registers and provisions a company; 201 once it is ready.
async fn create(
    call: OwnerCall,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<CompanyOut>)> {
    let input = NewCompany {
        name: body.name,
        subdomain: body.subdomain,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone,
        database_url: body.database_url,
        plan: body.plan,
        admin: body.admin.map(|a| NewAdmin {
            email: a.email,
            name: a.name,
            password: a.password,
        }),
    };
    let c = svc::create(&call.cx(), input).await?;
    created(c)
}

/// `GET /api/owner/companies/{id}`
async fn show(call: OwnerCall, IdPath(id): IdPath<CompanyId>) -> ApiResult<Json<CompanyOut>> {
    Ok(Json(svc::get(&call.cx(), id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateBody {
    name: Option<String>,
    subdomain: Option<String>,
    contact_email: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    contact_phone: Option<Option<String>>,
    status: Option<CompanyStatus>,
    #[serde(default, deserialize_with = "double_option")]
    plan: Option<Option<String>>,
    settings: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `PUT /api/owner/companies/{id}`: changes the fields present in the body.
async fn update(
    call: OwnerCall,
    IdPath(id): IdPath<CompanyId>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> ApiResult<Json<CompanyOut>> {
    let changes = CompanyChanges {
        name: body.name,
        subdomain: body.subdomain,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone,
        status: body.status,
        plan: body.plan,
        settings: body.settings,
    };
    Ok(Json(svc::update(&call.cx(), id, changes).await?))
}

/// `DELETE /api/owner/companies/{id}`: stops serving the company and archives it; the
/// database is kept.
async fn archive(call: OwnerCall, IdPath(id): IdPath<CompanyId>) -> ApiResult<Json<CompanyOut>> {
    Ok(Json(svc::archive(&call.cx(), id).await?))
}

/// `POST /api/owner/companies/{id}/provision`: runs a failed provisioning again.
async fn retry(call: OwnerCall, IdPath(id): IdPath<CompanyId>) -> ApiResult<Json<CompanyOut>> {
    Ok(Json(svc::retry_provisioning(&call.cx(), id).await?))
}

async fn list_domains(
    call: OwnerCall,
    IdPath(id): IdPath<CompanyId>,
) -> ApiResult<Json<Page<DomainOut>>> {
    let items = svc::domains(&call.cx(), id).await?;
    Ok(Json(Page::all(items)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainBody {
    domain: String,
}

/// `POST /api/owner/companies/{id}/domains`: registers an unverified custom domain.
async fn add_domain(
    call: OwnerCall,
    IdPath(id): IdPath<CompanyId>,
    ApiJson(body): ApiJson<DomainBody>,
) -> ApiResult<(StatusCode, Json<DomainOut>)> {
    let d = svc::add_domain(&call.cx(), id, &body.domain).await?;
    created(d)
}

/// The company and domain ids of a domain's path. A malformed company id is not found; a
/// malformed domain id is the nil id, which names no domain, so the service answers it
/// after its own checks exactly as an unknown one.
fn domain_path(id: &str, domain_id: &str) -> ApiResult<(CompanyId, DomainId)> {
    let id = id.parse().map_err(|_| ApiError::not_found("company"))?;
    Ok((id, domain_id.parse().unwrap_or(DomainId(Uuid::nil()))))
}

/// `POST /api/owner/companies/{id}/domains/{domainId}/verify` (OWNER).
async fn verify_domain(
    call: OwnerCall,
    Path((id, domain_id)): Path<(String, String)>,
) -> ApiResult<Json<DomainOut>> {
    let (id, domain_id) = domain_path(&id, &domain_id)?;
    Ok(Json(svc::verify_domain(&call.cx(), id, domain_id).await?))
}

/// `DELETE /api/owner/companies/{id}/domains/{domainId}`: an OWNER, or the company's own
/// COMPANY_ADMIN.
async fn remove_domain(
    call: OwnerCall,
    Path((id, domain_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, domain_id) = domain_path(&id, &domain_id)?;
    svc::remove_domain(&call.cx(), id, domain_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/owner/metrics`: the tenant registry's gauges and counters.
async fn metrics(call: OwnerCall) -> ApiResult<Json<smartdmv_tenancy::registry::RegistryMetrics>> {
    Ok(Json(svc::metrics(&call.cx())?))
}
