//! Feature flags of the company's plan, checked before a handler runs: a handler taking
//! [`Featured<F>`] answers 403 `feature_not_in_plan` naming the feature when the company's
//! plan (with its per-company overrides) lacks it. Portal users (`CLIENT`) are refused the
//! same way by the principal extractor when the company has no `client_portal`.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use smartdmv_domain::plan::Feature;
use std::marker::PhantomData;

use crate::error::ApiError;
use crate::extract::resolve_company;
use crate::state::AppState;

/// A feature a route belongs to, as a type.
pub trait Gate: Send + Sync + 'static {
    const FEATURE: Feature;
}

/// Marker types of the features that gate routes.
pub mod feat {
    use super::{Feature, Gate};

    /// Client self-registration and portal accounts.
    pub struct ClientPortal;
    /// `/api/import/...`.
    pub struct DataImport;
    /// Creating and editing custom roles.
    pub struct CustomRoles;

    impl Gate for ClientPortal {
        const FEATURE: Feature = Feature::ClientPortal;
    }
    impl Gate for DataImport {
        const FEATURE: Feature = Feature::DataImport;
    }
    impl Gate for CustomRoles {
        const FEATURE: Feature = Feature::CustomRoles;
    }
}

/// 403 `feature_not_in_plan` with the feature named.
pub fn feature_not_in_plan(f: Feature) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "feature_not_in_plan",
        format!("the company's plan does not include {f}"),
    )
    .with("feature", serde_json::json!(f.as_str()))
}

/// Proof that the request's company may use the feature `F`.
pub struct Featured<F: Gate>(PhantomData<F>);

impl<F: Gate> Featured<F> {
    /// The same check for a company already resolved (the web pages call the API's
    /// handlers with it).
    pub fn check(company: &smartdmv_tenancy::resolve::ResolvedCompany) -> Result<Self, ApiError> {
        if company.has_feature(F::FEATURE) {
            Ok(Self(PhantomData))
        } else {
            Err(feature_not_in_plan(F::FEATURE))
        }
    }
}

impl<F: Gate> FromRequestParts<AppState> for Featured<F> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let company = resolve_company(parts, state).await?;
        Self::check(&company)
    }
}
