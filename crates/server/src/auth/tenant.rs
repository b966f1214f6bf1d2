//! The principal of a company request: a live session of a user of the resolved company,
//! with the roles, practices and overrides that decide what they may do.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use smartdmv_domain::TenantRole;
use smartdmv_domain::perm::{Access, Override, Permission};
use smartdmv_domain::plan::Feature;
use smartdmv_store::tenant::{access, session, user};
use std::marker::PhantomData;
use std::ops::Deref;
use uuid::Uuid;

use super::feature::feature_not_in_plan;
use super::perms::Perm;
use super::token::{self, Source};
use crate::error::ApiError;
use crate::extract::{Tenant, client_ip, resolve_company};
use crate::state::AppState;

/// A signed-in user of the request's company.
pub struct TenantPrincipal {
    pub tenant: Tenant,
    pub user: user::Model,
    /// Built-in roles: the primary role and any extra ones.
    pub roles: Vec<TenantRole>,
    /// Ids of the custom roles held.
    pub custom_roles: Vec<Uuid>,
    pub access: Access,
    /// Home practice and assigned practices.
    pub practices: Vec<Uuid>,
    pub session: session::Model,
    pub source: Source,
    pub ip: Option<String>,
}

pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

impl TenantPrincipal {
    pub fn can(&self, p: Permission) -> bool {
        self.access.allows(p, now_unix())
    }

    /// 403 `forbidden` unless the permission is held.
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
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
    pub fn practice_scope(&self) -> Option<&[Uuid]> {
        (!self.company_wide()).then_some(self.practices.as_slice())
    }

    pub fn in_scope(&self, practice: Option<Uuid>) -> bool {
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

    pub fn db(&self) -> &sea_orm::DatabaseConnection {
        self.tenant.db.conn()
    }

    pub fn db_error(&self, e: sea_orm::DbErr) -> ApiError {
        self.tenant.db_error(e)
    }

    /// Appends an audit entry attributed to this principal. Pass the transaction of the
    /// change so that the entry and the change commit or fail together.
    #[allow(clippy::too_many_arguments)]
    pub async fn audit(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        action: &str,
        entity: &str,
        entity_id: Option<Uuid>,
        practice_id: Option<Uuid>,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<(), sea_orm::DbErr> {
        smartdmv_store::tenant::audit::append(
            db,
            smartdmv_store::tenant::audit::Entry {
                actor_id: Some(self.user.id),
                actor: &self.actor_label(),
                action,
                entity,
                entity_id,
                practice_id,
                before,
                after,
                ip: self.ip.clone(),
            },
        )
        .await
    }

    /// The same principal with its own lease of the company's database, so that one page
    /// can call several API handlers (each takes its principal by value).
    pub async fn fork(&self, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self {
            tenant: Tenant::acquire(state, self.tenant.company.clone()).await?,
            user: self.user.clone(),
            roles: self.roles.clone(),
            custom_roles: self.custom_roles.clone(),
            access: self.access.clone(),
            practices: self.practices.clone(),
            session: self.session.clone(),
            source: self.source,
            ip: self.ip.clone(),
        })
    }

    /// For a `CLIENT` user: the client record their portal account is linked to. Staff get
    /// `None`. A client user without a linked record sees nothing of anyone's.
    pub async fn own_client(
        &self,
    ) -> Result<Option<smartdmv_store::tenant::client::Model>, ApiError> {
        if !self.is_client() {
            return Ok(None);
        }
        smartdmv_store::tenant::client::find_by_user(self.db(), self.user.id)
            .await
            .map_err(|e| self.db_error(e))
    }
}

pub fn forbidden(p: Permission) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        format!("this needs the permission {p}"),
    )
}

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
}

/// Builds a user's access from their rows.
pub fn build_access(
    u: &user::Model,
    rows: &access::UserAccessRows,
) -> (Vec<TenantRole>, Vec<Uuid>, Access, Vec<Uuid>) {
    let mut roles: Vec<TenantRole> = TenantRole::parse(&u.role).into_iter().collect();
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
                expires_at: o.expires_at.map(|t| t.unix_timestamp()),
            })
        })
        .collect();
    let mut practices: Vec<Uuid> = u.practice_id.into_iter().collect();
    practices.extend(rows.practice_ids.iter().copied());
    practices.sort();
    practices.dedup();
    let custom_ids = rows.custom_roles.iter().map(|r| r.id).collect();
    let access = Access::new(&roles, custom, overrides);
    (roles, custom_ids, access, practices)
}

impl FromRequestParts<AppState> for TenantPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let company = resolve_company(parts, state).await?;
        let (tok, source) = token::credential(parts, token::TENANT_COOKIE).ok_or_else(|| {
            unauthenticated("sign in first: send the session cookie or a bearer token")
        })?;
        match token::token_company(&tok) {
            Some(c) if c == company.id => {}
            Some(_) => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "company_mismatch",
                    "these credentials belong to another company",
                ));
            }
            None => return Err(unauthenticated("the session token is not valid")),
        }
        if source == Source::Cookie && !token::same_origin(parts) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf_failed",
                "cross-site request refused: send it from the application's own pages",
            ));
        }
        let tenant = Tenant::acquire(state, company).await?;
        let db = tenant.db.conn();
        let now = smartdmv_store::now();
        let session = session::find_live(db, &token::hash(&tok), now)
            .await
            .map_err(|e| tenant.db_error(e))?
            .ok_or_else(|| unauthenticated("the session has expired or was signed out"))?;
        let user = user::find(db, session.user_id)
            .await
            .map_err(|e| tenant.db_error(e))?
            .filter(|u| u.active)
            .ok_or_else(|| unauthenticated("the session's user is no longer active"))?;
        if session.read_only && !parts.method.is_safe() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only_session",
                "this impersonation session is read-only",
            ));
        }
        let rows = access::load_user_access(db, user.id)
            .await
            .map_err(|e| tenant.db_error(e))?;
        let (roles, custom_roles, access, practices) = build_access(&user, &rows);
        tracing::Span::current().record("user_id", tracing::field::display(user.id));
        let principal = TenantPrincipal {
            tenant,
            user,
            roles,
            custom_roles,
            access,
            practices,
            session,
            source,
            ip: client_ip(parts),
        };
        if principal.is_client() && !principal.tenant.company.has_feature(Feature::ClientPortal) {
            return Err(feature_not_in_plan(Feature::ClientPortal));
        }
        Ok(principal)
    }
}

/// Whether a user is a pet owner's portal login: `CLIENT` and nothing else.
pub async fn is_portal_user(
    db: &impl sea_orm::ConnectionTrait,
    u: &user::Model,
) -> Result<bool, sea_orm::DbErr> {
    if TenantRole::parse(&u.role) != Some(TenantRole::Client) {
        return Ok(false);
    }
    let rows = access::load_user_access(db, u.id).await?;
    let (roles, custom, _, _) = build_access(u, &rows);
    Ok(roles.iter().all(|r| *r == TenantRole::Client) && custom.is_empty())
}

/// A principal holding the permission `P`, checked before the handler body runs.
pub struct Authorized<P: Perm> {
    pub principal: TenantPrincipal,
    _perm: PhantomData<P>,
}

impl<P: Perm> Deref for Authorized<P> {
    type Target = TenantPrincipal;
    fn deref(&self) -> &TenantPrincipal {
        &self.principal
    }
}

impl<P: Perm> Authorized<P> {
    /// The principal, if it holds `P` (what the extractor checks), for callers that already
    /// have one: the web pages call the API's handlers with it.
    pub fn check(principal: TenantPrincipal) -> Result<Self, ApiError> {
        principal.require(P::PERM)?;
        Ok(Self {
            principal,
            _perm: PhantomData,
        })
    }
}

impl<P: Perm> FromRequestParts<AppState> for Authorized<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = TenantPrincipal::from_request_parts(parts, state).await?;
        principal.require(P::PERM)?;
        Ok(Self {
            principal,
            _perm: PhantomData,
        })
    }
}
