//! Status changes along [`AppointmentStatus`]'s machine, and cancellation (by staff, or by a
//! client on their own appointment before it starts).

use serde::Deserialize;
use serde_json::json;
use smartdmv_domain::AppointmentId;
use smartdmv_domain::schedule::{self, AppointmentStatus};
use smartdmv_store::tenant::{appointment, practice};

use super::booking::{Booking, book, patient_of, require_bookable};
use super::{AppointmentOut, to_instant, visible};
use crate::practices::require_open;
use crate::{Refusal, ServiceError, ServiceResult, TenantPrincipal};

fn names(ss: &[AppointmentStatus]) -> Vec<&'static str> {
    ss.iter().map(|s| s.as_str()).collect()
}

fn check_reason(r: &Option<String>) -> ServiceResult<()> {
    if schedule::reason_too_long(r.as_deref()) {
        return Err(ServiceError::invalid(
            "reason",
            "must be at most 2000 characters",
        ));
    }
    Ok(())
}

/// Moves an appointment to `to` if the machine allows it (409 `illegal_transition` naming
/// from, to and the allowed moves otherwise). Booking a request claims its veterinarian and
/// room, so the overlap check runs then.
async fn move_to(
    cx: &TenantPrincipal,
    m: appointment::Model,
    practice: &practice::Model,
    to: AppointmentStatus,
    reason: Option<String>,
    double_book: bool,
    action: &str,
) -> ServiceResult<appointment::Model> {
    let from = m.status;
    if !from.can_move_to(to) {
        return Err(ServiceError::Conflict(
            Refusal::new(
                "illegal_transition",
                format!(
                    "an appointment cannot go from {from} to {to}; allowed: {}",
                    match names(from.next()).join(", ") {
                        s if s.is_empty() => "nothing (it is over)".to_owned(),
                        s => s,
                    }
                ),
            )
            .with("from", json!(from.as_str()))
            .with("to", json!(to.as_str()))
            .with("allowed", json!(names(from.next()))),
        ));
    }
    let claims = to.blocks_resources() && !from.blocks_resources();
    if claims {
        require_open(practice)?;
        require_bookable(&patient_of(cx, &m).await?)?;
    }
    let reason = reason.filter(|r| !r.trim().is_empty());
    let mut n = m.clone();
    n.status = to;
    if to == AppointmentStatus::Cancelled {
        n.cancel_reason = reason.clone();
    }
    n.updated_at = smartdmv_store::now();
    book(
        cx,
        n,
        Booking {
            practice,
            before: Some(&m),
            check: claims,
            double_book: double_book && !cx.is_client(),
            action,
            note: reason.as_deref(),
        },
    )
    .await
}

/// A move along the status flow.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChange {
    /// Required; optional here so that an unknown appointment answers 404 before the input
    /// is judged.
    pub status: Option<String>,
    pub reason: Option<String>,
    /// When booking a request: allow an overlap.
    #[serde(default)]
    pub double_book: bool,
}

/// Staff move an appointment along its flow (book a request, confirm, check in, start,
/// complete, no-show, cancel).
pub async fn change_status(
    cx: &TenantPrincipal,
    id: AppointmentId,
    change: StatusChange,
) -> ServiceResult<AppointmentOut> {
    let (m, practice) = visible(cx, id).await?;
    if cx.is_client() {
        return Err(ServiceError::forbidden(
            "forbidden",
            "clients can cancel their appointments (POST .../cancel) but not change their status",
        ));
    }
    let to = AppointmentStatus::parse(change.status.as_deref().unwrap_or_default()).ok_or_else(
        || {
            ServiceError::invalid(
                "status",
                format!(
                    "must be one of {}",
                    names(&AppointmentStatus::ALL).join(", ")
                ),
            )
        },
    )?;
    check_reason(&change.reason)?;
    let saved = move_to(
        cx,
        m,
        &practice,
        to,
        change.reason,
        change.double_book,
        "status",
    )
    .await?;
    Ok(AppointmentOut::new(saved, &practice))
}

/// Staff cancel what the machine allows; a client cancels their own requested, booked or
/// confirmed appointment before it starts.
pub async fn cancel(
    cx: &TenantPrincipal,
    id: AppointmentId,
    reason: Option<String>,
) -> ServiceResult<AppointmentOut> {
    let (m, practice) = visible(cx, id).await?;
    check_reason(&reason)?;
    if cx.is_client() {
        let status = m.status;
        if !status.client_may_cancel() {
            return Err(ServiceError::Conflict(
                Refusal::new(
                    "cannot_cancel",
                    format!("a {status} appointment can only be cancelled by the practice"),
                )
                .with("status", json!(status.as_str())),
            ));
        }
        if to_instant(m.starts_at) <= jiff::Timestamp::now() {
            return Err(ServiceError::Conflict(
                Refusal::new(
                    "cannot_cancel",
                    "the appointment has already started; call the practice",
                )
                .with("status", json!(status.as_str())),
            ));
        }
    }
    let saved = move_to(
        cx,
        m,
        &practice,
        AppointmentStatus::Cancelled,
        reason,
        false,
        "cancel",
    )
    .await?;
    Ok(AppointmentOut::new(saved, &practice))
}
