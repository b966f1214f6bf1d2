//! What the audit log records of a kind of record, said once per kind ([`Audited`]), and the
//! write every simple setting (rooms, appointment types, roles, practices) makes: the record,
//! whole, with its audit entry in one unit of work ([`save`]).

use serde::Serialize;
use serde_json::Value;
use smartdmv_domain::PracticeId;
use smartdmv_store::tenant::Record;
use uuid::Uuid;

use crate::work::Change;
use crate::{ServiceResult, TenantPrincipal};

/// A record as its audit entries name and show it.
pub trait Audited: Clone + Send + Sync {
    /// The `entity` of its entries.
    const ENTITY: &'static str;
    /// The shape answers show, which the log records too.
    type Out: Serialize + From<Self>;

    fn entity_id(&self) -> Uuid;

    /// The practice the record belongs to, for practice-scoped readers of the log.
    fn practice_id(&self) -> Option<PracticeId> {
        None
    }

    /// The record as the log shows it.
    fn snapshot(&self) -> Option<Value> {
        serde_json::to_value(Self::Out::from(self.clone())).ok()
    }
}

/// The entry of `action` on a record, with its state `before` and `after` (`None` before a
/// creation or after a deletion).
pub fn change<'a, M: Audited>(
    action: &'a str,
    before: Option<&M>,
    after: Option<&M>,
) -> Change<'a> {
    let m = after.or(before);
    Change {
        action,
        entity: M::ENTITY,
        entity_id: m.map(M::entity_id),
        practice_id: m.and_then(M::practice_id),
        before: before.and_then(M::snapshot),
        after: after.and_then(M::snapshot),
    }
}

/// Writes `m` as a new record (no `before`) or over `before`, and its entry of `action`, in
/// one unit of work.
pub async fn save<M: Audited + Record>(
    cx: &TenantPrincipal,
    action: &str,
    before: Option<&M>,
    m: M,
) -> ServiceResult<M> {
    cx.write(|w| async move {
        let saved = match before {
            None => m.insert(w.tx()).await?,
            Some(_) => m.update(w.tx()).await?,
        };
        w.audit(change(action, before, Some(&saved))).await?;
        Ok(saved)
    })
    .await
}
