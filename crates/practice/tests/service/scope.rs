//! Practice scope: a user bound to some practices neither sees nor reaches the practices,
//! rooms, appointments and users of the others, and lists only their own; a company-wide
//! administrator reaches all. Clients belong to the company.

use smartdmv_domain::{AppointmentId, IdInput, PracticeId, RoomId};
use smartdmv_practice::appointments::AppointmentFilter;
use smartdmv_practice::rooms::RoomFilter;
use smartdmv_practice::users::UserFilter;
use smartdmv_practice::{
    PageRequest, ServiceError, appointments, clients, practices, rooms, users,
};
use std::collections::BTreeSet;

use crate::fixture::*;

both_backends!(a_practice_bound_user_reaches_only_their_practices);

fn not_found<T: std::fmt::Debug>(r: Result<T, ServiceError>) -> &'static str {
    match r {
        Err(ServiceError::NotFound(what)) => what,
        other => panic!("expected NotFound, got {other:?}"),
    }
}

async fn a_practice_bound_user_reaches_only_their_practices(b: Backend) {
    let c = Clinic::open(b).await;
    let page = PageRequest::default();
    let (room_a, room_b) = (
        c.room(c.a.id, "Consult A").await,
        c.room(c.b.id, "Consult B").await,
    );
    let (vet_a, vet_b) = (
        c.vet("vet-a@clinic.example", c.a.id).await,
        c.vet("vet-b@clinic.example", c.b.id).await,
    );
    let (client, pet) = c.pet("Rex").await;
    let start = future_hour(3);
    let appt_a = appointments::create(
        &c.admin,
        booking(c.a.id, pet, (Some(vet_a.id), Some(room_a.id)), start, 30),
    )
    .await
    .unwrap();
    let appt_b = appointments::create(
        &c.admin,
        booking(c.b.id, pet, (Some(vet_b.id), Some(room_b.id)), start, 30),
    )
    .await
    .unwrap();
    let appt = |a: &appointments::AppointmentOut| a.id;

    // Practices.
    let mine: Vec<PracticeId> = practices::list(&c.staff, &page)
        .await
        .unwrap()
        .items
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(mine, [c.a.id]);
    practices::get(&c.staff, c.a.id).await.unwrap();
    assert_eq!(
        not_found(practices::get(&c.staff, c.b.id).await),
        "practice"
    );

    // Rooms.
    rooms::get(&c.staff, room_a.id).await.unwrap();
    assert_eq!(not_found(rooms::get(&c.staff, room_b.id).await), "room");
    let listed: Vec<RoomId> = rooms::list(&c.staff, &RoomFilter::default(), &page)
        .await
        .unwrap()
        .items
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed, [room_a.id]);
    let e = rooms::update(
        &c.staff,
        room_b.id,
        rooms::RoomChanges {
            name: Some("Mine now".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(not_found(e), "room");
    // Naming another practice is the same refusal as naming an unknown one.
    let e = rooms::create(
        &c.staff,
        rooms::NewRoom {
            practice_id: Some(IdInput::Id(c.b.id)),
            name: "Sneaky".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), ["practiceId"]);

    // Appointments.
    appointments::get(&c.staff, appt(&appt_a)).await.unwrap();
    assert_eq!(
        not_found(appointments::get(&c.staff, appt(&appt_b)).await),
        "appointment"
    );
    let ids =
        |p: smartdmv_practice::Page<appointments::AppointmentOut>| -> BTreeSet<AppointmentId> {
            p.items.into_iter().map(|a| a.id).collect()
        };
    let filter = AppointmentFilter::default();
    assert_eq!(
        ids(appointments::list(&c.staff, &filter, &page).await.unwrap()),
        BTreeSet::from([appt_a.id])
    );
    assert_eq!(
        ids(appointments::list(&c.admin, &filter, &page).await.unwrap()),
        BTreeSet::from([appt_a.id, appt_b.id])
    );

    // Users.
    users::get(&c.staff, vet_a.id).await.unwrap();
    assert_eq!(not_found(users::get(&c.staff, vet_b.id).await), "user");
    let emails: BTreeSet<String> = users::list(&c.staff, &UserFilter::default(), &page)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert!(emails.contains("vet-a@clinic.example"), "{emails:?}");
    assert!(!emails.contains("vet-b@clinic.example"), "{emails:?}");

    // Clients are the company's: staff of any practice read them, but make only one of
    // their own practices a client's home.
    clients::show(&c.staff, client).await.unwrap();
    let e = clients::update(
        &c.staff,
        client,
        clients::ClientChanges {
            home_practice_id: Some(Some(IdInput::Id(c.b.id))),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, ServiceError::Forbidden(_)), "{e:?}");
}
