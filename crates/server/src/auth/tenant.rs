//! The principal of a company request: a live session of a user of the resolved company,
//! with the roles, practices and overrides that decide what they may do.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use smartdmv_domain::plan::Feature;
use smartdmv_store::tenant::session;
use std::marker::PhantomData;
use std::ops::Deref;

use super::feature::feature_not_in_plan;
use super::perms::Perm;
use super::token::{self, Source};
use crate::error::ApiError;
use crate::extract::{Tenant, client_ip, resolve_company};
use crate::state::AppState;

pub use smartdmv_practice::principal::{forbidden, now_unix};
pub use smartdmv_practice::{TenantPrincipal, build_access, is_portal_user};

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", detail)
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
        let tenant = Tenant::acquire(&state.platform.registry, company).await?;
        let now = smartdmv_store::now();
        let session = session::find_live(tenant.db(), &token::hash(&tok), now)
            .await
            .map_err(|e| tenant.db_error(e))?
            .ok_or_else(|| unauthenticated("the session has expired or was signed out"))?;
        let read_only = session.read_only;
        let principal = TenantPrincipal::from_session(tenant, session, client_ip(parts))
            .await?
            .map_err(unauthenticated)?
            .with_clock(state.platform.clock.clone());
        if read_only && !parts.method.is_safe() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only_session",
                "this impersonation session is read-only",
            ));
        }
        tracing::Span::current().record("user_id", tracing::field::display(principal.user.id));
        if principal.is_client() && !principal.tenant.company.has_feature(Feature::ClientPortal) {
            return Err(feature_not_in_plan(Feature::ClientPortal));
        }
        Ok(principal)
    }
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
        Self::check(TenantPrincipal::from_request_parts(parts, state).await?)
    }
}
