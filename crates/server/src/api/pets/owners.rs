//! `/api/pets/{id}/owners`: a patient's owners as dated relationships. Ownerships are ended,
//! never deleted or rewritten: a transfer ends every current one, a change of primary owner
//! ends and restarts the two rows concerned. A patient always keeps one current owner, and
//! exactly one current owner is primary (partial unique indexes back this up).

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use sea_orm::DbErr;
use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::{client, patient_owner};
use uuid::Uuid;

use crate::api::Page;
use crate::api::auth::rfc3339;
use crate::api::clients::audit_practice;
use crate::api::fields::Errors;
use crate::auth::perms::{PetsRead, PetsUpdate};
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnershipOut {
    pub id: String,
    pub pet_id: String,
    pub client_id: String,
    pub client_name: Option<String>,
    pub primary: bool,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<String>,
}

impl OwnershipOut {
    fn new(o: &patient_owner::Model, clients: &[client::Model]) -> Self {
        Self {
            id: o.id.to_string(),
            pet_id: o.patient_id.to_string(),
            client_id: o.client_id.to_string(),
            client_name: clients
                .iter()
                .find(|c| c.id == o.client_id)
                .map(|c| format!("{} {}", c.first_name, c.last_name)),
            primary: o.is_primary,
            started_at: rfc3339(o.started_at),
            ended_at: o.ended_at.map(rfc3339),
            end_reason: o.end_reason.clone(),
        }
    }

    fn snapshot(o: &patient_owner::Model) -> serde_json::Value {
        serde_json::to_value(Self::new(o, &[])).unwrap_or_default()
    }
}

pub(crate) async fn outs(
    p: &TenantPrincipal,
    rows: &[patient_owner::Model],
) -> ApiResult<Vec<OwnershipOut>> {
    let ids: Vec<Uuid> = rows.iter().map(|o| o.client_id).collect();
    let clients = client::find_many(p.db(), &ids)
        .await
        .map_err(|e| p.db_error(e))?;
    Ok(rows
        .iter()
        .map(|o| OwnershipOut::new(o, &clients))
        .collect())
}

/// Starts an ownership now, with its audit entry, in `db`'s transaction.
pub async fn start(
    auth: &TenantPrincipal,
    db: &impl smartdmv_store::TenantConn,
    patient_id: Uuid,
    client_id: Uuid,
    primary: bool,
    now: time::OffsetDateTime,
) -> Result<patient_owner::Model, DbErr> {
    let saved = patient_owner::insert(
        db,
        patient_owner::Model {
            id: Uuid::now_v7(),
            patient_id,
            client_id,
            is_primary: primary,
            started_at: now,
            ended_at: None,
            end_reason: None,
            created_by: Some(auth.user.id),
        },
    )
    .await?;
    auth.audit(
        db,
        "create",
        "patient_owner",
        Some(saved.id),
        audit_practice(auth),
        None,
        Some(OwnershipOut::snapshot(&saved)),
    )
    .await?;
    Ok(saved)
}

/// Ends an ownership now, with its audit entry, in `db`'s transaction.
pub(crate) async fn finish(
    auth: &TenantPrincipal,
    db: &impl smartdmv_store::TenantConn,
    o: patient_owner::Model,
    now: time::OffsetDateTime,
    reason: &str,
) -> Result<patient_owner::Model, DbErr> {
    let before = OwnershipOut::snapshot(&o);
    let saved = patient_owner::end(db, o, now, reason).await?;
    auth.audit(
        db,
        "end",
        "patient_owner",
        Some(saved.id),
        audit_practice(auth),
        Some(before),
        Some(OwnershipOut::snapshot(&saved)),
    )
    .await?;
    Ok(saved)
}

/// `GET /api/pets/{id}/owners`: staff see the full dated history, oldest first; a client
/// sees the pet's current owners only.
pub async fn list(
    auth: Authorized<PetsRead>,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<OwnershipOut>>> {
    let pet = super::visible(&auth, &id).await?;
    let mut rows = patient_owner::history(auth.db(), pet.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    if auth.is_client() {
        rows.retain(|o| o.ended_at.is_none());
    }
    Ok(Json(Page {
        items: outs(&auth, &rows).await?,
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddOwner {
    pub client_id: Option<String>,
    /// The client becomes the primary owner (the previous primary stays a co-owner).
    pub primary: Option<bool>,
    /// Every current ownership ends ("transferred") and the client becomes the only,
    /// primary owner.
    #[serde(default)]
    pub transfer: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerChange {
    /// The client's new current ownership.
    pub ownership: OwnershipOut,
    /// Ownerships this change ended.
    pub ended: Vec<OwnershipOut>,
}

fn conflict(code: &'static str, detail: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, detail)
}

/// `POST /api/pets/{id}/owners`: adds a co-owner, makes a client the primary owner
/// (`primary: true`, also for a current co-owner), or transfers the pet (`transfer: true`).
pub async fn add(
    auth: Authorized<PetsUpdate>,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AddOwner>,
) -> ApiResult<(StatusCode, Json<OwnerChange>)> {
    let pet = super::visible(&auth, &id).await?;
    let mut errs = Errors::default();
    let new_owner =
        super::checks::owner_client(&auth, &mut errs, "clientId", b.client_id.as_deref()).await?;
    if b.transfer && b.primary == Some(false) {
        errs.add("primary", "a transfer makes the client the primary owner");
    }
    errs.finish()?;
    let Some(new_owner) = new_owner else {
        return Err(ApiError::internal("client checked above"));
    };
    let primary = b.transfer || b.primary == Some(true);
    let db = auth.db();
    let outcome = async {
        let txn = db.begin().await?;
        let now = smartdmv_store::now();
        let current = patient_owner::current(&txn, pet.id).await?;
        let theirs = current
            .iter()
            .find(|o| o.client_id == new_owner.id)
            .cloned();
        // A patient without a current owner (never left so by this API) gets a primary one.
        let primary = primary || current.is_empty();
        let mut ended = Vec::new();
        if b.transfer {
            if current.len() == 1 && theirs.is_some() {
                return Ok(Err("already_owner"));
            }
            for o in current {
                ended.push(finish(&auth, &txn, o, now, "transferred").await?);
            }
        } else {
            match &theirs {
                Some(o) if o.is_primary || !primary => return Ok(Err("already_owner")),
                _ => {}
            }
            if primary {
                // The old primary stays a co-owner; both rows restart so history shows when
                // the primary changed.
                for o in current.into_iter().filter(|o| o.is_primary) {
                    let client_id = o.client_id;
                    ended.push(finish(&auth, &txn, o, now, "primary changed").await?);
                    start(&auth, &txn, pet.id, client_id, false, now).await?;
                }
                if let Some(o) = theirs {
                    ended.push(finish(&auth, &txn, o, now, "primary changed").await?);
                }
            }
        }
        let ownership = start(&auth, &txn, pet.id, new_owner.id, primary, now).await?;
        txn.commit().await?;
        Ok::<_, DbErr>(Ok((ownership, ended)))
    }
    .await;
    let (ownership, ended) = match outcome {
        Ok(Ok(x)) => x,
        Ok(Err(_)) => {
            return Err(conflict(
                "already_owner",
                "the client is a current owner of this pet already",
            ));
        }
        Err(e) if smartdmv_store::is_unique_violation(&e) => {
            return Err(conflict(
                "ownership_conflict",
                "the pet's owners changed at the same time; try again",
            ));
        }
        Err(e) => return Err(auth.db_error(e).into()),
    };
    let mut all = vec![ownership];
    all.extend(ended);
    let mut out = outs(&auth, &all).await?.into_iter();
    let ownership = out
        .next()
        .ok_or_else(|| ApiError::internal("no ownership"))?;
    Ok((
        StatusCode::CREATED,
        Json(OwnerChange {
            ownership,
            ended: out.collect(),
        }),
    ))
}

/// `DELETE /api/pets/{id}/owners/{ownership_id}`: ends a current co-ownership. The last
/// owner cannot be removed (409 `last_owner`: transfer the pet instead), nor the primary
/// one while others remain (409 `primary_owner`: make another owner primary first).
pub async fn end(
    auth: Authorized<PetsUpdate>,
    Path((id, ownership_id)): Path<(String, String)>,
) -> ApiResult<Json<OwnershipOut>> {
    let pet = super::visible(&auth, &id).await?;
    let gone = || ApiError::not_found("ownership");
    let oid: Uuid = ownership_id.parse().map_err(|_| gone())?;
    let db = auth.db();
    let outcome = async {
        let txn = db.begin().await?;
        let Some(o) = patient_owner::find(&txn, oid)
            .await?
            .filter(|o| o.patient_id == pet.id)
        else {
            return Ok(Err(gone()));
        };
        if o.ended_at.is_some() {
            return Ok(Err(conflict(
                "ownership_ended",
                "this ownership has ended already",
            )));
        }
        let current = patient_owner::current(&txn, pet.id).await?;
        if current.len() <= 1 {
            return Ok(Err(conflict(
                "last_owner",
                "a pet keeps at least one owner; transfer it to another client instead",
            )));
        }
        if o.is_primary {
            return Ok(Err(conflict(
                "primary_owner",
                "make another owner primary first (POST /api/pets/{id}/owners with primary: true)",
            )));
        }
        let saved = finish(&auth, &txn, o, smartdmv_store::now(), "removed").await?;
        txn.commit().await?;
        Ok::<_, DbErr>(Ok(saved))
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    let saved = outcome?;
    let mut out = outs(&auth, &[saved]).await?;
    out.pop()
        .map(Json)
        .ok_or_else(|| ApiError::internal("no ownership"))
}
