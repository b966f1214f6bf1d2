//! `DELETE /api/clients/{id}`: retention decides between deactivating and erasing.

use axum::Json;
use axum::extract::Path;
use sea_orm::DbErr;
use serde::Serialize;
use smartdmv_store::tenant::{client, client_contact, session, user};

use super::body::ClientOut;
use super::{audit_practice, find};
use crate::auth::perms::ClientsDelete;
use crate::auth::{Authorized, TenantPrincipal};
use crate::error::ApiResult;

/// The answer of `DELETE /api/clients/{id}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Removed {
    pub id: String,
    /// `deactivated` (the client has records to retain) or `erased`.
    pub outcome: &'static str,
    /// The deactivated client; `null` once erased.
    pub client: Option<ClientOut>,
}

/// Deactivates a client's portal account and signs it out, audited, in `db`'s transaction.
pub(crate) async fn close_portal_account(
    auth: &TenantPrincipal,
    db: &impl smartdmv_store::TenantConn,
    c: &client::Model,
) -> Result<(), DbErr> {
    let Some(u) = c.user_id else { return Ok(()) };
    let Some(mut u) = user::find(db, u).await?.filter(|u| u.active) else {
        return Ok(());
    };
    u.active = false;
    let u = user::update(db, u)
        .await
        .map_err(crate::api::auth::store_db)?;
    session::revoke_all_for_user(db, u.id, None).await?;
    auth.audit(
        db,
        "deactivate",
        "user",
        Some(u.id),
        u.practice_id,
        Some(serde_json::json!({"active": true})),
        Some(serde_json::json!({"active": false, "reason": "client removed"})),
    )
    .await
}

/// `DELETE /api/clients/{id}`: a client with patients (current or past), or appointments, is
/// deactivated so that their records are retained; a client without any is erased. Either
/// way their portal account is deactivated.
pub async fn remove(
    auth: Authorized<ClientsDelete>,
    Path(id): Path<String>,
) -> ApiResult<Json<Removed>> {
    let before = find(&auth, &id).await?;
    let db = auth.db();
    let rows = client_contact::for_client(db, before.id)
        .await
        .map_err(|e| auth.db_error(e))?;
    let snapshot = ClientOut::snapshot(&before, &rows);
    let out = async {
        let txn = db.begin().await?;
        let retain = client::has_records(&txn, before.id).await?;
        close_portal_account(&auth, &txn, &before).await?;
        let out = if retain {
            let mut m = before.clone();
            if m.active {
                let now = smartdmv_store::now();
                m.active = false;
                m.deactivated_at = Some(now);
                m.updated_at = now;
                m = client::update(&txn, m).await?;
                smartdmv_store::tenant::search::reindex_client(&txn, m.id).await?;
                auth.audit(
                    &txn,
                    "deactivate",
                    "client",
                    Some(m.id),
                    audit_practice(&auth),
                    Some(snapshot.clone()),
                    Some(ClientOut::snapshot(&m, &rows)),
                )
                .await?;
            }
            Removed {
                id: m.id.to_string(),
                outcome: "deactivated",
                client: Some(ClientOut::new(&m, &rows)),
            }
        } else {
            client::erase(&txn, before.id).await?;
            smartdmv_store::tenant::search::reindex_client(&txn, before.id).await?;
            auth.audit(
                &txn,
                "erase",
                "client",
                Some(before.id),
                audit_practice(&auth),
                Some(snapshot.clone()),
                None,
            )
            .await?;
            Removed {
                id: before.id.to_string(),
                outcome: "erased",
                client: None,
            }
        };
        txn.commit().await?;
        Ok::<_, DbErr>(out)
    }
    .await
    .map_err(|e| auth.db_error(e))?;
    Ok(Json(out))
}
