//! The appointment repository: the overlap query behind the conflict rule, the per-resource
//! lock of a booking, the status-guarded update and the keyset page of the list.

use smartdmv_domain::schedule::AppointmentStatus as S;
use smartdmv_store::tenant::appointment;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::helpers::*;

both_backends!(
    conflicts_find_blocking_overlaps_of_the_vet_or_room,
    a_second_booking_of_the_same_vet_waits_for_the_first,
    updates_apply_only_while_the_status_is_unchanged,
    appointment_pages_follow_the_start_time_cursor_and_filters,
);

async fn conflicts_find_blocking_overlaps_of_the_vet_or_room(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let pr = practice(db, "Harbour Vets").await;
    let v = vet(db, pr.id, "Dr Who").await;
    let r = room(db, pr.id, "Consult 1", true).await;
    let (c, p) = client_with_pet(db).await;
    let who = (c.id, p.id);
    let nine = appointment::insert(
        db,
        new_appointment(
            pr.id,
            who,
            (Some(v.id), None),
            (at(9, 0), at(9, 30)),
            S::Booked,
        ),
    )
    .await
    .unwrap();
    appointment::insert(
        db,
        new_appointment(
            pr.id,
            who,
            (Some(v.id), None),
            (at(10, 0), at(10, 30)),
            S::Cancelled,
        ),
    )
    .await
    .unwrap();
    let eleven = appointment::insert(
        db,
        new_appointment(
            pr.id,
            who,
            (None, Some(r.id)),
            (at(11, 0), at(11, 30)),
            S::Confirmed,
        ),
    )
    .await
    .unwrap();
    let ids = |v: Vec<appointment::Model>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();

    let overlap = appointment::conflicts(db, Some(v.id), None, at(9, 15), at(9, 45), None)
        .await
        .unwrap();
    assert_eq!(ids(overlap), [nine.id]);
    let touching = appointment::conflicts(db, Some(v.id), None, at(9, 30), at(10, 0), None)
        .await
        .unwrap();
    assert!(
        touching.is_empty(),
        "an appointment may start as another ends"
    );
    let freed = appointment::conflicts(db, Some(v.id), None, at(10, 0), at(10, 30), None)
        .await
        .unwrap();
    assert!(freed.is_empty(), "a cancelled appointment blocks nothing");
    let by_room = appointment::conflicts(db, None, Some(r.id), at(11, 29), at(12, 0), None)
        .await
        .unwrap();
    assert_eq!(ids(by_room), [eleven.id]);
    let either = appointment::conflicts(db, Some(v.id), Some(r.id), at(9, 0), at(12, 0), None)
        .await
        .unwrap();
    assert_eq!(ids(either), [nine.id, eleven.id]);
    let itself = appointment::conflicts(db, Some(v.id), None, at(9, 0), at(9, 30), Some(nine.id))
        .await
        .unwrap();
    assert!(
        itself.is_empty(),
        "a rescheduled appointment does not clash with itself"
    );
    let nobody = appointment::conflicts(db, None, None, at(0, 0), at(23, 0), None)
        .await
        .unwrap();
    assert!(
        nobody.is_empty(),
        "without a vet or room nothing is claimed"
    );
}

async fn a_second_booking_of_the_same_vet_waits_for_the_first(b: Backend) {
    let t = TestDb::open(b).await;
    let pr = practice(&t.db, "Harbour Vets").await;
    let v = vet(&t.db, pr.id, "Dr Who").await;
    let log = Arc::new(Mutex::new(Vec::new()));

    let (db, first_log) = (t.db.clone(), log.clone());
    let second =
        t.db.transaction(Some(appointment::booking_options()), |first| async move {
            appointment::lock_resources(&first, &[v.id.0]).await?;
            let second = {
                let log = first_log.clone();
                tokio::spawn(async move {
                    db.transaction(Some(appointment::booking_options()), |tx| async move {
                        appointment::lock_resources(&tx, &[v.id.0]).await?;
                        log.lock().unwrap().push("second locked");
                        Ok::<_, sea_orm::DbErr>(())
                    })
                    .await
                    .unwrap();
                })
            };
            // Give the second booking every chance to get ahead if the lock did not hold it.
            tokio::time::sleep(Duration::from_millis(300)).await;
            first_log.lock().unwrap().push("first commits");
            Ok::<_, sea_orm::DbErr>(second)
        })
        .await
        .unwrap();
    second.await.unwrap();
    assert_eq!(*log.lock().unwrap(), ["first commits", "second locked"]);
}

async fn updates_apply_only_while_the_status_is_unchanged(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let pr = practice(db, "Harbour Vets").await;
    let (c, p) = client_with_pet(db).await;
    let a = appointment::insert(
        db,
        new_appointment(
            pr.id,
            (c.id, p.id),
            (None, None),
            (at(9, 0), at(9, 30)),
            S::Booked,
        ),
    )
    .await
    .unwrap();
    let mut confirmed = a.clone();
    confirmed.status = S::Confirmed;
    assert!(
        appointment::update_if_status(db, confirmed.clone(), S::Booked)
            .await
            .unwrap()
    );
    let mut cancelled = a.clone();
    cancelled.status = S::Cancelled;
    assert!(
        !appointment::update_if_status(db, cancelled, S::Booked)
            .await
            .unwrap(),
        "the status read before is no longer the stored one"
    );
    let stored = appointment::find(db, a.id).await.unwrap().unwrap();
    assert_eq!(stored.status, S::Confirmed);
}

async fn appointment_pages_follow_the_start_time_cursor_and_filters(b: Backend) {
    let t = TestDb::open(b).await;
    let db = &t.db;
    let pr = practice(db, "Harbour Vets").await;
    let other = practice(db, "Hill Vets").await;
    let (c, p) = client_with_pet(db).await;
    let who = (c.id, p.id);
    // Inserted out of order; two start at the same time (the id breaks the tie).
    let mut made = Vec::new();
    for (h, status) in [
        (11, S::Booked),
        (9, S::Booked),
        (10, S::Cancelled),
        (9, S::Requested),
    ] {
        let a = new_appointment(pr.id, who, (None, None), (at(h, 0), at(h, 30)), status);
        made.push(appointment::insert(db, a).await.unwrap());
    }
    let elsewhere = new_appointment(
        other.id,
        who,
        (None, None),
        (at(8, 0), at(8, 30)),
        S::Booked,
    );
    appointment::insert(db, elsewhere).await.unwrap();

    let scoped = appointment::Filter {
        scope: Some(vec![pr.id]),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = appointment::list_page(db, &scoped, cursor, 2)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        cursor = Some((last.starts_at, last.id));
        seen.extend(page.iter().map(|a| (a.starts_at, a.id)));
    }
    let mut want: Vec<_> = made.iter().map(|a| (a.starts_at, a.id)).collect();
    want.sort();
    assert_eq!(
        seen, want,
        "every appointment of the scope once, by start then id"
    );

    let filtered = appointment::Filter {
        practice: Some(pr.id),
        from: Some(at(9, 30)),
        to: Some(at(11, 0)),
        statuses: Some(vec![S::Cancelled, S::Booked]),
        ..Default::default()
    };
    let page = appointment::list_page(db, &filtered, None, 10)
        .await
        .unwrap();
    let hours: Vec<u8> = page
        .iter()
        .map(|a| a.starts_at.to_zoned(jiff::tz::TimeZone::UTC).hour() as u8)
        .collect();
    assert_eq!(
        hours,
        [10],
        "ends after from, starts before to, in the statuses"
    );
}
