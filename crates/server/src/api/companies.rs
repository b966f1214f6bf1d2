//! `/api/owner/companies`: the companies API of the product guide, plus retrying a failed
//! provisioning and custom domains. Platform host only; an `OWNER` sees every company, a
//! `COMPANY_ADMIN` only their own (others answer 404).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_platform::company::{self as svc, CompanyChanges, NewAdmin, NewCompany};
use smartdmv_store::owner::{company, domain};
use smartdmv_store::tenant::TenantMigrator;
use smartdmv_tenancy::provision::PENDING_SEED;
use uuid::Uuid;

use super::{Page, PageParams, double_option};
use crate::auth::PlatformPrincipal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
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

/// A company as the owner API shows it; never a credential.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyOut {
    pub id: String,
    pub name: String,
    pub subdomain: String,
    pub url: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub status: String,
    pub plan: Option<String>,
    pub settings: serde_json::Value,
    pub database: DatabaseOut,
    pub schema_version: i32,
    pub latest_schema_version: i32,
    pub provisioning_error: Option<String>,
    pub domains: Vec<DomainOut>,
    /// The company's subscription (on `GET /api/owner/companies/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<crate::api::billing::subscriptions::SubscriptionOut>,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseOut {
    pub backend: String,
    /// `host:port` of the PostgreSQL server; absent for SQLite.
    pub server: Option<String>,
    pub name: String,
    /// Whether the platform created (and may remove) the database.
    pub managed: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainOut {
    pub id: String,
    pub domain: String,
    pub verified: bool,
    pub primary: bool,
    pub verification_token: String,
}

pub(crate) fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl From<domain::Model> for DomainOut {
    fn from(d: domain::Model) -> Self {
        Self {
            id: d.id.to_string(),
            domain: d.domain,
            verified: d.verified,
            primary: d.is_primary,
            verification_token: d.verification_token,
        }
    }
}

/// The address of a company's host. On a development domain the server is reached
/// directly over HTTP, port included; elsewhere a proxy fronts it with HTTPS on the
/// standard port.
pub(crate) fn company_url(s: &AppState, subdomain: &str) -> String {
    let port = if s.platform.base_domain == "localhost" {
        s.config
            .listen
            .rsplit_once(':')
            .map(|(_, p)| format!(":{p}"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    let scheme = if s.cookie_secure() { "https" } else { "http" };
    format!("{scheme}://{subdomain}.{}{port}", s.platform.base_domain)
}

fn company_out(s: &AppState, c: company::Model, domains: Vec<domain::Model>) -> CompanyOut {
    let mut settings = c.settings;
    if let Some(o) = settings.as_object_mut() {
        o.remove(PENDING_SEED);
    }
    CompanyOut {
        id: c.id.to_string(),
        url: company_url(s, &c.subdomain),
        name: c.name,
        subdomain: c.subdomain,
        contact_email: c.contact_email,
        contact_phone: c.contact_phone,
        status: c.status,
        plan: c.plan,
        settings,
        database: DatabaseOut {
            backend: c.db_backend,
            server: c.db_server,
            name: c.db_name,
            managed: c.db_url_enc.is_none(),
        },
        schema_version: c.schema_version,
        latest_schema_version: TenantMigrator::latest_version(),
        provisioning_error: c.provision_error,
        domains: domains.into_iter().map(DomainOut::from).collect(),
        subscription: None,
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        archived_at: c.archived_at.map(rfc3339),
    }
}

pub(crate) async fn load_out(s: &AppState, c: company::Model) -> ApiResult<CompanyOut> {
    let domains = domain::list_for(s.platform.owner.conn(), c.company_id()).await?;
    Ok(company_out(s, c, domains))
}

fn parse_id(raw: &str) -> ApiResult<CompanyId> {
    raw.parse().map_err(|_| ApiError::not_found("company"))
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub status: Option<String>,
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// `GET /api/owner/companies?status=&q=&limit=&cursor=`
pub(crate) async fn list(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<Page<CompanyOut>>> {
    let page = PageParams {
        limit: params.limit,
        cursor: params.cursor.clone(),
    };
    let limit = page.limit()?;
    let cursor = page.cursor::<CompanyId>()?;
    let status = match params.status.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(CompanyStatus::parse(raw).ok_or_else(|| {
            ApiError::bad_request("invalid_query", format!("unknown status {raw:?}"))
        })?),
    };
    let filter = company::ListFilter {
        status,
        q: params.q,
        only: if op.is_owner() {
            None
        } else {
            Some(CompanyId(op.user.company_id.unwrap_or_default()))
        },
        include_archived: false,
    };
    let mut rows = company::list(s.platform.owner.conn(), &filter, cursor, limit + 1).await?;
    let next_cursor = super::next_cursor(&mut rows, limit, |r| r.id.to_string());
    let mut items = Vec::with_capacity(rows.len());
    for c in rows {
        items.push(load_out(&s, c).await?);
    }
    Ok(Json(Page { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBody {
    pub name: String,
    pub subdomain: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub database_url: Option<String>,
    pub plan: Option<String>,
    pub admin: Option<AdminBody>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AdminBody {
    pub email: String,
    pub name: String,
    pub password: String,
}

/// `POST /api/owner/companies`: registers and provisions a company; 201 once it is ready.
pub(crate) async fn create(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    ApiJson(body): ApiJson<CreateBody>,
) -> ApiResult<(StatusCode, Json<CompanyOut>)> {
    op.require_owner()?;
    let input = NewCompany {
        name: body.name,
        subdomain: body.subdomain,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone.filter(|p| !p.trim().is_empty()),
        database_url: body.database_url.filter(|u| !u.trim().is_empty()),
        plan: body.plan,
        admin: body.admin.map(|a| NewAdmin {
            email: a.email,
            name: a.name,
            password: a.password,
        }),
    };
    let c = svc::create(&s.platform, input, &op.actor()).await?;
    Ok((StatusCode::CREATED, Json(load_out(&s, c).await?)))
}

/// `GET /api/owner/companies/{id}`
pub(crate) async fn show(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<CompanyOut>> {
    let id = parse_id(&id)?;
    op.require_sees(id)?;
    let c = company::get(s.platform.owner.conn(), id).await?;
    let mut out = load_out(&s, c).await?;
    out.subscription = match smartdmv_platform::billing::subscriptions::view(&s.platform, id).await
    {
        Ok(v) => Some(v.into()),
        Err(smartdmv_tenancy::TenancyError::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateBody {
    pub name: Option<String>,
    pub subdomain: Option<String>,
    pub contact_email: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub contact_phone: Option<Option<String>>,
    pub status: Option<CompanyStatus>,
    #[serde(default, deserialize_with = "double_option")]
    pub plan: Option<Option<String>>,
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The settings keys a `COMPANY_ADMIN` may write. Every other key is the platform's: limits
/// and features overrides, the sign-up record, the operator's `legacyPlan`, and any key a
/// later feature reads with the platform's authority.
const COMPANY_ADMIN_SETTINGS: &[&str] = &["branding"];

/// `PUT /api/owner/companies/{id}`: changes the fields present in the body. A
/// `COMPANY_ADMIN` may change the contact details and the settings of
/// [`COMPANY_ADMIN_SETTINGS`] only.
pub(crate) async fn update(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateBody>,
) -> ApiResult<Json<CompanyOut>> {
    let id = parse_id(&id)?;
    op.require_sees(id)?;
    if !op.is_owner()
        && (body.name.is_some()
            || body.subdomain.is_some()
            || body.status.is_some()
            || body.plan.is_some())
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a company administrator may change contact details and settings only",
        ));
    }
    if !op.is_owner()
        && let Some(key) = body.settings.as_ref().and_then(|s| {
            s.keys()
                .find(|k| !COMPANY_ADMIN_SETTINGS.contains(&k.as_str()))
        })
    {
        let message = if key == "limits" || key == "features" {
            "usage limits and features are set by the platform owner".to_owned()
        } else {
            format!(
                "a company administrator may change only these settings: {}; {key} is the platform's",
                COMPANY_ADMIN_SETTINGS.join(", ")
            )
        };
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", message));
    }
    let changes = CompanyChanges {
        name: body.name,
        subdomain: body.subdomain,
        contact_email: body.contact_email,
        contact_phone: body.contact_phone,
        status: body.status,
        plan: body.plan,
        settings: body.settings,
    };
    let c = svc::update(&s.platform, id, changes, &op.actor()).await?;
    Ok(Json(load_out(&s, c).await?))
}

/// `DELETE /api/owner/companies/{id}`: stops serving the company and archives it; the
/// database is kept.
pub(crate) async fn archive(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<CompanyOut>> {
    op.require_owner()?;
    let c = svc::archive(&s.platform, parse_id(&id)?, &op.actor()).await?;
    Ok(Json(load_out(&s, c).await?))
}

/// `POST /api/owner/companies/{id}/provision`: runs a failed provisioning again.
pub(crate) async fn retry(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<CompanyOut>> {
    op.require_owner()?;
    let c = svc::retry_provisioning(&s.platform, parse_id(&id)?, &op.actor()).await?;
    Ok(Json(load_out(&s, c).await?))
}

pub(crate) async fn list_domains(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<DomainOut>>> {
    let id = parse_id(&id)?;
    op.require_sees(id)?;
    company::get(s.platform.owner.conn(), id).await?;
    let items = domain::list_for(s.platform.owner.conn(), id)
        .await?
        .into_iter()
        .map(DomainOut::from)
        .collect();
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainBody {
    pub domain: String,
}

/// `POST /api/owner/companies/{id}/domains`: registers an unverified custom domain.
pub(crate) async fn add_domain(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DomainBody>,
) -> ApiResult<(StatusCode, Json<DomainOut>)> {
    let id = parse_id(&id)?;
    op.require_sees(id)?;
    let d = svc::add_domain(&s.platform, id, &body.domain, &op.actor()).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// `POST /api/owner/companies/{id}/domains/{domainId}/verify` (OWNER): the operator attests
/// that the domain's DNS points at the platform, so a company cannot verify its own claim.
pub(crate) async fn verify_domain(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path((id, domain_id)): Path<(String, String)>,
) -> ApiResult<Json<DomainOut>> {
    let id = parse_id(&id)?;
    op.require_sees(id)?;
    op.require_owner()?;
    let domain_id: Uuid = domain_id
        .parse()
        .map_err(|_| ApiError::not_found("domain"))?;
    let d = svc::verify_domain(&s.platform, id, domain_id, &op.actor()).await?;
    Ok(Json(d.into()))
}

/// `DELETE /api/owner/companies/{id}/domains/{domainId}`: an OWNER, or the company's own
/// COMPANY_ADMIN.
pub(crate) async fn remove_domain(
    State(s): State<AppState>,
    op: PlatformPrincipal,
    Path((id, domain_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = parse_id(&id)?;
    op.require_sees(id)?;
    let domain_id: Uuid = domain_id
        .parse()
        .map_err(|_| ApiError::not_found("domain"))?;
    svc::remove_domain(&s.platform, id, domain_id, &op.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/owner/metrics`: the tenant registry's gauges and counters.
pub(crate) async fn metrics(
    State(s): State<AppState>,
    op: PlatformPrincipal,
) -> ApiResult<Json<smartdmv_tenancy::registry::RegistryMetrics>> {
    op.require_owner()?;
    Ok(Json(s.platform.registry.metrics()))
}
