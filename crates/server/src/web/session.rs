//! Who may open a page: the signed-in user of the host, held to the page's area. Pages gate
//! on the server: someone signed in but in the wrong area gets 403, someone signed out is
//! sent to sign in and brought back.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use smartdmv_domain::TenantRole;
use std::marker::PhantomData;
use std::ops::Deref;

use super::chrome::Area;
use super::error::WebError;
use crate::auth::{PlatformPrincipal, TenantPrincipal};
use crate::error::ApiError;
use crate::state::AppState;

fn sign_in_or(parts: &Parts, e: ApiError) -> WebError {
    if e.status == StatusCode::UNAUTHORIZED {
        WebError::SignIn {
            login: "/login",
            next: parts
                .uri
                .path_and_query()
                .map_or("/".into(), |p| p.as_str().to_owned()),
        }
    } else {
        e.into()
    }
}

/// A signed-in platform user (OWNER or COMPANY_ADMIN) on the platform host.
pub struct PlatformUser(pub PlatformPrincipal);

impl FromRequestParts<AppState> for PlatformUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if !state.is_platform_host(crate::extract::header(parts, "host")) {
            return Err(WebError::NotFound);
        }
        PlatformPrincipal::from_request_parts(parts, state)
            .await
            .map(PlatformUser)
            .map_err(|e| sign_in_or(parts, e))
    }
}

/// A signed-in platform OWNER.
pub struct Owner(pub PlatformPrincipal);

impl FromRequestParts<AppState> for Owner {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let PlatformUser(p) = PlatformUser::from_request_parts(parts, state).await?;
        if !p.is_owner() {
            return Err(WebError::Forbidden(
                "this page is for platform owners".into(),
            ));
        }
        Ok(Owner(p))
    }
}

/// An area of company pages and who may enter it.
pub trait TenantArea: Send + Sync + 'static {
    const AREA: Area;
    fn admits(p: &TenantPrincipal) -> bool;
}

fn has(p: &TenantPrincipal, r: TenantRole) -> bool {
    p.roles.contains(&r)
}

pub struct AdminArea;
pub struct PracticeAdminArea;
pub struct StaffArea;
pub struct ClientArea;

impl TenantArea for AdminArea {
    const AREA: Area = Area::Administrator;
    fn admits(p: &TenantPrincipal) -> bool {
        has(p, TenantRole::Administrator)
    }
}

impl TenantArea for PracticeAdminArea {
    const AREA: Area = Area::PracticeAdministrator;
    fn admits(p: &TenantPrincipal) -> bool {
        has(p, TenantRole::PracticeAdministrator) || has(p, TenantRole::Administrator)
    }
}

impl TenantArea for StaffArea {
    const AREA: Area = Area::Staff;
    fn admits(p: &TenantPrincipal) -> bool {
        !p.is_client()
    }
}

impl TenantArea for ClientArea {
    const AREA: Area = Area::Client;
    fn admits(p: &TenantPrincipal) -> bool {
        p.is_client()
    }
}

/// A signed-in user of the host's company who may enter area `A`.
pub struct InArea<A: TenantArea> {
    pub principal: TenantPrincipal,
    _area: PhantomData<A>,
}

impl<A: TenantArea> Deref for InArea<A> {
    type Target = TenantPrincipal;
    fn deref(&self) -> &TenantPrincipal {
        &self.principal
    }
}

impl<A: TenantArea> FromRequestParts<AppState> for InArea<A> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let p = tenant_user(parts, state).await?;
        if !A::admits(&p) {
            return Err(WebError::Forbidden(format!(
                "your role does not give access to the {} pages",
                A::AREA.label().to_lowercase()
            )));
        }
        Ok(Self {
            principal: p,
            _area: PhantomData,
        })
    }
}

/// Any signed-in user of the host's company.
pub async fn tenant_user(parts: &mut Parts, state: &AppState) -> Result<TenantPrincipal, WebError> {
    if state.is_platform_host(crate::extract::header(parts, "host")) {
        return Err(WebError::NotFound);
    }
    TenantPrincipal::from_request_parts(parts, state)
        .await
        .map_err(|e| sign_in_or(parts, e))
}

/// Where a company user lands after signing in.
pub fn landing(p: &TenantPrincipal) -> &'static str {
    if has(p, TenantRole::Administrator) {
        Area::Administrator.home()
    } else if has(p, TenantRole::PracticeAdministrator) {
        Area::PracticeAdministrator.home()
    } else if p.is_client() {
        Area::Client.home()
    } else {
        Area::Staff.home()
    }
}

/// Where a platform user lands after signing in.
pub fn platform_landing(p: &PlatformPrincipal) -> String {
    match (p.is_owner(), p.user.company_id) {
        (false, Some(c)) => format!("/owner/companies/{c}"),
        _ => "/owner".into(),
    }
}
