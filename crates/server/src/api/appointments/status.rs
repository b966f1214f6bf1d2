//! Status changes along [`AppointmentStatus`]'s machine, and cancellation (by staff, or by a
//! client on their own appointment before it starts).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde::Deserialize;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_store::tenant::{appointment, practice};

use super::booking::{Booking, book, patient_of, require_bookable};
use super::{AppointmentOut, out, status_of, to_instant, visible};
use crate::auth::perms::AppointmentsUpdate;
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use smartdmv_practice::practices::require_open;

fn names(ss: &[AppointmentStatus]) -> Vec<&'static str> {
    ss.iter().map(|s| s.as_str()).collect()
}

fn check_reason(r: &Option<String>) -> ApiResult<()> {
    if r.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(ApiError::invalid_field(
            "reason",
            "must be at most 2000 characters",
        ));
    }
    Ok(())
}

/// Moves an appointment to `to` if the machine allows it (409 `illegal_transition` naming
/// from, to and the allowed moves otherwise). Booking a request claims its veterinarian and
/// room, so the overlap check runs then.
pub(crate) async fn move_to(
    auth: &TenantPrincipal,
    m: appointment::Model,
    practice: &practice::Model,
    to: AppointmentStatus,
    reason: Option<String>,
    double_book: bool,
    action: &str,
) -> ApiResult<appointment::Model> {
    let from = status_of(&m);
    if !from.can_move_to(to) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "illegal_transition",
            format!(
                "an appointment cannot go from {from} to {to}; allowed: {}",
                match names(from.next()).join(", ") {
                    s if s.is_empty() => "nothing (it is over)".to_owned(),
                    s => s,
                }
            ),
        )
        .with("from", serde_json::json!(from.as_str()))
        .with("to", serde_json::json!(to.as_str()))
        .with("allowed", serde_json::json!(names(from.next()))));
    }
    let claims = to.blocks_resources() && !from.blocks_resources();
    if claims {
        require_open(practice)?;
        require_bookable(&patient_of(auth, &m).await?)?;
    }
    let reason = reason.filter(|r| !r.trim().is_empty());
    let mut n = m.clone();
    n.status = to.as_str().into();
    if to == AppointmentStatus::Cancelled {
        n.cancel_reason = reason.clone();
    }
    n.updated_at = smartdmv_store::now();
    book(
        auth,
        n,
        Booking {
            practice,
            before: Some(&m),
            check: claims,
            double_book: double_book && !auth.is_client(),
            action,
            note: reason.as_deref(),
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusBody {
    /// Required; optional in the type so that an unknown id answers 404 before the body is
    /// judged.
    pub status: Option<String>,
    pub reason: Option<String>,
    /// When booking a request: allow an overlap.
    #[serde(default)]
    pub double_book: bool,
}

/// `POST /api/appointments/{id}/status {status, reason?}`: staff move an appointment along
/// its flow (book a request, confirm, check in, start, complete, no-show, cancel).
pub(crate) async fn change(
    auth: Authorized<AppointmentsUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusBody>,
) -> ApiResult<Json<AppointmentOut>> {
    let (m, practice) = visible(&auth, &id).await?;
    if auth.is_client() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "clients can cancel their appointments (POST .../cancel) but not change their status",
        ));
    }
    let to =
        AppointmentStatus::parse(body.status.as_deref().unwrap_or_default()).ok_or_else(|| {
            ApiError::invalid_field(
                "status",
                format!(
                    "must be one of {}",
                    names(&AppointmentStatus::ALL).join(", ")
                ),
            )
        })?;
    check_reason(&body.reason)?;
    let saved = move_to(
        &auth,
        m,
        &practice,
        to,
        body.reason,
        body.double_book,
        "status",
    )
    .await?;
    Ok(Json(out(saved, &practice)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelBody {
    pub reason: Option<String>,
}

/// `POST /api/appointments/{id}/cancel {reason?}`: staff cancel what the machine allows; a
/// client cancels their own requested, booked or confirmed appointment before it starts.
pub(crate) async fn cancel(
    auth: Authorized<AppointmentsUpdate>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelBody>,
) -> ApiResult<Json<AppointmentOut>> {
    let (m, practice) = visible(&auth, &id).await?;
    check_reason(&body.reason)?;
    if auth.is_client() {
        let status = status_of(&m);
        if !status.client_may_cancel() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "cannot_cancel",
                format!("a {status} appointment can only be cancelled by the practice"),
            )
            .with("status", serde_json::json!(status.as_str())));
        }
        if to_instant(m.starts_at) <= jiff::Timestamp::now() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "cannot_cancel",
                "the appointment has already started; call the practice",
            )
            .with("status", serde_json::json!(status.as_str())));
        }
    }
    let saved = move_to(
        &auth,
        m,
        &practice,
        AppointmentStatus::Cancelled,
        body.reason,
        false,
        "cancel",
    )
    .await?;
    Ok(Json(out(saved, &practice)))
}
