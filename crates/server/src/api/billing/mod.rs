//! Platform billing on the owner API: subscriptions, invoices and payments, the billing tick
//! on demand, analytics, payment providers' webhooks and the payments no invoice took.
//! Handlers only map HTTP to the services of `smartdmv_platform::billing`.

pub mod invoices;
pub mod subscriptions;
pub mod unapplied;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use smartdmv_platform::billing::analytics::Analytics;
use smartdmv_platform::billing::provider::{SIGNATURE_HEADER, WebhookError};
use smartdmv_platform::billing::tick::TickReport;
use smartdmv_platform::billing::webhook::{self, WebhookFailure, WebhookOutcome};
use smartdmv_platform::service::analytics;
use smartdmv_platform::service::invoices as invoice_service;

use crate::auth::OwnerCall;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(subscriptions::routes())
        .merge(invoices::routes())
        .merge(unapplied::routes())
        .route("/api/owner/billing/run", post(run))
        .route("/api/owner/analytics", get(show_analytics))
        .route("/api/billing/webhooks/{provider}", post(receive_webhook))
}

/// `POST /api/owner/billing/run`: runs the billing tick now, for the billing clock's time.
async fn run(call: OwnerCall) -> ApiResult<Json<TickReport>> {
    Ok(Json(invoice_service::run_billing(&call.cx()).await?))
}

/// `GET /api/owner/analytics`
async fn show_analytics(call: OwnerCall) -> ApiResult<Json<Analytics>> {
    Ok(Json(analytics::get(&call.cx()).await?))
}

/// `POST /api/billing/webhooks/{provider}` (platform host, no session): a provider's signed
/// event. A redelivered event answers 200 `duplicate` and changes nothing; a payment its
/// invoice cannot take answers 200 `unapplied` (or `partly_applied`) with a `reason`.
pub(crate) async fn receive_webhook(
    State(s): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookOutcome>> {
    crate::api::platform_host_only(&s, &headers)?;
    let sig = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    match webhook::handle(&s.platform, &provider, sig, &body).await {
        Ok(o) => Ok(Json(o)),
        Err(WebhookFailure::Apply(e)) => Err(e.into()),
        Err(WebhookFailure::Verify(e)) => Err(webhook_error(e)),
    }
}

fn webhook_error(e: WebhookError) -> ApiError {
    let detail = e.to_string();
    match e {
        WebhookError::NotSupported(_) => {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_provider", detail)
        }
        WebhookError::MalformedSignature => {
            ApiError::bad_request("invalid_signature_header", detail)
        }
        WebhookError::BadSignature => {
            ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", detail)
        }
        WebhookError::Stale(_) => ApiError::bad_request("stale_webhook", detail),
        WebhookError::BadBody(_) => ApiError::bad_request("invalid_event", detail),
    }
}
