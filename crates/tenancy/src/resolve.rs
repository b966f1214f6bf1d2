//! Resolving the company of a request from its Host header (subdomain of `BASE_DOMAIN` or a
//! verified custom domain) or its `X-Company-Id` header.
//!
//! Lookups are cached in process for a short time (one second by default) and the cache is
//! cleared on every company change made through this process, so other instances see a
//! change within the TTL. Negative answers are cached too, so a flood of unknown hosts does
//! not reach the owner database. Nothing here ever falls back to another company: a request
//! that names a company that cannot be served gets an error.

use smartdmv_domain::company::Serving;
use smartdmv_domain::plan::Feature;
use smartdmv_domain::{CompanyId, CompanyStatus};
use smartdmv_store::owner::{company, domain, plan};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::provision::Provisioner;
use crate::registry::TenantTarget;
use crate::{OwnerDb, TenancyError};

/// A company that requests may be served for, with where its database lives.
#[derive(Debug, Clone)]
pub struct ResolvedCompany {
    pub id: CompanyId,
    pub name: String,
    pub subdomain: String,
    pub status: CompanyStatus,
    pub target: Option<TenantTarget>,
    /// Usage limits the company is held to: its plan's, with `settings.limits` overriding
    /// them key by key ([`crate::entitlements::effective`]); an absent limit is unlimited.
    pub limits: Limits,
    /// The features the company may use: its plan's with `settings.features` overrides;
    /// `None` means every feature (the company has no plan).
    pub features: Option<BTreeSet<Feature>>,
    /// The company's branding colour (`settings.branding.primaryColor`, `#rrggbb`), when it
    /// set a valid one.
    pub brand_color: Option<String>,
    /// `false` while the address a company signed up with awaits verification (companies
    /// created by an operator have nothing to verify).
    pub email_verified: bool,
}

/// Whether the address of a self-service sign-up is verified (`settings.signup.verifiedAt`);
/// companies without a sign-up record count as verified.
pub fn signup_email_verified(settings: &serde_json::Value) -> bool {
    let s = &settings[SIGNUP_SETTINGS];
    s.is_null() || !s["verifiedAt"].is_null()
}

/// The settings key holding a self-service sign-up's record (`{email, verifiedAt}`); only the
/// platform writes it.
pub const SIGNUP_SETTINGS: &str = "signup";

/// `settings.branding.primaryColor` when it is a `#rrggbb` colour; anything else is ignored,
/// so a stored value can never inject text into a stylesheet.
pub fn brand_color(settings: &serde_json::Value) -> Option<String> {
    let c = settings["branding"]["primaryColor"].as_str()?;
    let hex = c.strip_prefix('#')?;
    (hex.len() == 6 && hex.chars().all(|ch| ch.is_ascii_hexdigit())).then(|| c.to_ascii_lowercase())
}

impl ResolvedCompany {
    pub fn has_feature(&self, f: Feature) -> bool {
        self.features.as_ref().is_none_or(|fs| fs.contains(&f))
    }
}

/// Usage limits of a company, checked by the tenant API before a write that would pass them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub max_practices: Option<u64>,
    pub max_users: Option<u64>,
    pub storage_bytes: Option<u64>,
    pub api_calls_per_month: Option<u64>,
}

impl Limits {
    /// Reads `{"limits": {"maxPractices": n, "maxUsers": n, "storageBytes": n,
    /// "apiCallsPerMonth": n}}` from company settings.
    pub fn from_settings(settings: &serde_json::Value) -> Self {
        let l = &settings["limits"];
        Self {
            max_practices: l["maxPractices"].as_u64(),
            max_users: l["maxUsers"].as_u64(),
            storage_bytes: l["storageBytes"].as_u64(),
            api_calls_per_month: l["apiCallsPerMonth"].as_u64(),
        }
    }
}

/// What a request's host and headers say about its tenant.
#[derive(Debug, Clone)]
pub enum TenantContext {
    /// The platform host (or a bare address) and no header: no tenant named.
    None,
    /// A company was named and can be served.
    Company(Arc<ResolvedCompany>),
}

/// The outcome of resolving a request.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Whether the request came to the platform host (owner routes live there).
    pub platform_host: bool,
    pub tenant: TenantContext,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Subdomain(String),
    Domain(String),
    Id(CompanyId),
}

type Cached = (Instant, Option<Arc<ResolvedCompany>>);

/// Resolves hosts and headers to companies.
#[derive(Clone)]
pub struct Resolver {
    owner: OwnerDb,
    provisioner: Provisioner,
    base_domain: String,
    platform_host: String,
    ttl: Duration,
    cache: Arc<Mutex<HashMap<Key, Cached>>>,
}

const CACHE_CAP: usize = 50_000;

enum HostKind {
    Platform,
    Bare,
    Subdomain(String),
    Domain(String),
    Invalid,
}

impl Resolver {
    pub fn new(
        owner: OwnerDb,
        provisioner: Provisioner,
        base_domain: &str,
        platform_host: &str,
        ttl: Duration,
    ) -> Self {
        Self {
            owner,
            provisioner,
            base_domain: base_domain.trim_end_matches('.').to_ascii_lowercase(),
            platform_host: platform_host.trim_end_matches('.').to_ascii_lowercase(),
            ttl,
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Forgets every cached answer; called after any change to a company or its domains.
    pub fn invalidate(&self) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn classify(&self, host: Option<&str>) -> HostKind {
        let Some(host) = host.map(normalize_host).filter(|h| !h.is_empty()) else {
            return HostKind::Bare;
        };
        if host == self.platform_host || host == self.base_domain {
            return HostKind::Platform;
        }
        if host.parse::<std::net::IpAddr>().is_ok() {
            return HostKind::Bare;
        }
        if let Some(label) = host
            .strip_suffix(&self.base_domain)
            .and_then(|p| p.strip_suffix('.'))
        {
            if label.contains('.') || label.is_empty() {
                return HostKind::Invalid;
            }
            return HostKind::Subdomain(label.to_owned());
        }
        if smartdmv_domain::text::is_valid_domain(&host) {
            HostKind::Domain(host)
        } else {
            HostKind::Invalid
        }
    }

    /// Resolves a request. `company_header` is the raw `X-Company-Id` value, if any.
    pub async fn resolve(
        &self,
        host: Option<&str>,
        company_header: Option<&str>,
    ) -> Result<Resolution, TenancyError> {
        let kind = self.classify(host);
        let platform_host = matches!(kind, HostKind::Platform);
        let from_host = match kind {
            HostKind::Platform | HostKind::Bare => None,
            HostKind::Invalid => return Err(TenancyError::UnknownCompany),
            HostKind::Subdomain(s) => Some(self.lookup(Key::Subdomain(s)).await?),
            HostKind::Domain(d) => Some(self.lookup(Key::Domain(d)).await?),
        };
        let from_header = match company_header.map(str::trim) {
            None => None,
            Some(raw) => {
                let id: CompanyId = raw.parse().map_err(|_| TenancyError::UnknownCompany)?;
                Some(self.lookup(Key::Id(id)).await?)
            }
        };
        let named = match (from_host, from_header) {
            (Some(h), Some(x)) => {
                let (h, x) = (
                    h.ok_or(TenancyError::UnknownCompany)?,
                    x.ok_or(TenancyError::UnknownCompany)?,
                );
                if h.id != x.id {
                    return Err(TenancyError::ContextConflict);
                }
                Some(h)
            }
            (Some(one), None) | (None, Some(one)) => Some(one.ok_or(TenancyError::UnknownCompany)?),
            (None, None) => None,
        };
        let tenant = match named {
            None => TenantContext::None,
            Some(c) => {
                check_serving(&c)?;
                TenantContext::Company(c)
            }
        };
        Ok(Resolution {
            platform_host,
            tenant,
        })
    }

    /// Resolves a company by id for serving (the default company, impersonation).
    pub async fn by_id(&self, id: CompanyId) -> Result<Arc<ResolvedCompany>, TenancyError> {
        let c = self
            .lookup(Key::Id(id))
            .await?
            .ok_or(TenancyError::UnknownCompany)?;
        check_serving(&c)?;
        Ok(c)
    }

    /// Resolves a company by subdomain for serving.
    pub async fn by_subdomain(&self, sub: &str) -> Result<Arc<ResolvedCompany>, TenancyError> {
        let c = self
            .lookup(Key::Subdomain(sub.to_owned()))
            .await?
            .ok_or(TenancyError::UnknownCompany)?;
        check_serving(&c)?;
        Ok(c)
    }

    /// A company as the tenant side sees it (limits, features), whatever its status.
    pub async fn describe(&self, id: CompanyId) -> Result<Arc<ResolvedCompany>, TenancyError> {
        self.lookup(Key::Id(id))
            .await?
            .ok_or(TenancyError::NotFound("company"))
    }

    async fn lookup(&self, key: Key) -> Result<Option<Arc<ResolvedCompany>>, TenancyError> {
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((at, v)) = cache.get(&key)
                && at.elapsed() < self.ttl
            {
                return Ok(v.clone());
            }
        }
        let db = self.owner.conn();
        let row = match &key {
            Key::Subdomain(s) => company::find_by_subdomain(db, s).await?,
            Key::Id(id) => company::find(db, *id).await?,
            Key::Domain(d) => match domain::find_by_domain(db, d).await? {
                Some(dm) if dm.verified => company::find(db, dm.company_id).await?,
                _ => None,
            },
        };
        let plan = match row.as_ref().and_then(|c| c.plan.as_deref()) {
            Some(raw) => match raw.parse() {
                Ok(id) => plan::find(db, id).await?,
                Err(_) => None,
            },
            None => None,
        };
        let resolved = row.map(|c| {
            let (limits, features) = crate::entitlements::effective(plan.as_ref(), &c.settings);
            let target = self
                .provisioner
                .location_of(&c)
                .ok()
                .map(|location| TenantTarget {
                    company: c.id,
                    location,
                    schema_version: c.schema_version,
                });
            Arc::new(ResolvedCompany {
                id: c.id,
                name: c.name.clone(),
                subdomain: c.subdomain.clone(),
                status: c.status,
                target,
                limits,
                features,
                brand_color: brand_color(&c.settings),
                email_verified: signup_email_verified(&c.settings),
            })
        });
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_CAP {
            cache.clear();
        }
        cache.insert(key, (Instant::now(), resolved.clone()));
        Ok(resolved)
    }
}

fn check_serving(c: &ResolvedCompany) -> Result<(), TenancyError> {
    match c.status.serving() {
        Serving::Serve => Ok(()),
        Serving::Suspended => Err(TenancyError::Suspended),
        Serving::NotReady => Err(TenancyError::NotReady(format!("company is {}", c.status))),
        Serving::Gone => Err(TenancyError::UnknownCompany),
    }
}

/// Lowercases a Host header value and removes its port and any trailing dot.
pub fn normalize_host(host: &str) -> String {
    let host = host.trim();
    let without_port = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        rest.split(']').next().unwrap_or("")
    } else if host.matches(':').count() == 1 {
        host.split(':').next().unwrap_or("")
    } else {
        host
    };
    without_port.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::{brand_color, normalize_host, signup_email_verified};

    #[test]
    fn only_a_pending_signup_is_unverified() {
        assert!(signup_email_verified(&serde_json::json!({})));
        assert!(!signup_email_verified(
            &serde_json::json!({"signup": {"email": "a@b.example", "verifiedAt": null}})
        ));
        assert!(signup_email_verified(
            &serde_json::json!({"signup": {"email": "a@b.example", "verifiedAt": "2026-11-29T10:00:00Z"}})
        ));
    }

    #[test]
    fn only_hex_colours_brand_a_company() {
        let s = |v: serde_json::Value| serde_json::json!({"branding": {"primaryColor": v}});
        assert_eq!(brand_color(&s("#1A2b3C".into())), Some("#1a2b3c".into()));
        assert_eq!(brand_color(&s("red".into())), None);
        assert_eq!(brand_color(&s("#12345".into())), None);
        assert_eq!(brand_color(&s("#123456;}body{".into())), None);
        assert_eq!(brand_color(&serde_json::json!({})), None);
    }

    #[test]
    fn hosts_are_normalized() {
        assert_eq!(
            normalize_host("Demo-Vet.LocalHost:8080"),
            "demo-vet.localhost"
        );
        assert_eq!(normalize_host("abc-vet.com."), "abc-vet.com");
        assert_eq!(normalize_host("[::1]:8080"), "::1");
        assert_eq!(normalize_host("127.0.0.1:80"), "127.0.0.1");
    }
}
