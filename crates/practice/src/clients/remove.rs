//! Removing a client: retention decides between deactivating and erasing.

use serde::Serialize;
use smartdmv_domain::ClientId;
use smartdmv_store::StoreError;
use smartdmv_store::tenant::{client, client_contact, search, session, user};

use super::{ClientOut, audit_practice, get};
use crate::work::{Change, Work};
use crate::{ServiceError, ServiceResult, TenantPrincipal};

/// What removing a client did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Removed {
    pub id: String,
    /// `deactivated` (the client has records to retain) or `erased`.
    pub outcome: &'static str,
    /// The deactivated client; `null` once erased.
    pub client: Option<ClientOut>,
}

/// A store error of a user write, classified like a database error.
pub(crate) fn user_store_error(e: StoreError) -> ServiceError {
    match e {
        StoreError::Db(e) => e.into(),
        other => ServiceError::internal(other),
    }
}

/// Deactivates a client's portal account and signs it out, audited, in `w`'s transaction.
pub async fn close_portal_account(w: &Work, c: &client::Model) -> ServiceResult<()> {
    let Some(u) = c.user_id else { return Ok(()) };
    let Some(mut u) = user::find(w.tx(), u).await?.filter(|u| u.active) else {
        return Ok(());
    };
    u.active = false;
    let u = user::update(w.tx(), u).await.map_err(user_store_error)?;
    session::revoke_all_for_user(w.tx(), u.id, None).await?;
    w.audit(Change {
        action: "deactivate",
        entity: "user",
        entity_id: Some(u.id.into()),
        practice_id: u.practice_id,
        before: Some(serde_json::json!({"active": true})),
        after: Some(serde_json::json!({"active": false, "reason": "client removed"})),
    })
    .await
}

/// A client with patients (current or past), or appointments, is deactivated so that their
/// records are retained; a client without any is erased. Either way their portal account is
/// deactivated.
pub async fn remove(cx: &TenantPrincipal, id: ClientId) -> ServiceResult<Removed> {
    let before = get(cx, id).await?;
    let rows = client_contact::for_client(cx.db(), before.id).await?;
    let snapshot = ClientOut::snapshot(&before, &rows);
    let practice_id = audit_practice(cx);
    cx.write(|w| async move {
        let retain = client::has_records(w.tx(), before.id).await?;
        close_portal_account(&w, &before).await?;
        if !retain {
            client::erase(w.tx(), before.id).await?;
            search::reindex_client(w.tx(), before.id).await?;
            w.audit(Change {
                action: "erase",
                entity: "client",
                entity_id: Some(before.id.into()),
                practice_id,
                before: Some(snapshot),
                after: None,
            })
            .await?;
            return Ok(Removed {
                id: before.id.to_string(),
                outcome: "erased",
                client: None,
            });
        }
        let mut m = before.clone();
        if m.active {
            let now = smartdmv_store::now();
            m.active = false;
            m.deactivated_at = Some(now);
            m.updated_at = now;
            m = client::update(w.tx(), m).await?;
            search::reindex_client(w.tx(), m.id).await?;
            w.audit(Change {
                action: "deactivate",
                entity: "client",
                entity_id: Some(m.id.into()),
                practice_id,
                before: Some(snapshot),
                after: Some(ClientOut::snapshot(&m, &rows)),
            })
            .await?;
        }
        Ok(Removed {
            id: m.id.to_string(),
            outcome: "deactivated",
            client: Some(ClientOut::new(&m, &rows)),
        })
    })
    .await
}
