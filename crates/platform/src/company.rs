//! Company services shared by the owner API and the CLI: create (and provision), update,
//! archive, retry provisioning, and custom domains. Every change is written to the owner
//! audit log and clears the resolver cache; changes that stop serving a company also take
//! its pool out of the registry.

use crate::PlatformError;
use rand::Rng;
use smartdmv_domain::ids::{DomainId, PlanId};
use smartdmv_domain::text::{is_plausible_email, is_plausible_phone, is_valid_domain};
use smartdmv_domain::{CompanyId, CompanyStatus, Subdomain};
use smartdmv_store::OwnerTransaction;
use smartdmv_store::owner::{company, domain, subscription};
use smartdmv_tenancy::provision::{PENDING_SEED, Placement, Seed, SeedAdmin};
use smartdmv_tenancy::resolve::SIGNUP_SETTINGS;

use crate::Platform;

pub use crate::work::Actor;

/// The first administrator of a new company.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    pub email: String,
    pub name: String,
    pub password: String,
}

/// A company to create (`POST /api/owner/companies`).
#[derive(Debug, Clone)]
pub struct NewCompany {
    pub name: String,
    pub subdomain: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub database_url: Option<String>,
    /// The id of an active plan.
    pub plan: Option<String>,
    pub admin: Option<NewAdmin>,
}

/// Changes to a company; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CompanyChanges {
    pub name: Option<String>,
    pub subdomain: Option<String>,
    pub contact_email: Option<String>,
    /// `Some(None)` clears the phone.
    pub contact_phone: Option<Option<String>>,
    pub status: Option<CompanyStatus>,
    /// The id of an active plan; `Some(None)` removes the plan (every feature, no limits but
    /// the company's own overrides).
    pub plan: Option<Option<String>>,
    /// Merged into the stored settings, key by key.
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Field errors collected for one 422 answer.
#[derive(Default)]
pub(crate) struct Errors(Vec<(String, String)>);

impl Errors {
    pub(crate) fn add(&mut self, field: &str, msg: impl Into<String>) {
        self.0.push((field.to_owned(), msg.into()));
    }

    pub(crate) fn finish(self) -> Result<(), PlatformError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(PlatformError::Invalid(self.0))
        }
    }
}

fn check_name(errs: &mut Errors, field: &str, name: &str) {
    let n = name.trim().chars().count();
    if n == 0 {
        errs.add(field, "is required");
    } else if n > 200 {
        errs.add(field, "must be at most 200 characters");
    }
}

/// Validates, records, and provisions a company. On a provisioning failure the company stays
/// registered as `FAILED` (retry with [`retry_provisioning`]) and the error names it.
pub async fn create(
    p: &Platform,
    input: NewCompany,
    actor: &Actor,
) -> Result<company::Model, PlatformError> {
    create_with_settings(p, input, serde_json::Map::new(), actor).await
}

/// [`create`] with initial settings of the platform's own (such as a sign-up's record).
pub(crate) async fn create_with_settings(
    p: &Platform,
    input: NewCompany,
    initial_settings: serde_json::Map<String, serde_json::Value>,
    actor: &Actor,
) -> Result<company::Model, PlatformError> {
    let mut errs = Errors::default();
    check_name(&mut errs, "name", &input.name);
    let subdomain = match Subdomain::parse(&input.subdomain) {
        Ok(s) => Some(s),
        Err(e) => {
            errs.add("subdomain", e.to_string());
            None
        }
    };
    if !is_plausible_email(&input.contact_email) {
        errs.add("contactEmail", "must be an email address");
    }
    if let Some(phone) = &input.contact_phone
        && !is_plausible_phone(phone)
    {
        errs.add("contactPhone", "must be a phone number");
    }
    if let Some(a) = &input.admin {
        if !is_plausible_email(&a.email) {
            errs.add("admin.email", "must be an email address");
        }
        check_name(&mut errs, "admin.name", &a.name);
        if let Err(e) = smartdmv_domain::password::check_new_password(&a.password) {
            errs.add("admin.password", e.to_string());
        }
    }
    errs.finish()?;
    let subdomain = subdomain.ok_or_else(|| PlatformError::invalid("subdomain", "is invalid"))?;

    let db = p.owner.conn();
    let plan = match input.plan.as_deref() {
        Some(raw) => Some(crate::plans::choosable(db, "plan", raw).await?),
        None => None,
    };
    if company::find_by_subdomain(db, subdomain.as_str())
        .await?
        .is_some()
    {
        return Err(PlatformError::conflict(
            "subdomain_taken",
            format!("subdomain {subdomain} is already taken"),
        ));
    }
    if let Some(url) = &input.database_url {
        p.provisioner.preflight_explicit(url).await?;
    }
    let admin = match input.admin {
        Some(a) => {
            let hash = crate::password::hash(a.password).await?;
            Some(SeedAdmin {
                email: a.email.trim().to_ascii_lowercase(),
                name: a.name.trim().to_owned(),
                password_hash: hash,
            })
        }
        None => None,
    };

    let placement = match &input.database_url {
        Some(url) => Placement::Explicit(url.clone()),
        None => choose_server(p).await?,
    };
    let now = smartdmv_store::now();
    // The creation instant on the billing clock: analytics count new companies by it.
    let created_at = crate::billing::clock::to_stored(p.clock.now());
    let mut settings = initial_settings;
    settings.insert(PENDING_SEED.into(), Seed::pending(admin.as_ref()));
    let mut row = company::Model {
        id: CompanyId::new(),
        name: input.name.trim().to_owned(),
        subdomain: subdomain.to_string(),
        contact_email: input.contact_email.trim().to_owned(),
        contact_phone: input.contact_phone.map(|s| s.trim().to_owned()),
        status: CompanyStatus::Provisioning,
        plan: plan.map(|pl| pl.id.to_string()),
        settings: serde_json::Value::Object(settings),
        db_backend: String::new(),
        db_server: None,
        db_name: String::new(),
        db_url_enc: None,
        schema_version: 0,
        provision_error: None,
        created_at,
        updated_at: now,
        archived_at: None,
    };
    p.provisioner.place(&mut row, &placement)?;
    let id = crate::work::write(db, actor, |w| async move {
        let row = company::insert(w.tx(), row).await?;
        let detail = serde_json::json!({
            "name": row.name, "subdomain": row.subdomain, "backend": row.db_backend,
            "explicitDatabase": row.db_url_enc.is_some(),
        });
        w.audit("company.create", Some(row.id), detail).await?;
        Ok::<_, PlatformError>(row.id)
    })
    .await?;
    let result = p.provisioner.provision_new(&p.owner, id).await;
    p.resolver.invalidate();
    let row = result?;
    start_subscription(p, &row, actor).await
}

/// A company provisioned on a plan starts its subscription (on the configured trial).
async fn start_subscription(
    p: &Platform,
    row: &company::Model,
    actor: &Actor,
) -> Result<company::Model, PlatformError> {
    let db = p.owner.conn();
    let plan = row.plan.as_deref().and_then(|s| s.parse::<PlanId>().ok());
    if let Some(plan) = plan
        && subscription::for_company(db, row.id).await?.is_none()
    {
        crate::billing::subscriptions::start_for_new_company(p, row.id, plan, actor).await?;
    }
    Ok(company::get(db, row.id).await?)
}

/// New companies go to the configured PostgreSQL server holding the fewest companies, or to
/// a SQLite file when no server is configured.
async fn choose_server(p: &Platform) -> Result<Placement, PlatformError> {
    let servers = &p.provisioner.config().pg_servers;
    if servers.is_empty() {
        return Ok(Placement::ManagedSqlite);
    }
    let mut best = (0usize, u64::MAX);
    for (i, url) in servers.iter().enumerate() {
        let key = <sea_orm::sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(url)
            .map(|o| smartdmv_tenancy::location::server_key_of(&o))
            .unwrap_or_default();
        let n = company::count_on_server(p.owner.conn(), &key).await?;
        if n < best.1 {
            best = (i, n);
        }
    }
    Ok(Placement::ManagedPostgres(best.0))
}

/// Runs the provisioning saga again for a `FAILED` (or interrupted) company.
pub async fn retry_provisioning(
    p: &Platform,
    id: CompanyId,
    actor: &Actor,
) -> Result<company::Model, PlatformError> {
    crate::work::write(p.owner.conn(), actor, |w| async move {
        w.audit(
            "company.provisioning_retry",
            Some(id),
            serde_json::json!({}),
        )
        .await
    })
    .await?;
    let r = p.provisioner.retry(&p.owner, id).await;
    p.resolver.invalidate();
    let row = r?;
    start_subscription(p, &row, actor).await
}

/// Applies changes to a company. Status changes follow the operator's allowed moves;
/// archiving goes through [`archive`].
pub async fn update(
    p: &Platform,
    id: CompanyId,
    changes: CompanyChanges,
    actor: &Actor,
) -> Result<company::Model, PlatformError> {
    let db = p.owner.conn();
    let before = company::get(db, id).await?;
    if before.status == CompanyStatus::Archived {
        return Err(PlatformError::conflict(
            "company_archived",
            "an archived company cannot be changed",
        ));
    }
    let mut errs = Errors::default();
    let mut after = before.clone();
    if let Some(name) = &changes.name {
        check_name(&mut errs, "name", name);
        after.name = name.trim().to_owned();
    }
    if let Some(s) = &changes.subdomain {
        match Subdomain::parse(s) {
            Ok(s) => after.subdomain = s.to_string(),
            Err(e) => errs.add("subdomain", e.to_string()),
        }
    }
    if let Some(e) = &changes.contact_email {
        if is_plausible_email(e) {
            after.contact_email = e.trim().to_owned();
        } else {
            errs.add("contactEmail", "must be an email address");
        }
    }
    if let Some(phone) = &changes.contact_phone {
        if let Some(ph) = phone
            && !is_plausible_phone(ph)
        {
            errs.add("contactPhone", "must be a phone number");
        }
        after.contact_phone = phone.as_ref().map(|s| s.trim().to_owned());
    }
    if changes.plan.is_some()
        && subscription::for_company(db, id)
            .await?
            .is_some_and(|s| s.status.is_live())
    {
        return Err(PlatformError::conflict(
            "subscription_exists",
            "the company has a subscription: change its plan through \
                      PUT /api/owner/companies/{id}/subscription",
        ));
    }
    match &changes.plan {
        Some(Some(raw)) if Some(raw.trim()) != before.plan.as_deref() => {
            match crate::plans::choosable(db, "plan", raw).await {
                Ok(pl) => after.plan = Some(pl.id.to_string()),
                Err(PlatformError::Invalid(f)) => errs.0.extend(f),
                Err(e) => return Err(e),
            }
        }
        Some(None) => after.plan = None,
        _ => {}
    }
    if let Some(st) = changes.status {
        if before.status.operator_may_set(st) {
            after.status = st;
        } else {
            errs.add(
                "status",
                format!("cannot change from {} to {st}", before.status),
            );
        }
    }
    if let Some(map) = changes.settings {
        let obj = after
            .settings
            .as_object_mut()
            .ok_or_else(|| PlatformError::Internal("settings are not an object".into()))?;
        for (k, v) in map {
            if k == PENDING_SEED || k == SIGNUP_SETTINGS {
                errs.add("settings", format!("{k} is reserved"));
                continue;
            }
            obj.insert(k, v);
        }
    }
    errs.finish()?;
    if after == before {
        return Ok(before);
    }
    let status_before = before.status;
    let saved = crate::work::write(db, actor, |w| async move {
        let saved = company::update(w.tx(), after).await?;
        let action = if saved.status != before.status {
            "company.status_change"
        } else {
            "company.update"
        };
        w.audit(action, Some(id), diff(&before, &saved)).await?;
        Ok::<_, PlatformError>(saved)
    })
    .await?;
    p.resolver.invalidate();
    if saved.status != status_before {
        p.registry.evict(id);
    }
    Ok(saved)
}

/// Stops serving a company at once and marks it `ARCHIVED`; its database is kept.
pub async fn archive(
    p: &Platform,
    id: CompanyId,
    actor: &Actor,
) -> Result<company::Model, PlatformError> {
    let db = p.owner.conn();
    let mut row = company::get(db, id).await?;
    if row.status == CompanyStatus::Archived {
        return Ok(row);
    }
    let from = row.status;
    row.status = CompanyStatus::Archived;
    row.archived_at = Some(smartdmv_store::now());
    let saved = crate::work::write(db, actor, |w| async move {
        let saved = company::update(w.tx(), row).await?;
        w.audit(
            "company.archive",
            Some(id),
            serde_json::json!({"from": from}),
        )
        .await?;
        Ok::<_, PlatformError>(saved)
    })
    .await?;
    p.resolver.invalidate();
    p.registry.evict(id);
    Ok(saved)
}

/// Registers a custom domain, unverified until [`verify_domain`].
pub async fn add_domain(
    p: &Platform,
    id: CompanyId,
    name: &str,
    actor: &Actor,
) -> Result<domain::Model, PlatformError> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    if !is_valid_domain(&name) {
        return Err(PlatformError::invalid(
            "domain",
            "must be a domain name such as abc-vet.com",
        ));
    }
    let base = p.base_domain.to_ascii_lowercase();
    if name == base || name.ends_with(&format!(".{base}")) || name == p.platform_host {
        return Err(PlatformError::invalid(
            "domain",
            "must not be the platform's own domain or one of its subdomains",
        ));
    }
    let db = p.owner.conn();
    let c = company::get(db, id).await?;
    let existing = domain::list_for(db, id).await?;
    let token: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    let row = domain::Model {
        id: DomainId::new(),
        company_id: c.id,
        domain: name,
        verified: false,
        is_primary: existing.is_empty(),
        verification_token: token,
        created_at: smartdmv_store::now(),
        verified_at: None,
    };
    domain_change(p, id, actor, "company.domain_add", async |tx| {
        Ok(domain::insert(tx, row).await?)
    })
    .await
}

/// Marks a domain verified: the operator attests that its DNS points at the platform (an
/// automatic DNS TXT check can replace this step).
pub async fn verify_domain(
    p: &Platform,
    id: CompanyId,
    domain_id: DomainId,
    actor: &Actor,
) -> Result<domain::Model, PlatformError> {
    domain_change(p, id, actor, "company.domain_verify", async |tx| {
        let d = domain::find_for(tx, id, domain_id).await?;
        if d.verified {
            Ok(d)
        } else {
            Ok(domain::mark_verified(tx, d).await?)
        }
    })
    .await
}

/// Removes a custom domain; requests for it stop resolving at once.
pub async fn remove_domain(
    p: &Platform,
    id: CompanyId,
    domain_id: DomainId,
    actor: &Actor,
) -> Result<(), PlatformError> {
    domain_change(p, id, actor, "company.domain_remove", async |tx| {
        let d = domain::find_for(tx, id, domain_id).await?;
        domain::delete(tx, id, domain_id).await?;
        Ok(d)
    })
    .await?;
    Ok(())
}

/// A change to one of a company's domains, written in one unit of work with its audit entry
/// `action` (`{"domain": ...}`); the resolver forgets what it knew at once.
async fn domain_change(
    p: &Platform,
    id: CompanyId,
    actor: &Actor,
    action: &'static str,
    change: impl AsyncFnOnce(&OwnerTransaction) -> Result<domain::Model, PlatformError>,
) -> Result<domain::Model, PlatformError> {
    let d = crate::work::write(p.owner.conn(), actor, |w| async move {
        let d = change(w.tx()).await?;
        w.audit(action, Some(id), serde_json::json!({"domain": d.domain}))
            .await?;
        Ok::<_, PlatformError>(d)
    })
    .await?;
    p.resolver.invalidate();
    Ok(d)
}

/// The changed fields as `{field: [before, after]}`; never includes database credentials.
fn diff(a: &company::Model, b: &company::Model) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, x: serde_json::Value, y: serde_json::Value| {
        if x != y {
            out.insert(k.into(), serde_json::json!([x, y]));
        }
    };
    put("name", a.name.clone().into(), b.name.clone().into());
    put(
        "subdomain",
        a.subdomain.clone().into(),
        b.subdomain.clone().into(),
    );
    put(
        "contactEmail",
        a.contact_email.clone().into(),
        b.contact_email.clone().into(),
    );
    put(
        "contactPhone",
        a.contact_phone.clone().into(),
        b.contact_phone.clone().into(),
    );
    put("status", a.status.as_str().into(), b.status.as_str().into());
    put("plan", a.plan.clone().into(), b.plan.clone().into());
    put("settings", a.settings.clone(), b.settings.clone());
    serde_json::Value::Object(out)
}
