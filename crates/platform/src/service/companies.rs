//! Companies on the owner side: the list and one company, creating (and provisioning),
//! changing, archiving and re-provisioning them, and their custom domains. An `OWNER` sees
//! and changes every company; a `COMPANY_ADMIN` sees their own only (others are not found)
//! and may change its contact details, its [`COMPANY_ADMIN_SETTINGS`] and its domains.

use smartdmv_domain::ids::DomainId;
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_store::owner::{company, domain};
use smartdmv_store::tenant::TenantMigrator;
use smartdmv_tenancy::provision::PENDING_SEED;

use super::views::{CompanyOut, DatabaseOut, DomainOut};
use super::{Cx, Page, PageRequest, rfc3339};
use crate::company::{self as business, CompanyChanges, NewCompany};
use crate::{PlatformError, PlatformResult};

/// The settings keys a `COMPANY_ADMIN` may write. Every other key is the platform's: limits
/// and features overrides, the sign-up record, the operator's `legacyPlan`, and any key a
/// later feature reads with the platform's authority.
pub const COMPANY_ADMIN_SETTINGS: &[&str] = &["branding"];

/// What a list of companies asks for.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    /// A status name; empty or absent: any.
    pub status: Option<String>,
    pub q: Option<String>,
    pub page: PageRequest,
}

fn out(cx: &Cx<'_>, c: company::Model, domains: Vec<domain::Model>) -> CompanyOut {
    let mut settings = c.settings;
    if let Some(o) = settings.as_object_mut() {
        o.remove(PENDING_SEED);
    }
    CompanyOut {
        id: c.id.to_string(),
        url: cx.company_url(&c.subdomain),
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

/// A company as the views show it, with its domains.
async fn view(cx: &Cx<'_>, c: company::Model) -> PlatformResult<CompanyOut> {
    let domains = domain::list_for(cx.db(), c.id).await?;
    Ok(out(cx, c, domains))
}

/// The companies the caller sees, by status and a search text.
pub async fn list(cx: &Cx<'_>, input: ListInput) -> PlatformResult<Page<CompanyOut>> {
    let limit = input.page.limit()?;
    let cursor = input.page.cursor::<CompanyId>()?;
    let status = super::state_filter(input.status.as_deref(), "status", CompanyStatus::parse)?;
    let filter = company::ListFilter {
        status,
        q: input.q,
        only: cx.who.confined_to(),
        include_archived: false,
    };
    let rows = company::list(cx.db(), &filter, cursor, limit + 1).await?;
    let page = Page::from_rows(rows, limit, |r| r.id.to_string());
    let mut items = Vec::with_capacity(page.items.len());
    for c in page.items {
        items.push(view(cx, c).await?);
    }
    Ok(Page {
        items,
        next_cursor: page.next_cursor,
    })
}

/// One company the caller sees, with its subscription when it has one.
pub async fn get(cx: &Cx<'_>, id: CompanyId) -> PlatformResult<CompanyOut> {
    cx.who.require_sees(id)?;
    let c = company::get(cx.db(), id).await?;
    let mut out = view(cx, c).await?;
    out.subscription = match crate::billing::subscriptions::view(cx.platform, id).await {
        Ok(v) => Some(v.into()),
        Err(PlatformError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    Ok(out)
}

/// One company the caller sees, without its subscription.
pub async fn summary(cx: &Cx<'_>, id: CompanyId) -> PlatformResult<CompanyOut> {
    cx.who.require_sees(id)?;
    let c = company::get(cx.db(), id).await?;
    view(cx, c).await
}

/// Registers and provisions a company (`OWNER`); blank phone and database address count as
/// not given.
pub async fn create(cx: &Cx<'_>, mut input: NewCompany) -> PlatformResult<CompanyOut> {
    cx.who.require_owner()?;
    input.contact_phone = input.contact_phone.filter(|p| !p.trim().is_empty());
    input.database_url = input.database_url.filter(|u| !u.trim().is_empty());
    let c = business::create(cx.platform, input, &cx.who.actor()).await?;
    view(cx, c).await
}

/// Changes the fields given. A `COMPANY_ADMIN` may change the contact details and the
/// settings of [`COMPANY_ADMIN_SETTINGS`] only.
pub async fn update(
    cx: &Cx<'_>,
    id: CompanyId,
    changes: CompanyChanges,
) -> PlatformResult<CompanyOut> {
    cx.who.require_sees(id)?;
    if !cx.who.is_owner() {
        if changes.name.is_some()
            || changes.subdomain.is_some()
            || changes.status.is_some()
            || changes.plan.is_some()
        {
            return Err(PlatformError::forbidden(
                "forbidden",
                "a company administrator may change contact details and settings only",
            ));
        }
        if let Some(key) = changes.settings.as_ref().and_then(|s| {
            s.keys()
                .find(|k| !COMPANY_ADMIN_SETTINGS.contains(&k.as_str()))
        }) {
            let message = if key == "limits" || key == "features" {
                "usage limits and features are set by the platform owner".to_owned()
            } else {
                format!(
                    "a company administrator may change only these settings: {}; {key} is the platform's",
                    COMPANY_ADMIN_SETTINGS.join(", ")
                )
            };
            return Err(PlatformError::forbidden("forbidden", message));
        }
    }
    let c = business::update(cx.platform, id, changes, &cx.who.actor()).await?;
    view(cx, c).await
}

/// Stops serving the company and archives it (`OWNER`); the database is kept.
pub async fn archive(cx: &Cx<'_>, id: CompanyId) -> PlatformResult<CompanyOut> {
    cx.who.require_owner()?;
    let c = business::archive(cx.platform, id, &cx.who.actor()).await?;
    view(cx, c).await
}

/// Runs a failed provisioning again (`OWNER`).
pub async fn retry_provisioning(cx: &Cx<'_>, id: CompanyId) -> PlatformResult<CompanyOut> {
    cx.who.require_owner()?;
    let c = business::retry_provisioning(cx.platform, id, &cx.who.actor()).await?;
    view(cx, c).await
}

/// The custom domains of a company the caller sees.
pub async fn domains(cx: &Cx<'_>, id: CompanyId) -> PlatformResult<Vec<DomainOut>> {
    cx.who.require_sees(id)?;
    company::get(cx.db(), id).await?;
    Ok(domain::list_for(cx.db(), id)
        .await?
        .into_iter()
        .map(DomainOut::from)
        .collect())
}

/// Registers an unverified custom domain.
pub async fn add_domain(cx: &Cx<'_>, id: CompanyId, name: &str) -> PlatformResult<DomainOut> {
    cx.who.require_sees(id)?;
    Ok(business::add_domain(cx.platform, id, name, &cx.who.actor())
        .await?
        .into())
}

/// The operator attests that the domain's DNS points at the platform (`OWNER`), so a
/// company cannot verify its own claim.
pub async fn verify_domain(
    cx: &Cx<'_>,
    id: CompanyId,
    domain_id: DomainId,
) -> PlatformResult<DomainOut> {
    cx.who.require_sees(id)?;
    cx.who.require_owner()?;
    Ok(
        business::verify_domain(cx.platform, id, domain_id, &cx.who.actor())
            .await?
            .into(),
    )
}

/// Removes a custom domain: an `OWNER`, or the company's own `COMPANY_ADMIN`.
pub async fn remove_domain(cx: &Cx<'_>, id: CompanyId, domain_id: DomainId) -> PlatformResult<()> {
    cx.who.require_sees(id)?;
    business::remove_domain(cx.platform, id, domain_id, &cx.who.actor()).await
}

/// The tenant registry's gauges and counters (`OWNER`).
pub fn metrics(cx: &Cx<'_>) -> PlatformResult<smartdmv_tenancy::registry::RegistryMetrics> {
    cx.who.require_owner()?;
    Ok(cx.platform.registry.metrics())
}
