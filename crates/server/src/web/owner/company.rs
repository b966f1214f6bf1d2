//! One company in the owner dashboard: creating it (on a plan or none), its page (details,
//! plan, domains, users, schema, usage, links to its subscription, invoices and usage) and
//! the owner's actions on it: suspend, reactivate, archive (with confirmation), retry
//! provisioning, domains, and impersonation with a reason.

use crate::web::posted::{Posted, Record, Submitted};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use smartdmv_domain::CompanyStatus;
use smartdmv_domain::ids::DomainId;

use super::super::chrome::{Chrome, PageCtx};
use super::super::csrf::{Flash, Form};
use super::super::error::{WebError, WebResult};
use super::super::session::{Owner, PlatformUser};
use super::super::{FormErrors, html, redirect_flash};
use super::company_id;
use super::plans::price;
use super::subscription::PlanOption;
use crate::error::ApiError;
use crate::extract::Tenant;
use crate::state::AppState;
use smartdmv_platform::company::{CompanyChanges, NewAdmin, NewCompany};
use smartdmv_platform::service::impersonation::Impersonation;
use smartdmv_platform::service::views::CompanyOut;
use smartdmv_platform::service::{companies, plans};

#[derive(Template)]
#[template(path = "owner/company_new.html")]
struct NewPage {
    chrome: Chrome,
    form: NewCompanyForm,
    /// The active plans a new company may be put on.
    plans: Vec<PlanOption>,
    errors: FormErrors,
}

async fn new_page(
    s: &AppState,
    ctx: &PageCtx,
    op: &crate::auth::PlatformPrincipal,
    form: NewCompanyForm,
    errors: FormErrors,
) -> WebResult<Response> {
    let plans = plans::all(&s.owner(op), true)
        .await?
        .iter()
        .map(|p| PlanOption {
            id: p.id.clone(),
            label: format!("{} — {}", p.name, price(p)),
            selected: form.plan == p.id,
        })
        .collect();
    html(&NewPage {
        chrome: Chrome::platform(ctx, "New company", op),
        form,
        plans,
        errors,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCompanyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    subdomain: String,
    #[serde(default)]
    contact_email: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    admin_email: String,
    #[serde(default)]
    admin_name: String,
    #[serde(default)]
    admin_password: String,
}

pub async fn new_form(
    State(s): State<AppState>,
    ctx: PageCtx,
    Owner(op): Owner,
) -> WebResult<Response> {
    new_page(
        &s,
        &ctx,
        &op,
        NewCompanyForm::default(),
        FormErrors::default(),
    )
    .await
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `POST /owner/companies`: the API's validation, then the company's page, which follows
/// provisioning until the company is ready.
pub async fn create(
    Submitted(s, ctx, Owner(op), form): Submitted<Owner, NewCompanyForm>,
) -> WebResult<Response> {
    let admin = (!form.admin_email.trim().is_empty()).then(|| NewAdmin {
        email: form.admin_email.clone(),
        name: form.admin_name.clone(),
        password: form.admin_password.clone(),
    });
    let input = NewCompany {
        name: form.name.clone(),
        subdomain: form.subdomain.clone(),
        contact_email: form.contact_email.clone(),
        contact_phone: opt(&form.contact_phone),
        database_url: None,
        plan: opt(&form.plan),
        admin,
    };
    match companies::create(&s.owner(&op), input)
        .await
        .map_err(ApiError::from)
    {
        Ok(c) => Ok(redirect_flash(
            &s,
            &format!("/owner/companies/{}", c.id),
            Flash::success(format!("Company {} was created.", c.name)),
        )),
        Err(e) if e.status.is_client_error() => {
            let status = e.status;
            let mut errors = FormErrors::from_api(e);
            // The API names the administrator's fields `admin.x`; the form `adminX`.
            for (api, field) in [
                ("admin.email", "adminEmail"),
                ("admin.name", "adminName"),
                ("admin.password", "adminPassword"),
            ] {
                if let Some(m) = errors.fields.remove(api) {
                    errors.fields.insert(field.into(), m);
                }
            }
            let form = NewCompanyForm {
                admin_password: String::new(),
                ..form
            };
            let mut resp = new_page(&s, &ctx, &op, form, errors).await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(e) if e.code == "provisioning_failed" => {
            let id = e
                .extra
                .get("companyId")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            Ok(redirect_flash(
                &s,
                &format!("/owner/companies/{id}"),
                Flash::error(
                    "The company was registered but its database could not be provisioned.",
                ),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "owner/company.html")]
struct CompanyPage {
    chrome: Chrome,
    c: CompanyOut,
    /// The name of the company's plan (its id when the plan cannot be read).
    plan_name: Option<String>,
    is_owner: bool,
    usage: Option<Usage>,
    provisioning: bool,
    suspended: bool,
    failed: bool,
}

pub struct Usage {
    pub users: u64,
    pub practices: u64,
}

/// Counts read from the company's own database; `None` when it cannot be reached (the page
/// still shows everything the owner database knows).
async fn usage(s: &AppState, c: &CompanyOut) -> Option<Usage> {
    let id = c.id.parse().ok()?;
    let resolved = s.platform.resolver.by_id(id).await.ok()?;
    let tenant = Tenant::acquire(&s.platform.registry, resolved).await.ok()?;
    let db = tenant.db();
    Some(Usage {
        users: smartdmv_store::tenant::user::count(db).await.ok()?,
        practices: smartdmv_store::tenant::practice::count_active(db)
            .await
            .ok()?,
    })
}

/// `GET /owner/companies/{id}`: OWNERs see every company, a COMPANY_ADMIN their own.
pub async fn show(
    Record(s, ctx, PlatformUser(op), id): Record<PlatformUser>,
) -> WebResult<Response> {
    let c = companies::get(&s.owner(&op), company_id(&id)?).await?;
    let status = c.status;
    let provisioning = status == CompanyStatus::Provisioning;
    let usage = if matches!(
        status,
        CompanyStatus::Active | CompanyStatus::Trial | CompanyStatus::PastDue
    ) {
        usage(&s, &c).await
    } else {
        None
    };
    let plan_name = match c.plan.clone() {
        Some(pid) => Some(plans::name_of(&s.owner(&op), &pid).await.unwrap_or(pid)),
        None => None,
    };
    let mut chrome = Chrome::platform(&ctx, c.name.clone(), &op);
    if provisioning {
        chrome.refresh = Some(2);
    }
    // The impersonation form redirects to the company's host, which `form-action 'self'`
    // would block: this page allows that one origin too.
    let origin = c.url.clone();
    let mut resp = html(&CompanyPage {
        chrome,
        plan_name,
        is_owner: op.is_owner(),
        usage,
        provisioning,
        suspended: status == CompanyStatus::Suspended,
        failed: status == CompanyStatus::Failed,
        c,
    })?;
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self' {origin}"
    )) {
        resp.headers_mut().insert("content-security-policy", v);
    }
    Ok(resp)
}

/// The company's page again with the outcome of an action on it as the flash: `done`'s
/// message on success, the refusal's detail on a 4xx or on a refusal coded `also_shown`;
/// anything else is the error page.
fn flash_back<T>(
    s: &AppState,
    id: &str,
    r: Result<T, impl Into<ApiError>>,
    also_shown: Option<&str>,
    done: impl FnOnce(T) -> String,
) -> WebResult<Response> {
    let flash = match r.map_err(Into::into) {
        Ok(v) => Flash::success(done(v)),
        Err(e) if e.status.is_client_error() || Some(e.code) == also_shown => {
            Flash::error(e.detail)
        }
        Err(e) => return Err(e.into()),
    };
    Ok(redirect_flash(s, &format!("/owner/companies/{id}"), flash))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

/// `POST /owner/companies/{id}/status`: suspend or reactivate.
pub async fn set_status(
    Posted(s, _, Owner(op), id, form): Posted<Owner, StatusForm>,
) -> WebResult<Response> {
    let status = match form.status.as_str() {
        "SUSPENDED" => CompanyStatus::Suspended,
        "ACTIVE" => CompanyStatus::Active,
        _ => return Err(WebError::BadRequest("unknown status".into())),
    };
    let changes = CompanyChanges {
        status: Some(status),
        ..CompanyChanges::default()
    };
    let r = companies::update(&s.owner(&op), company_id(&id)?, changes).await;
    flash_back(&s, &id, r, None, |c| {
        format!("{} is now {}.", c.name, c.status)
    })
}

/// `POST /owner/companies/{id}/provision`
pub async fn retry(
    Posted(s, _, Owner(op), id, _): Posted<Owner, serde_json::Map<String, serde_json::Value>>,
) -> WebResult<Response> {
    let r = companies::retry_provisioning(&s.owner(&op), company_id(&id)?).await;
    flash_back(&s, &id, r, Some("provisioning_failed"), |_| {
        "Provisioning succeeded.".into()
    })
}

#[derive(Template)]
#[template(path = "owner/archive.html")]
struct ArchivePage {
    chrome: Chrome,
    c: CompanyOut,
}

/// `GET /owner/companies/{id}/archive`: the confirmation.
pub async fn archive_confirm(Record(s, ctx, Owner(op), id): Record<Owner>) -> WebResult<Response> {
    let c = companies::get(&s.owner(&op), company_id(&id)?).await?;
    html(&ArchivePage {
        chrome: Chrome::platform(&ctx, format!("Archive {}", c.name), &op),
        c,
    })
}

#[derive(Deserialize)]
pub struct ArchiveForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /owner/companies/{id}/archive`: needs the subdomain typed as confirmation.
pub async fn archive(
    Posted(s, _, Owner(op), id, form): Posted<Owner, ArchiveForm>,
) -> WebResult<Response> {
    let c = companies::get(&s.owner(&op), company_id(&id)?).await?;
    if form.confirm.trim() != c.subdomain {
        return Ok(redirect_flash(
            &s,
            &format!("/owner/companies/{id}/archive"),
            Flash::error("Type the company's subdomain exactly to confirm."),
        ));
    }
    let c = companies::archive(&s.owner(&op), company_id(&id)?).await?;
    Ok(redirect_flash(
        &s,
        "/owner/companies",
        Flash::success(format!("{} was archived; its database is kept.", c.name)),
    ))
}

#[derive(Deserialize)]
pub struct DomainForm {
    #[serde(default)]
    domain: String,
}

/// `POST /owner/companies/{id}/domains`
pub async fn add_domain(
    Posted(s, _, PlatformUser(op), id, form): Posted<PlatformUser, DomainForm>,
) -> WebResult<Response> {
    let r = companies::add_domain(&s.owner(&op), company_id(&id)?, &form.domain).await;
    flash_back(&s, &id, r, None, |d| {
        format!("{} was added; verify it next.", d.domain)
    })
}

/// `POST /owner/companies/{id}/domains/{domain}/verify`
pub async fn verify_domain(
    State(s): State<AppState>,
    Owner(op): Owner,
    Path((id, domain)): Path<(String, String)>,
    Form(_): Form<serde_json::Map<String, serde_json::Value>>,
) -> WebResult<Response> {
    let domain = domain.parse().unwrap_or(DomainId(uuid::Uuid::nil()));
    let r = companies::verify_domain(&s.owner(&op), company_id(&id)?, domain).await;
    flash_back(&s, &id, r, None, |d| format!("{} is verified.", d.domain))
}

#[derive(Deserialize)]
pub struct ImpersonateForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    writable: Option<String>,
}

/// `POST /owner/companies/{id}/impersonate`: opens the session, then hands it to the
/// company's host (cookies are per host) through `/session/handoff`.
pub async fn impersonate(
    Posted(s, _, Owner(op), id, form): Posted<Owner, ImpersonateForm>,
) -> WebResult<Response> {
    let back = format!("/owner/companies/{id}");
    let c = companies::get(&s.owner(&op), company_id(&id)?).await?;
    let minutes = match form.minutes.trim() {
        "" => None,
        m => Some(
            m.parse::<i64>()
                .map_err(|_| WebError::BadRequest("minutes must be a whole number".into()))?,
        ),
    };
    let req = Impersonation {
        user_id: None,
        email: Some(form.email),
        reason: form.reason,
        writable: form.writable.is_some(),
        minutes,
    };
    let company = company_id(&id)?;
    match crate::auth::impersonation::start(&s, &op, company, req).await {
        Ok(started) => Ok(Redirect::to(&format!(
            "{}/session/handoff?token={}",
            c.url,
            super::super::url_encode(&started.token)
        ))
        .into_response()),
        Err(e) if e.status.is_client_error() => {
            Ok(redirect_flash(&s, &back, Flash::error(e.detail)))
        }
        Err(e) => Err(e.into()),
    }
}
