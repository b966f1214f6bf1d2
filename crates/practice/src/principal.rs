//! The principal of a company request, which is also the context every tenant service
//! takes: a live session of a user of the resolved company, the roles, practices and
//! overrides that decide what they may do, and the lease on the company's database.

use smartdmv_domain::perm::{Access, Override, Permission};
use smartdmv_domain::{PracticeId, RoleId, TenantRole};
use smartdmv_store::TenantConnection;
use smartdmv_store::tenant::{access, session, user};
use smartdmv_tenancy::TenantRegistry;
use smartdmv_tenancy::clock::{Clock, SystemClock};
use std::sync::Arc;

use crate::{ServiceError, ServiceResult, Tenant};

/// A signed-in user of the request's company, with the company's database.
pub struct TenantPrincipal {
    pub tenant: Tenant,
    pub user: user::Model,
    /// Built-in roles: the primary role and any extra ones.
    pub roles: Vec<TenantRole>,
    /// Ids of the custom roles held.
    pub custom_roles: Vec<RoleId>,
    pub access: Access,
    /// Home practice and assigned practices.
    pub practices: Vec<PracticeId>,
    pub session: session::Model,
    pub ip: Option<String>,
    /// The platform's clock, which time rules (a note's lock) are judged by.
    pub clock: Arc<dyn Clock>,
}

pub fn now_unix() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// 403 `forbidden` naming the permission.
pub fn forbidden(p: Permission) -> ServiceError {
    ServiceError::forbidden("forbidden", format!("this needs the permission {p}"))
}

impl TenantPrincipal {
    /// The principal of `session`'s user, if the session is live and the user active.
    /// `Ok(None)` when it is not (the caller answers 401 with its own words).
    pub async fn from_session(
        tenant: Tenant,
        session: session::Model,
        ip: Option<String>,
    ) -> ServiceResult<Result<Self, &'static str>> {
        let db = tenant.db();
        let Some(user) = user::find(db, session.user_id).await?.filter(|u| u.active) else {
            return Ok(Err("the session's user is no longer active"));
        };
        let rows = access::load_user_access(db, user.id).await?;
        let (roles, custom_roles, access, practices) = build_access(&user, &rows);
        Ok(Ok(Self {
            tenant,
            user,
            roles,
            custom_roles,
            access,
            practices,
            session,
            ip,
            clock: Arc::new(SystemClock),
        }))
    }

    /// The principal of `user` acting outside any request (the demo data's administrator, a
    /// test's staff): a session of `minutes` is opened for them as a sign-in opens one, but
    /// without a password check or a `login` audit entry. Never for a request: requests
    /// come with their session ([`TenantPrincipal::from_session`]).
    pub async fn signed_in_as(
        tenant: Tenant,
        user: &user::Model,
        minutes: i64,
    ) -> ServiceResult<Self> {
        let company = tenant.company.id;
        let (_, session) =
            crate::account::open_session(tenant.db(), company, user, None, false, minutes).await?;
        Self::from_session(tenant, session, None)
            .await?
            .map_err(ServiceError::internal)
    }

    /// The principal reading time from `clock` (the platform's) instead of the system's.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Now on the principal's clock, as stored.
    pub fn now(&self) -> smartdmv_store::Stamp {
        smartdmv_store::Stamp::micros(self.clock.now())
    }

    pub fn can(&self, p: Permission) -> bool {
        self.access.allows(p, now_unix())
    }

    /// 403 `forbidden` unless the permission is held.
    pub fn require(&self, p: Permission) -> ServiceResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(forbidden(p))
        }
    }

    /// Administrators reach every practice; everyone else their own.
    pub fn company_wide(&self) -> bool {
        self.roles
            .iter()
            .any(|r| smartdmv_domain::perm::is_company_wide(*r))
    }

    /// `None` for company-wide users, else the practices they may work in.
    pub fn practice_scope(&self) -> Option<&[PracticeId]> {
        (!self.company_wide()).then_some(self.practices.as_slice())
    }

    pub fn in_scope(&self, practice: Option<PracticeId>) -> bool {
        match (self.practice_scope(), practice) {
            (None, _) => true,
            (Some(ps), Some(p)) => ps.contains(&p),
            (Some(_), None) => false,
        }
    }

    pub fn is_client(&self) -> bool {
        self.roles.iter().all(|r| *r == TenantRole::Client) && self.custom_roles.is_empty()
    }

    /// Who acts, for audit entries: the user, and the impersonating operator if any.
    pub fn actor_label(&self) -> String {
        match &self.session.impersonator {
            Some(by) => format!("{} (impersonated by {by})", self.user.email),
            None => self.user.email.clone(),
        }
    }

    /// The company's database.
    pub fn db(&self) -> &TenantConnection {
        self.tenant.db()
    }

    /// A database error of this tenant, classified (see [`ServiceError`]).
    pub fn db_error(&self, e: sea_orm::DbErr) -> ServiceError {
        e.into()
    }

    /// The same principal with its own lease of the company's database.
    pub async fn fork(&self, registry: &TenantRegistry) -> ServiceResult<Self> {
        Ok(Self {
            tenant: Tenant::acquire(registry, self.tenant.company.clone()).await?,
            user: self.user.clone(),
            roles: self.roles.clone(),
            custom_roles: self.custom_roles.clone(),
            access: self.access.clone(),
            practices: self.practices.clone(),
            session: self.session.clone(),
            ip: self.ip.clone(),
            clock: self.clock.clone(),
        })
    }

    /// For a `CLIENT` user: the client record their portal account is linked to. Staff get
    /// `None`. A client user without a linked record sees nothing of anyone's.
    pub async fn own_client(&self) -> ServiceResult<Option<smartdmv_store::tenant::client::Model>> {
        if !self.is_client() {
            return Ok(None);
        }
        Ok(smartdmv_store::tenant::client::find_by_user(self.db(), self.user.id).await?)
    }
}

/// Builds a user's access from their rows.
pub fn build_access(
    u: &user::Model,
    rows: &access::UserAccessRows,
) -> (Vec<TenantRole>, Vec<RoleId>, Access, Vec<PracticeId>) {
    let mut roles = vec![u.role];
    roles.extend(rows.role_keys.iter().filter_map(|k| TenantRole::parse(k)));
    roles.sort_by_key(|r| r.as_str());
    roles.dedup();
    let custom: Vec<Permission> = rows
        .custom_roles
        .iter()
        .flat_map(|r| r.permissions.as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().and_then(Permission::parse))
        .collect();
    let overrides = rows
        .overrides
        .iter()
        .filter_map(|o| {
            Some(Override {
                permission: Permission::parse(&o.permission)?,
                grant: o.grant,
                expires_at: o.expires_at.map(|t| t.as_second()),
            })
        })
        .collect();
    let mut practices: Vec<PracticeId> = u.practice_id.into_iter().collect();
    practices.extend(rows.practice_ids.iter().copied());
    practices.sort();
    practices.dedup();
    let custom_ids = rows.custom_roles.iter().map(|r| r.id).collect();
    let access = Access::new(&roles, custom, overrides);
    (roles, custom_ids, access, practices)
}

/// Whether a user is a pet owner's portal login: `CLIENT` and nothing else.
pub async fn is_portal_user(
    db: &impl smartdmv_store::TenantConn,
    u: &user::Model,
) -> Result<bool, sea_orm::DbErr> {
    if u.role != TenantRole::Client {
        return Ok(false);
    }
    let rows = access::load_user_access(db, u.id).await?;
    let (roles, custom, _, _) = build_access(u, &rows);
    Ok(roles.iter().all(|r| *r == TenantRole::Client) && custom.is_empty())
}
