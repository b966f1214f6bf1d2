//! Self-service sign-up on the owner side, for visitors (no platform user): the plans they
//! may choose, the sign-up itself (a company on a trial with its first administrator and a
//! one-time login hand-off), the verification of the address, and redeeming the hand-off.
//! The rules are [`crate::signup`]'; throttling by address stays at the HTTP edge.

use smartdmv_domain::CompanyId;
use smartdmv_domain::plan::PlanInterval;
use smartdmv_store::owner::plan;
use smartdmv_tenancy::TenantContext;
use smartdmv_tenancy::resolve::SIGNUP_SETTINGS;

use super::views::{HandoffOut, SignupOut, VerifiedOut};
use super::{Links, rfc3339};
use crate::signup::{self as business, Signup};
use crate::{Platform, PlatformError, PlatformResult};

/// A plan a visitor may choose.
#[derive(Debug, Clone)]
pub struct PlanChoice {
    pub id: String,
    pub name: String,
    pub price_cents: i64,
    pub currency: String,
    /// `month` or `year`.
    pub per: &'static str,
}

/// The active plans (the first hundred), oldest first.
pub async fn plans(p: &Platform) -> PlatformResult<Vec<PlanChoice>> {
    let plans = plan::list(p.owner.conn(), true, None, 100).await?;
    Ok(plans
        .into_iter()
        .map(|pl| PlanChoice {
            id: pl.id.to_string(),
            per: match pl.interval {
                PlanInterval::Monthly => "month",
                PlanInterval::Yearly => "year",
            },
            name: pl.name,
            price_cents: pl.price_cents,
            currency: pl.currency,
        })
        .collect())
}

/// Signs a company up from the address `ip` (see [`crate::signup::sign_up`]); the
/// verification link goes to the page `/signup/verify` on the company's host.
pub async fn sign_up(
    p: &Platform,
    links: &Links,
    form: Signup,
    ip: Option<String>,
) -> PlatformResult<SignupOut> {
    let verify_link = |sub: &str, token: &str| {
        format!(
            "{}/signup/verify?token={token}",
            links.company_url(&p.base_domain, sub)
        )
    };
    let done = business::sign_up(p, form, ip, verify_link).await?;
    let c = &done.company;
    if links.development() {
        tracing::info!(
            to = %c.contact_email,
            link = %done.verification_link,
            "verification email queued in the outbox (development: not delivered)"
        );
    }
    let url = links.company_url(&p.base_domain, &c.subdomain);
    Ok(SignupOut {
        company_id: c.id.to_string(),
        subdomain: c.subdomain.clone(),
        status: c.status,
        plan: c.plan.clone(),
        email_verified: false,
        handoff: HandoffOut {
            token: done.handoff_token,
            redeem_url: format!("{url}/api/auth/handoff"),
            expires_at: rfc3339(done.handoff_expires_at),
        },
        url,
    })
}

/// Verifies the address of a sign-up with the link's token, opened on `host` (with the
/// `X-Company-Id` header `company`): on a company's host only that company's tokens work.
pub async fn verify(
    p: &Platform,
    token: Option<&str>,
    host: Option<&str>,
    company: Option<&str>,
) -> PlatformResult<VerifiedOut> {
    let token = token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| PlatformError::bad_request("invalid_query", "token is required"))?;
    let resolution = p.resolver.resolve(host, company).await?;
    let on_host_of = match resolution.tenant {
        TenantContext::Company(c) => Some(c.id),
        TenantContext::None => None,
    };
    let c = business::verify_email(p, token, on_host_of).await?;
    Ok(VerifiedOut {
        company_id: c.id.to_string(),
        email: c.settings[SIGNUP_SETTINGS]["email"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        email_verified: true,
    })
}

/// Uses a login hand-off of `company`; answers the email of the administrator to sign in.
/// Unknown, used, expired and other companies' tokens are all not found alike.
pub async fn redeem_handoff(
    p: &Platform,
    company: CompanyId,
    token: &str,
) -> PlatformResult<String> {
    business::redeem_handoff(p, company, token).await
}
