//! The owner unit of work: one transaction on the owner database, with the owner audit writer
//! bound to the actor. [`write`] begins it, runs the service's closure and commits when the
//! closure succeeds; on any error the transaction rolls back and nothing of the write remains.
//! This is the only place an owner transaction begins or commits in the owner business (the
//! tenancy mechanism's provisioning saga keeps its own, in `smartdmv_tenancy`).

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
    let tx = db.begin().await.map_err(|e| E::from(e.into()))?;
    let tx = Arc::new(tx);
    let discard = Arc::new(AtomicBool::new(false));
    let work = Work {
        tx: tx.clone(),
        actor: Arc::new(actor.clone()),
        discard: discard.clone(),
    };
    let out = f(work).await;
    let tx = Arc::try_unwrap(tx).map_err(|_| {
        E::from(PlatformError::internal(
            "a unit of work outlived its closure",
        ))
    })?;
    match out {
        Ok(v) if !discard.load(Ordering::Relaxed) => {
            tx.commit().await.map_err(|e| E::from(e.into()))?;
            Ok(v)
        }
        out => {
            // Dropping rolls back as well; an explicit rollback returns the connection sooner.
            let _ = tx.rollback().await;
            out
        }
    }
}
