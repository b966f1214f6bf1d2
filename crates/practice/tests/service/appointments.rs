//! The appointment rules: a veterinarian or a room is never booked twice at once unless
//! staff double-book on purpose, and statuses move only along the machine.

use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{AppointmentId, RoomId, UserId};
use smartdmv_practice::appointments::{self, AppointmentChanges, AppointmentOut, StatusChange};
use smartdmv_practice::{ServiceError, TenantPrincipal};

use crate::fixture::*;

both_backends!(
    a_vet_or_a_room_is_booked_once_at_a_time_unless_double_booked,
    statuses_move_only_along_the_machine,
);

fn id(a: &AppointmentOut) -> AppointmentId {
    a.id
}

async fn a_vet_or_a_room_is_booked_once_at_a_time_unless_double_booked(b: Backend) {
    let c = Clinic::open(b).await;
    let (v1, v2) = (
        c.vet("v1@clinic.example", c.a.id).await,
        c.vet("v2@clinic.example", c.a.id).await,
    );
    let (r1, r2) = (c.room(c.a.id, "One").await, c.room(c.a.id, "Two").await);
    let (_, pet) = c.pet("Rex").await;
    let t = future_hour(2);
    let book = |vet: UserId, room: RoomId, start, minutes, double_book| {
        let mut input = booking(c.a.id, pet, (Some(vet), Some(room)), start, minutes);
        input.double_book = double_book;
        appointments::create(&c.admin, input)
    };
    let first = book(v1.id, r1.id, t, 30, false).await.unwrap();
    assert!(!first.double_booked);

    // The same vet, or the same room, overlapping by any part.
    for (vet, room, start) in [(v1.id, r2.id, at(t, 15)), (v2.id, r1.id, at(t, -15))] {
        let e = book(vet, room, start, 30, false).await.unwrap_err();
        assert_eq!(code(&e), Some("appointment_conflict"), "{e:?}");
    }
    // Back to back is no overlap; other vet and room at the same time neither.
    book(v1.id, r1.id, at(t, 30), 30, false).await.unwrap();
    book(v2.id, r2.id, t, 30, false).await.unwrap();
    // Staff may double-book on purpose; the appointment says so.
    let double = book(v1.id, r1.id, t, 30, true).await.unwrap();
    assert!(double.double_booked);

    // Moving an appointment onto a taken slot is refused too; cancelling frees the slot.
    let later = book(v1.id, r1.id, at(t, 120), 30, false).await.unwrap();
    let onto_first = || AppointmentChanges {
        starts_at: Some(at(t, 10).to_string()),
        ..Default::default()
    };
    let e = appointments::update(&c.admin, id(&later), onto_first())
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some("appointment_conflict"), "{e:?}");
    for a in [&first, &double] {
        appointments::cancel(&c.admin, id(a), Some("owner called".into()))
            .await
            .unwrap();
    }
    let e = appointments::update(&c.admin, id(&later), onto_first())
        .await
        .unwrap_err();
    assert_eq!(
        code(&e),
        Some("appointment_conflict"),
        "the slot at +30 is still taken: {e:?}"
    );
    let moved = appointments::update(
        &c.admin,
        id(&later),
        AppointmentChanges {
            starts_at: Some(t.to_string()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(moved.starts_at, t.to_string());
}

async fn move_to(
    cx: &TenantPrincipal,
    a: &AppointmentOut,
    to: AppointmentStatus,
) -> Result<AppointmentOut, ServiceError> {
    appointments::change_status(
        cx,
        id(a),
        StatusChange {
            status: Some(to.as_str().into()),
            ..Default::default()
        },
    )
    .await
}

async fn statuses_move_only_along_the_machine(b: Backend) {
    use AppointmentStatus::*;
    let c = Clinic::open(b).await;
    let (_, pet) = c.pet("Rex").await;
    let a = appointments::create(
        &c.admin,
        booking(c.a.id, pet, (None, None), future_hour(1), 20),
    )
    .await
    .unwrap();
    assert_eq!(a.status, Booked);
    assert_eq!(a.next_statuses, [Confirmed, CheckedIn, Cancelled, NoShow]);

    let e = move_to(&c.admin, &a, Completed).await.unwrap_err();
    assert_eq!(code(&e), Some("illegal_transition"), "{e:?}");
    let ServiceError::Conflict(r) = e else {
        unreachable!()
    };
    assert_eq!(r.extra["from"], "booked");
    assert_eq!(r.extra["to"], "completed");
    assert_eq!(
        r.extra["allowed"],
        serde_json::json!(["confirmed", "checked_in", "cancelled", "no_show"])
    );

    let mut a = a;
    for to in [Confirmed, CheckedIn, InProgress, Completed] {
        a = move_to(&c.admin, &a, to).await.unwrap();
        assert_eq!(a.status, to);
    }
    assert!(a.next_statuses.is_empty());
    // Over: no status, no cancellation, no change.
    let e = move_to(&c.admin, &a, Cancelled).await.unwrap_err();
    assert_eq!(code(&e), Some("illegal_transition"), "{e:?}");
    let e = appointments::cancel(&c.admin, id(&a), None)
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some("illegal_transition"), "{e:?}");
    let e = appointments::update(
        &c.admin,
        id(&a),
        AppointmentChanges {
            reason: Some(Some("later".into())),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), Some("appointment_closed"), "{e:?}");
    // An unknown status is a field error.
    let e = appointments::change_status(
        &c.admin,
        id(&a),
        StatusChange {
            status: Some("teleported".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), ["status"]);
}
