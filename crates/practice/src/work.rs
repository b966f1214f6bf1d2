//! The unit of work: one transaction on the company's database, with the audit writer bound
//! to the principal. [`TenantPrincipal::write`] begins it, runs the service's closure, and
//! commits when the closure succeeds; on any error the transaction rolls back and nothing of
//! the write remains. This is the only place the tenant services begin or commit a
//! transaction (through the handle's one primitive, `TenantConnection::transaction`).

use serde_json::Value;
use smartdmv_domain::{PracticeId, UserId};
use smartdmv_store::{TenantConnection, TenantTransaction};
use std::future::Future;
use std::sync::Arc;
use uuid::Uuid;

use crate::{ServiceResult, TenantPrincipal};

/// Who an audit entry names.
#[derive(Debug, Clone)]
struct Actor {
    id: UserId,
    label: String,
    ip: Option<String>,
}

/// A write in progress: its transaction and its audit writer. Cheap to clone into the
/// closure's futures; it must not outlive the closure (the commit checks it).
#[derive(Clone)]
pub struct Work {
    tx: Arc<TenantTransaction>,
    actor: Option<Arc<Actor>>,
}

/// One audit entry of a change.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub practice_id: Option<PracticeId>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Work {
    /// The transaction, for repository calls.
    pub fn tx(&self) -> &TenantTransaction {
        &self.tx
    }

    /// Appends the audit entry of a change, attributed to the principal, in this
    /// transaction: the entry and the change commit or fail together.
    pub async fn audit(&self, c: Change<'_>) -> ServiceResult<()> {
        let (actor_id, actor, ip) = match &self.actor {
            Some(a) => (Some(a.id), a.label.as_str(), a.ip.clone()),
            None => (None, "system", None),
        };
        smartdmv_store::tenant::audit::append(
            self.tx(),
            smartdmv_store::tenant::audit::Entry {
                actor_id,
                actor,
                action: c.action,
                entity: c.entity,
                entity_id: c.entity_id,
                practice_id: c.practice_id,
                before: c.before,
                after: c.after,
                ip,
            },
        )
        .await?;
        Ok(())
    }
}

/// Runs `f` in one transaction on `db` and commits when it succeeds.
pub(crate) async fn run<T, F, Fut>(
    db: &TenantConnection,
    options: Option<sea_orm::TransactionOptions>,
    actor: Option<(UserId, String, Option<String>)>,
    f: F,
) -> ServiceResult<T>
where
    F: FnOnce(Work) -> Fut,
    Fut: Future<Output = ServiceResult<T>>,
{
    let actor = actor.map(|(id, label, ip)| Arc::new(Actor { id, label, ip }));
    db.transaction(options, |tx| f(Work { tx, actor })).await
}

impl TenantPrincipal {
    /// Runs a write in one unit of work: begins, hands the closure its [`Work`] (transaction
    /// and audit writer bound to this principal), commits on success, rolls back on error.
    pub async fn write<T, F, Fut>(&self, f: F) -> ServiceResult<T>
    where
        F: FnOnce(Work) -> Fut,
        Fut: Future<Output = ServiceResult<T>>,
    {
        run(self.db(), None, Some(self.actor()), f).await
    }

    /// [`TenantPrincipal::write`] with transaction options (a booking's `BEGIN IMMEDIATE`).
    pub async fn write_with<T, F, Fut>(
        &self,
        options: sea_orm::TransactionOptions,
        f: F,
    ) -> ServiceResult<T>
    where
        F: FnOnce(Work) -> Fut,
        Fut: Future<Output = ServiceResult<T>>,
    {
        run(self.db(), Some(options), Some(self.actor()), f).await
    }

    fn actor(&self) -> (UserId, String, Option<String>) {
        (self.user.id, self.actor_label(), self.ip.clone())
    }
}

/// A write on behalf of nobody signed in (sign-up of a portal client, an invitation being
/// accepted, a login's bookkeeping): audit entries name `actor` as given.
pub async fn write_as<T, F, Fut>(
    db: &TenantConnection,
    actor: Option<(UserId, String, Option<String>)>,
    f: F,
) -> ServiceResult<T>
where
    F: FnOnce(Work) -> Fut,
    Fut: Future<Output = ServiceResult<T>>,
{
    run(db, None, actor, f).await
}
