//! Who calls an owner service: a signed-in platform user, `OWNER` of the platform or
//! `COMPANY_ADMIN` of one company, with the platform they act on.

use smartdmv_domain::CompanyId;
use smartdmv_store::OwnerConnection;
use smartdmv_store::owner::platform_user;

use crate::{Actor, Platform, PlatformError, PlatformResult};

pub use smartdmv_domain::platform::PlatformRole;

/// A signed-in platform user.
#[derive(Clone)]
pub struct PlatformPrincipal {
    pub user: platform_user::Model,
    pub session: platform_user::session::Model,
    pub ip: Option<String>,
}

impl PlatformPrincipal {
    pub fn is_owner(&self) -> bool {
        self.user.role == PlatformRole::Owner
    }

    /// Forbidden unless an `OWNER`.
    pub fn require_owner(&self) -> PlatformResult<()> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(PlatformError::forbidden(
                "forbidden",
                "only a platform owner may do this",
            ))
        }
    }

    /// Whether this user may see a company: owners all, a `COMPANY_ADMIN` their own.
    pub fn sees(&self, company: CompanyId) -> bool {
        self.is_owner() || self.user.company_id == Some(company)
    }

    /// Not found for a company the user may not see, so that ids cannot be probed.
    pub fn require_sees(&self, company: CompanyId) -> PlatformResult<()> {
        if self.sees(company) {
            Ok(())
        } else {
            Err(PlatformError::NotFound("company"))
        }
    }

    /// The one company a `COMPANY_ADMIN` is confined to; `None` for an `OWNER`.
    pub fn confined_to(&self) -> Option<CompanyId> {
        (!self.is_owner()).then(|| self.user.company_id.unwrap_or(CompanyId(uuid::Uuid::nil())))
    }

    /// The actor of this user's changes in the owner audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            label: format!(
                "{}:{}",
                self.user.role.as_str().to_lowercase(),
                self.user.email
            ),
            ip: self.ip.clone(),
        }
    }
}

/// How the platform's public addresses look: the scheme and the port of a company's host.
#[derive(Debug, Clone)]
pub struct Links {
    /// `https` behind a proxy, `http` on a development domain.
    pub scheme: &'static str,
    /// `:8080` when the server is reached directly, empty otherwise.
    pub port: String,
}

impl Links {
    /// The address of a company's host.
    pub fn company_url(&self, base_domain: &str, subdomain: &str) -> String {
        format!("{}://{subdomain}.{base_domain}{}", self.scheme, self.port)
    }

    /// Whether the site runs on a development domain over plain HTTP (messages that would be
    /// delivered are logged instead).
    pub fn development(&self) -> bool {
        self.scheme == "http"
    }
}

/// The context of an owner service call: the platform, who acts, and the site's addresses.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub platform: &'a Platform,
    pub who: &'a PlatformPrincipal,
    pub links: &'a Links,
}

impl<'a> Cx<'a> {
    pub fn new(platform: &'a Platform, who: &'a PlatformPrincipal, links: &'a Links) -> Self {
        Self {
            platform,
            who,
            links,
        }
    }

    /// The owner database.
    pub fn db(&self) -> &'a OwnerConnection {
        self.platform.owner.conn()
    }

    pub fn company_url(&self, subdomain: &str) -> String {
        self.links
            .company_url(&self.platform.base_domain, subdomain)
    }
}
