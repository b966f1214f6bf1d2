//! The owner unit of work: one transaction on the owner database, with the owner audit writer
//! bound to the actor. [`write`] begins it, runs the service's closure and commits when the
//! closure succeeds; on any error the transaction rolls back and nothing of the write remains.
//! This is the only place the owner business begins or commits a transaction (through the
//! handle's one primitive, `OwnerConnection::transaction`).

use smartdmv_domain::CompanyId;
use smartdmv_store::owner::audit;
use smartdmv_store::{OwnerConnection, OwnerTransaction};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::{PlatformError, PlatformResult};

/// Who is acting, for the audit log: `owner:ann@example.com`, `cli`, `system:billing`, ...
#[derive(Debug, Clone)]
pub struct Actor {
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            ip: None,
        }
    }
}

/// A write in progress: its transaction and its audit writer. Cheap to clone into the
/// closure's futures; it must not outlive the closure (the commit checks it).
#[derive(Clone)]
pub struct Work {
    tx: Arc<OwnerTransaction>,
    actor: Arc<Actor>,
    discard: Arc<AtomicBool>,
}

impl Work {
    /// The transaction, for repository calls.
    pub fn tx(&self) -> &OwnerTransaction {
        &self.tx
    }

    /// Who the audit entries of this write name.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Appends an owner audit entry, attributed to the actor, in this transaction: the entry
    /// and the change commit or fail together.
    pub async fn audit(
        &self,
        action: &str,
        company: Option<CompanyId>,
        detail: serde_json::Value,
    ) -> PlatformResult<()> {
        audit::append(
            self.tx(),
            audit::Entry {
                actor: &self.actor.label,
                action,
                company,
                detail,
                ip: self.actor.ip.clone(),
            },
        )
        .await?;
        Ok(())
    }

    /// Ends the write without keeping anything: the closure's `Ok` rolls back instead of
    /// committing (a redelivered event, a change that lost a race).
    pub fn discard(&self) {
        self.discard.store(true, Ordering::Relaxed);
    }
}

/// Runs `f` in one transaction on the owner database and commits when it succeeds (unless
/// it [discarded](Work::discard) the write); rolls back on error.
pub async fn write<T, E, F, Fut>(db: &OwnerConnection, actor: &Actor, f: F) -> Result<T, E>
where
    E: From<PlatformError>,
    F: FnOnce(Work) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let actor = Arc::new(actor.clone());
    let ended = db
        .transaction(None, |tx| async move {
            let discard = Arc::new(AtomicBool::new(false));
            let work = Work {
                tx,
                actor,
                discard: discard.clone(),
            };
            match f(work).await {
                Ok(v) if discard.load(Ordering::Relaxed) => Err(Ended::Discarded(v)),
                Ok(v) => Ok(v),
                Err(e) => Err(Ended::Failed(e)),
            }
        })
        .await;
    match ended {
        Ok(v) | Err(Ended::Discarded(v)) => Ok(v),
        Err(Ended::Failed(e)) => Err(e),
        Err(Ended::Db(e)) => Err(E::from(e.into())),
    }
}

/// Why a write's transaction rolled back: the closure failed, it discarded its `Ok`, or the
/// database failed to begin or commit.
enum Ended<T, E> {
    Failed(E),
    Discarded(T),
    Db(sea_orm::DbErr),
}

impl<T, E> From<sea_orm::DbErr> for Ended<T, E> {
    fn from(e: sea_orm::DbErr) -> Self {
        Ended::Db(e)
    }
}
