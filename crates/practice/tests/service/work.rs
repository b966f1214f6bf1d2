//! The unit of work: the write and its audit entry commit together or not at all, and a
//! write kept beyond its closure is refused.

use smartdmv_practice::audit::{self, AuditFilter};
use smartdmv_practice::{Change, PageRequest, ServiceError, Work};
use smartdmv_store::tenant::room;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

use crate::fixture::*;

both_backends!(
    a_unit_of_work_keeps_the_write_and_its_audit_entry_together,
    a_unit_of_work_kept_beyond_its_closure_commits_nothing,
);

fn new_room(practice: smartdmv_domain::PracticeId, name: &str) -> room::Model {
    let now = smartdmv_store::now();
    room::Model {
        id: smartdmv_domain::RoomId::new(),
        practice_id: practice,
        name: name.into(),
        active: true,
        created_at: now,
        updated_at: now,
    }
}

/// The audit entries about one entity.
async fn audit_entries(c: &Clinic, id: impl Into<Uuid>) -> usize {
    let filter = AuditFilter {
        entity_id: Some(id.into()),
        ..Default::default()
    };
    audit::list(&c.admin, filter, &PageRequest::default())
        .await
        .unwrap()
        .items
        .len()
}

async fn a_unit_of_work_keeps_the_write_and_its_audit_entry_together(b: Backend) {
    let c = Clinic::open(b).await;
    for fail in [true, false] {
        let m = new_room(c.a.id, if fail { "Failed" } else { "Kept" });
        let id = m.id;
        let out = c
            .admin
            .write(|w| async move {
                room::insert(w.tx(), m).await?;
                w.audit(Change {
                    action: "create",
                    entity: "room",
                    entity_id: Some(id.into()),
                    practice_id: None,
                    before: None,
                    after: None,
                })
                .await?;
                if fail {
                    Err(ServiceError::conflict(
                        "refused",
                        "the closure fails after writing",
                    ))
                } else {
                    Ok(id)
                }
            })
            .await;
        match out {
            Ok(kept) => assert!(!fail && kept == id),
            Err(e) => assert!(fail && code(&e) == Some("refused"), "{e:?}"),
        }
        let stored = room::find(c.admin.db(), id).await.unwrap();
        assert_eq!(stored.is_some(), !fail, "the room of a failed={fail} write");
        assert_eq!(
            audit_entries(&c, id).await,
            usize::from(!fail),
            "the audit entry of a failed={fail} write"
        );
    }
}

async fn a_unit_of_work_kept_beyond_its_closure_commits_nothing(b: Backend) {
    let c = Clinic::open(b).await;
    let m = new_room(c.a.id, "Kept too long");
    let id = m.id;
    let kept: Arc<Mutex<Option<Work>>> = Arc::default();
    let keeper = kept.clone();
    let out = c
        .admin
        .write(|w| async move {
            room::insert(w.tx(), m).await?;
            *keeper.lock().unwrap() = Some(w.clone());
            Ok(())
        })
        .await;
    assert!(matches!(out, Err(ServiceError::Internal(_))), "{out:?}");
    // Not committed while it is kept, nor once it is let go.
    assert!(room::find(&c.t.db, id).await.unwrap().is_none());
    drop(kept.lock().unwrap().take());
    assert!(room::find(c.admin.db(), id).await.unwrap().is_none());
    assert_eq!(audit_entries(&c, id).await, 0);
}
