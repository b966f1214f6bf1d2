//! What every page's layout needs: title, area navigation, the signed-in user, the CSRF
//! token of its forms, the flash message, the impersonation banner and the notice asking an
//! administrator who signed up to verify their address.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::csrf::{CsrfToken, Flash, FlashIn};
use crate::auth::TenantPrincipal;

/// The request facts a page needs for its layout (extracted by every page handler).
#[derive(Clone, Debug)]
pub struct PageCtx {
    pub csrf: String,
    pub flash: Option<Flash>,
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageCtx {
            csrf: parts
                .extensions
                .get::<CsrfToken>()
                .map(|t| t.0.clone())
                .unwrap_or_default(),
            flash: parts.extensions.get::<FlashIn>().and_then(|f| f.0.clone()),
            path: parts.uri.path().to_owned(),
        })
    }
}

/// The areas of the application, each with its own navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Public,
    Owner,
    Administrator,
    PracticeAdministrator,
    Staff,
    Client,
}

impl Area {
    pub fn slug(self) -> &'static str {
        match self {
            Area::Public => "public",
            Area::Owner => "owner",
            Area::Administrator => "administrator",
            Area::PracticeAdministrator => "practice-administrator",
            Area::Staff => "staff",
            Area::Client => "client",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Area::Public => "Sign in",
            Area::Owner => "Platform administration",
            Area::Administrator => "Company administration",
            Area::PracticeAdministrator => "Practice administration",
            Area::Staff => "Practice",
            Area::Client => "Client portal",
        }
    }

    pub fn home(self) -> &'static str {
        match self {
            Area::Public => "/",
            Area::Owner => "/owner",
            Area::Administrator => "/administrator",
            Area::PracticeAdministrator => "/practice-administrator",
            Area::Staff => "/practice",
            Area::Client => "/client",
        }
    }

    fn nav(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Area::Public => &[],
            Area::Owner => &[
                ("Dashboard", "/owner"),
                ("Analytics", "/owner/analytics"),
                ("Companies", "/owner/companies"),
                ("New company", "/owner/companies/new"),
                ("Plans", "/owner/plans"),
                ("Invoices", "/owner/invoices"),
                ("Platform users", "/owner/users"),
            ],
            Area::Administrator => &[
                ("Overview", "/administrator"),
                ("Practices", "/administrator/practices"),
                ("Users", "/administrator/users"),
                ("Roles", "/administrator/roles"),
                ("Audit log", "/administrator/audit"),
                ("Practice pages", "/practice"),
            ],
            Area::PracticeAdministrator => &[
                ("Overview", "/practice-administrator"),
                ("Users", "/practice-administrator/users"),
                ("Settings", "/practice-administrator/settings"),
                ("Audit log", "/practice-administrator/audit"),
                ("Practice pages", "/practice"),
            ],
            Area::Staff => &[
                ("Today", "/practice"),
                ("Clients", "/practice/clients"),
                ("Patients", "/practice/patients"),
                ("Schedule", "/practice/schedule"),
            ],
            Area::Client => &[
                ("My pets", "/client"),
                ("Appointments", "/client/appointments"),
                ("Request an appointment", "/client/appointments/new"),
            ],
        }
    }
}

#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// The entries of a navigation for the page at `path`: the longest entry that prefixes the
/// path is the current one.
fn nav_items<H: AsRef<str>>(path: &str, entries: &[(&'static str, H)]) -> Vec<NavItem> {
    let current = entries
        .iter()
        .map(|(_, href)| href.as_ref())
        .filter(|href| {
            path == *href
                || (path.starts_with(href) && path.as_bytes().get(href.len()) == Some(&b'/'))
        })
        .max_by_key(|href| href.len());
    entries
        .iter()
        .map(|(label, href)| NavItem {
            label,
            href: href.as_ref().to_owned(),
            current: Some(href.as_ref()) == current,
        })
        .collect()
}

/// The layout data of one page.
#[derive(Clone, Debug)]
pub struct Chrome {
    pub title: String,
    pub app_name: String,
    pub area: &'static str,
    pub area_label: &'static str,
    pub home: String,
    pub nav: Vec<NavItem>,
    pub user: Option<String>,
    pub can_change_password: bool,
    pub csrf: String,
    pub flash: Option<Flash>,
    pub impersonation: Option<String>,
    /// A notice about the account shown on every page (an address awaiting verification).
    pub notice: Option<String>,
    /// Seconds after which the page reloads itself (provisioning progress, no script).
    pub refresh: Option<u32>,
}

impl Chrome {
    pub fn new(ctx: &PageCtx, area: Area, title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            app_name: "SmartDMV".into(),
            area: area.slug(),
            area_label: area.label(),
            home: area.home().to_owned(),
            nav: nav_items(&ctx.path, area.nav()),
            user: None,
            can_change_password: false,
            csrf: ctx.csrf.clone(),
            flash: ctx.flash.clone(),
            impersonation: None,
            notice: None,
            refresh: None,
        }
    }

    /// The layout of a company user's page: company name, user, impersonation banner.
    pub fn tenant(
        ctx: &PageCtx,
        area: Area,
        title: impl Into<String>,
        p: &TenantPrincipal,
    ) -> Self {
        let mut c = Self::new(ctx, area, title);
        c.app_name = p.tenant.company.name.clone();
        c.user = Some(p.user.name.clone());
        c.can_change_password = p.session.impersonator.is_none();
        c.impersonation = p.session.impersonator.as_ref().map(|by| {
            format!(
                "Impersonated session: you act as {} ({}){}, opened by {by}; it ends at {} UTC",
                p.user.name,
                p.user.email,
                if p.session.read_only {
                    ", read-only"
                } else {
                    ""
                },
                p.session.expires_at.rfc3339()
            )
        });
        if area == Area::Administrator && !p.tenant.company.email_verified {
            c.notice = Some(
                "Please verify your email address: open the link in the message we sent you. \
                 Until then you can work, but not add or invite users."
                    .into(),
            );
        }
        c
    }

    pub fn platform(
        ctx: &PageCtx,
        title: impl Into<String>,
        p: &crate::auth::PlatformPrincipal,
    ) -> Self {
        let mut c = Self::new(ctx, Area::Owner, title);
        c.app_name = "SmartDMV Platform".into();
        c.user = Some(p.user.email.clone());
        c.can_change_password = true;
        if !p.is_owner() {
            // A company administrator's pages are their own company's.
            c.nav = match p.user.company_id {
                Some(id) => {
                    let base = format!("/owner/companies/{id}");
                    c.home = base.clone();
                    nav_items(
                        &ctx.path,
                        &[
                            ("My company", base.clone()),
                            ("Subscription", format!("{base}/subscription")),
                            ("Invoices", format!("{base}/invoices")),
                            ("Usage", format!("{base}/usage")),
                        ],
                    )
                }
                None => Vec::new(),
            };
        }
        c
    }
}
