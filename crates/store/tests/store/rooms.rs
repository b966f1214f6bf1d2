//! The room repository: the name rule's lookup and the scoped page of rooms.

use smartdmv_store::tenant::room;

use crate::helpers::*;

both_backends!(
    room_names_are_taken_per_practice_among_active_rooms,
    room_pages_keep_to_the_scope_and_skip_inactive_rooms,
);

async fn room_names_are_taken_per_practice_among_active_rooms(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let pr = practice(db, "Harbour Vets").await;
    let other = practice(db, "Hill Vets").await;
    let consult = room(db, pr.id, "Consult 1", true).await;
    room(db, pr.id, "Theatre", false).await;

    assert!(
        room::name_taken(db, pr.id, "consult 1", None)
            .await
            .unwrap()
    );
    assert!(
        room::name_taken(db, pr.id, "CONSULT 1", None)
            .await
            .unwrap()
    );
    assert!(
        !room::name_taken(db, pr.id, "Consult 1", Some(consult.id))
            .await
            .unwrap(),
        "a room does not clash with itself"
    );
    assert!(
        !room::name_taken(db, pr.id, "Theatre", None).await.unwrap(),
        "a deactivated room frees its name"
    );
    assert!(
        !room::name_taken(db, other.id, "Consult 1", None)
            .await
            .unwrap(),
        "names are per practice"
    );
}

async fn room_pages_keep_to_the_scope_and_skip_inactive_rooms(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let pr = practice(db, "Harbour Vets").await;
    let other = practice(db, "Hill Vets").await;
    let mut ours = Vec::new();
    for n in ["A", "B", "C"] {
        ours.push(room(db, pr.id, n, true).await.id);
    }
    let closed = room(db, pr.id, "Old", false).await;
    room(db, other.id, "Theirs", true).await;

    let scope = [pr.id];
    let first = room::list_page(db, Some(&scope), None, false, None, 2)
        .await
        .unwrap();
    let rest = room::list_page(db, Some(&scope), None, false, Some(first[1].id), 2)
        .await
        .unwrap();
    let seen: Vec<_> = first.iter().chain(&rest).map(|r| r.id).collect();
    assert_eq!(seen, ours, "active rooms of the scope in creation order");

    let all = room::list_page(db, None, Some(pr.id), true, None, 10)
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.iter().any(|r| r.id == closed.id));
    let everywhere = room::list_page(db, None, None, false, None, 10)
        .await
        .unwrap();
    assert_eq!(
        everywhere.len(),
        4,
        "no scope: every practice's active rooms"
    );
}
