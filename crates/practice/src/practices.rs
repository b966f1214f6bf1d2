//! Practices as the other services need them: the practice an input names (or the caller's
//! only one), and the rule that a closed practice takes no new bookings.

use serde_json::json;
use smartdmv_store::tenant::practice;
use uuid::Uuid;

use crate::{Refusal, ServiceError, ServiceResult, TenantPrincipal};

/// The practice an input names (or `default`, or the caller's only practice), if the caller
/// works there. Unknown practices and practices out of reach answer the same 422.
pub async fn for_input(
    cx: &TenantPrincipal,
    raw: Option<&str>,
    default: Option<Uuid>,
) -> ServiceResult<practice::Model> {
    let id = match raw {
        Some(s) => s.parse::<Uuid>().ok(),
        None => default.or(match cx.practices.as_slice() {
            [only] => Some(*only),
            _ => None,
        }),
    };
    let Some(id) = id else {
        return Err(ServiceError::invalid(
            "practiceId",
            match raw {
                Some(_) => "is not a practice id",
                None => "is required: you work in more than one practice",
            },
        ));
    };
    practice::find(cx.db(), id)
        .await?
        .filter(|p| cx.is_client() || cx.in_scope(Some(p.id)))
        .ok_or_else(|| ServiceError::invalid("practiceId", "unknown practice"))
}

/// 409 `practice_closed` for a closed practice.
pub fn require_open(p: &practice::Model) -> ServiceResult<()> {
    if p.active {
        Ok(())
    } else {
        Err(ServiceError::Conflict(
            Refusal::new(
                "practice_closed",
                format!("{} is closed and takes no new bookings", p.name),
            )
            .with("practiceId", json!(p.id.to_string())),
        ))
    }
}
