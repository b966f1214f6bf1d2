//! A patient's owners as dated relationships. Ownerships are ended, never deleted or
//! rewritten: a transfer ends every current one, a change of primary owner ends and
//! restarts the two rows concerned. A patient always keeps one current owner, and exactly
//! one current owner is primary (partial unique indexes back this up).

use serde::Deserialize;
use smartdmv_domain::{ClientId, IdInput, OwnershipId, PatientId};
use smartdmv_store::tenant::{client, patient_owner};

use super::{OwnershipOut, get};
use crate::clients::audit_practice;
use crate::fields::Errors;
use crate::work::{Change, Work};
use crate::{ServiceError, ServiceResult, TenantPrincipal};

/// An owner to add.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOwner {
    pub client_id: Option<IdInput<ClientId>>,
    /// The client becomes the primary owner (the previous primary stays a co-owner).
    pub primary: Option<bool>,
    /// Every current ownership ends ("transferred") and the client becomes the only,
    /// primary owner.
    #[serde(default)]
    pub transfer: bool,
}

/// What adding an owner did.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerChange {
    /// The client's new current ownership.
    pub ownership: OwnershipOut,
    /// Ownerships this change ended.
    pub ended: Vec<OwnershipOut>,
}

/// Ownerships with their clients' names.
pub async fn outs(
    cx: &TenantPrincipal,
    rows: &[patient_owner::Model],
) -> ServiceResult<Vec<OwnershipOut>> {
    let ids: Vec<ClientId> = rows.iter().map(|o| o.client_id).collect();
    let clients = client::find_many(cx.db(), &ids).await?;
    Ok(rows
        .iter()
        .map(|o| OwnershipOut::new(o, &clients))
        .collect())
}

/// Starts an ownership now, with its audit entry, in `w`'s transaction.
pub(crate) async fn start(
    cx: &TenantPrincipal,
    w: &Work,
    patient_id: PatientId,
    client_id: ClientId,
    primary: bool,
    now: smartdmv_store::Stamp,
) -> ServiceResult<patient_owner::Model> {
    let saved = patient_owner::insert(
        w.tx(),
        patient_owner::Model {
            id: OwnershipId::new(),
            patient_id,
            client_id,
            is_primary: primary,
            started_at: now,
            ended_at: None,
            end_reason: None,
            created_by: Some(cx.user.id),
        },
    )
    .await?;
    w.audit(Change {
        action: "create",
        entity: "patient_owner",
        entity_id: Some(saved.id.into()),
        practice_id: audit_practice(cx),
        before: None,
        after: Some(OwnershipOut::snapshot(&saved)),
    })
    .await?;
    Ok(saved)
}

/// Ends an ownership now, with its audit entry, in `w`'s transaction.
async fn finish(
    cx: &TenantPrincipal,
    w: &Work,
    o: patient_owner::Model,
    now: smartdmv_store::Stamp,
    reason: &str,
) -> ServiceResult<patient_owner::Model> {
    let before = OwnershipOut::snapshot(&o);
    let saved = patient_owner::end(w.tx(), o, now, reason).await?;
    w.audit(Change {
        action: "end",
        entity: "patient_owner",
        entity_id: Some(saved.id.into()),
        practice_id: audit_practice(cx),
        before: Some(before),
        after: Some(OwnershipOut::snapshot(&saved)),
    })
    .await?;
    Ok(saved)
}

/// Staff see the full dated history, oldest first; a client sees the pet's current owners
/// only.
pub async fn list(cx: &TenantPrincipal, id: PatientId) -> ServiceResult<Vec<OwnershipOut>> {
    let pet = get(cx, id).await?;
    let mut rows = patient_owner::history(cx.db(), pet.id).await?;
    if cx.is_client() {
        rows.retain(|o| o.ended_at.is_none());
    }
    outs(cx, &rows).await
}

fn already_owner() -> ServiceError {
    ServiceError::conflict(
        "already_owner",
        "the client is a current owner of this pet already",
    )
}

/// Adds a co-owner, makes a client the primary owner (`primary: true`, also for a current
/// co-owner), or transfers the pet (`transfer: true`).
pub async fn add(cx: &TenantPrincipal, id: PatientId, b: NewOwner) -> ServiceResult<OwnerChange> {
    let pet = get(cx, id).await?;
    let mut errs = Errors::default();
    let new_owner = super::checks::owner_client(cx, &mut errs, "clientId", b.client_id).await?;
    if b.transfer && b.primary == Some(false) {
        errs.add("primary", "a transfer makes the client the primary owner");
    }
    errs.finish()?;
    let new_owner = new_owner.ok_or_else(|| ServiceError::internal("client checked above"))?;
    let primary = b.transfer || b.primary == Some(true);
    let (ownership, ended) = cx
        .write(|w| async move {
            let now = smartdmv_store::now();
            let current = patient_owner::current(w.tx(), pet.id).await?;
            let theirs = current
                .iter()
                .find(|o| o.client_id == new_owner.id)
                .cloned();
            // A patient without a current owner (never left so by this service) gets a
            // primary one.
            let primary = primary || current.is_empty();
            let mut ended = Vec::new();
            if b.transfer {
                if current.len() == 1 && theirs.is_some() {
                    return Err(already_owner());
                }
                for o in current {
                    ended.push(finish(cx, &w, o, now, "transferred").await?);
                }
            } else {
                if theirs.as_ref().is_some_and(|o| o.is_primary || !primary) {
                    return Err(already_owner());
                }
                if primary {
                    // The old primary stays a co-owner; both rows restart so history shows
                    // when the primary changed.
                    for o in current.into_iter().filter(|o| o.is_primary) {
                        let client_id = o.client_id;
                        ended.push(finish(cx, &w, o, now, "primary changed").await?);
                        start(cx, &w, pet.id, client_id, false, now).await?;
                    }
                    if let Some(o) = theirs {
                        ended.push(finish(cx, &w, o, now, "primary changed").await?);
                    }
                }
            }
            let ownership = start(cx, &w, pet.id, new_owner.id, primary, now).await?;
            Ok((ownership, ended))
        })
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                ServiceError::conflict(
                    "ownership_conflict",
                    "the pet's owners changed at the same time; try again",
                )
            } else {
                e
            }
        })?;
    let mut all = vec![ownership];
    all.extend(ended);
    let mut out = outs(cx, &all).await?.into_iter();
    let ownership = out
        .next()
        .ok_or_else(|| ServiceError::internal("no ownership"))?;
    Ok(OwnerChange {
        ownership,
        ended: out.collect(),
    })
}

/// Ends a current co-ownership. The last owner cannot be removed (409 `last_owner`:
/// transfer the pet instead), nor the primary one while others remain (409
/// `primary_owner`: make another owner primary first).
pub async fn end(
    cx: &TenantPrincipal,
    id: PatientId,
    ownership_id: IdInput<OwnershipId>,
) -> ServiceResult<OwnershipOut> {
    let pet = get(cx, id).await?;
    let gone = || ServiceError::NotFound("ownership");
    let oid = ownership_id.id().ok_or_else(gone)?;
    let saved = cx
        .write(|w| async move {
            let Some(o) = patient_owner::find(w.tx(), oid)
                .await?
                .filter(|o| o.patient_id == pet.id)
            else {
                return Err(gone());
            };
            if o.ended_at.is_some() {
                return Err(ServiceError::conflict(
                    "ownership_ended",
                    "this ownership has ended already",
                ));
            }
            let current = patient_owner::current(w.tx(), pet.id).await?;
            if current.len() <= 1 {
                return Err(ServiceError::conflict(
                    "last_owner",
                    "a pet keeps at least one owner; transfer it to another client instead",
                ));
            }
            if o.is_primary {
                return Err(ServiceError::conflict(
                    "primary_owner",
                    "make another owner primary first (POST /api/pets/{id}/owners with primary: true)",
                ));
            }
            finish(cx, &w, o, smartdmv_store::now(), "removed").await
        })
        .await?;
    let mut out = outs(cx, &[saved]).await?;
    out.pop()
        .ok_or_else(|| ServiceError::internal("no ownership"))
}
