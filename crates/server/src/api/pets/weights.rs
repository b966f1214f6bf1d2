//! `/api/pets/{id}/weights`: a patient's weight history, newest first. A weighing is a
//! positive value in kg, g, lb or oz, measured now or in the past.

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sea_orm::DbErr;
use smartdmv_domain::patient::{WeightUnit, check_weight};
use smartdmv_store::tenant::patient_weight;
use uuid::Uuid;

use super::body::{WeightIn, WeightOut};
use crate::api::clients::audit_practice;
use crate::api::fields::Errors;
use crate::api::{Page, PageParams};
use crate::auth::perms::{PetsRead, PetsUpdate};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};

/// How far ahead of the server's clock a `measuredAt` may be (clocks of devices drift).
const CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// A checked weighing.
#[derive(Debug, Clone, Copy)]
pub struct Weighing {
    pub value: f64,
    pub unit: WeightUnit,
    pub measured_at: time::OffsetDateTime,
}

/// Checks a weighing; field errors are named `<prefix>value` and so on.
pub fn check(errs: &mut Errors, prefix: &str, w: &WeightIn) -> Option<Weighing> {
    let Some(unit) = WeightUnit::parse(w.unit.trim()) else {
        errs.add(format!("{prefix}unit"), "must be one of kg, g, lb, oz");
        return None;
    };
    if let Err(m) = check_weight(w.value, unit) {
        errs.add(format!("{prefix}value"), m);
        return None;
    }
    let now = smartdmv_store::now();
    let measured_at = match &w.measured_at {
        None => now,
        Some(raw) => {
            match time::OffsetDateTime::parse(
                raw.trim(),
                &time::format_description::well_known::Rfc3339,
            ) {
                Err(_) => {
                    errs.add(format!("{prefix}measuredAt"), "must be an RFC 3339 time");
                    return None;
                }
                Ok(t) if t > now + CLOCK_SKEW => {
                    errs.add(format!("{prefix}measuredAt"), "cannot be in the future");
                    return None;
                }
                Ok(t) => {
                    let t = t.to_offset(time::UtcOffset::UTC);
                    t.replace_nanosecond(t.nanosecond() / 1000 * 1000)
                        .unwrap_or(t)
                }
            }
        }
    };
    Some(Weighing {
        value: w.value,
        unit,
        measured_at,
    })
}

/// Stores a weighing with its audit entry, in `db`'s transaction.
pub async fn record(
    auth: &TenantPrincipal,
    db: &impl smartdmv_store::TenantConn,
    patient_id: Uuid,
    w: Weighing,
) -> Result<patient_weight::Model, DbErr> {
    let saved = patient_weight::insert(
        db,
        patient_weight::Model {
            id: Uuid::now_v7(),
            patient_id,
            value: w.value,
            unit: w.unit.as_str().into(),
            measured_at: w.measured_at,
            recorded_by: Some(auth.user.id),
        },
    )
    .await?;
    auth.audit(
        db,
        "create",
        "patient_weight",
        Some(saved.id),
        audit_practice(auth),
        None,
        serde_json::to_value(WeightOut::from(&saved)).ok(),
    )
    .await?;
    Ok(saved)
}

/// `GET /api/pets/{id}/weights`: newest first.
pub async fn list(
    auth: Authorized<PetsRead>,
    Path(id): Path<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> ApiResult<Json<Page<WeightOut>>> {
    let pet = super::visible(&auth, &id).await?;
    let limit = page.limit()?;
    let mut rows = patient_weight::history_page(auth.db(), pet.id, page.cursor()?, limit + 1)
        .await
        .map_err(|e| auth.db_error(e))?;
    let next_cursor = crate::api::next_cursor(&mut rows, limit, |r| r.id.to_string());
    Ok(Json(Page {
        items: rows.iter().map(WeightOut::from).collect(),
        next_cursor,
    }))
}

/// `POST /api/pets/{id}/weights`
pub async fn create(
    auth: Authorized<PetsUpdate>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<WeightIn>,
) -> ApiResult<(StatusCode, Json<WeightOut>)> {
    let pet = super::visible(&auth, &id).await?;
    let mut errs = Errors::default();
    let w = check(&mut errs, "", &b);
    errs.finish()?;
    let Some(w) = w else {
        return Err(crate::error::ApiError::internal("weighing checked above"));
    };
    let db = auth.db();
    let saved = async {
        let txn = db.begin().await?;
        let saved = record(&auth, &txn, pet.id, w).await?;
        txn.commit().await?;
        Ok::<_, DbErr>(saved)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok((StatusCode::CREATED, Json(WeightOut::from(&saved))))
}
