//! Rules of single records: a taken name is a conflict with the service's own code (whether
//! the service or the database's unique index finds it), and invalid input names every bad
//! field at once.

use smartdmv_domain::perm::Permission;
use smartdmv_domain::{IdInput, TenantRole};
use smartdmv_practice::users::NewUser;
use smartdmv_practice::{appointment_types, practices, roles, rooms, users};

use crate::fixture::*;

both_backends!(
    taken_names_are_conflicts_with_the_services_codes,
    invalid_input_names_every_bad_field,
);

async fn taken_names_are_conflicts_with_the_services_codes(b: Backend) {
    let c = Clinic::open(b).await;

    // Checked by the service: an active room of the practice has the name (any case).
    c.room(c.a.id, "Consult 1").await;
    let e = rooms::create(
        &c.admin,
        rooms::NewRoom {
            practice_id: Some(IdInput::Id(c.a.id)),
            name: "consult 1".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), Some("room_name_taken"), "{e:?}");
    // Another practice may have a room of that name.
    c.room(c.b.id, "Consult 1").await;

    // Found by the database's unique index, named by the service.
    let e = users::write::create(
        &c.admin,
        NewUser {
            email: "PA@Clinic.example".into(),
            name: "Someone Else".into(),
            password: None,
            role: TenantRole::Receptionist,
            roles: Vec::new(),
            practice_ids: vec![c.a.id],
        },
    )
    .await
    .unwrap_err();
    assert_eq!(code(&e), Some("email_taken"), "{e:?}");

    let role = || roles::RoleInput {
        name: Some("Night shift".into()),
        description: None,
        permissions: Some(vec![Permission::parse("rooms:read").unwrap()]),
    };
    roles::create(&c.admin, role()).await.unwrap();
    let e = roles::create(&c.admin, role()).await.unwrap_err();
    assert_eq!(code(&e), Some("role_name_taken"), "{e:?}");

    let kind = || appointment_types::AppointmentTypeInput {
        name: Some("Consult".into()),
        duration_minutes: Some(15),
        ..Default::default()
    };
    appointment_types::create(&c.admin, kind()).await.unwrap();
    let e = appointment_types::create(&c.admin, kind())
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some("appointment_type_name_taken"), "{e:?}");
}

async fn invalid_input_names_every_bad_field(b: Backend) {
    let c = Clinic::open(b).await;
    let e = practices::create(
        &c.admin,
        practices::NewPractice {
            name: " ".into(),
            phone: Some("call me".into()),
            email: Some("not-an-email".into()),
            time_zone: Some("Mars/Olympus".into()),
            currency: Some("dollars".into()),
            tax_rate_bp: Some(10_001),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        fields(e),
        [
            "name",
            "email",
            "phone",
            "timeZone",
            "currency",
            "taxRateBp"
        ]
    );

    let e = rooms::create(
        &c.admin,
        rooms::NewRoom {
            practice_id: Some(IdInput::Id(c.a.id)),
            name: "x".repeat(101),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), ["name"]);

    let e = users::write::create(
        &c.admin,
        NewUser {
            email: "nobody".into(),
            name: String::new(),
            password: Some("short".into()),
            role: TenantRole::Veterinarian,
            roles: Vec::new(),
            practice_ids: vec![c.a.id],
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), ["email", "name", "password"]);

    let e = roles::create(
        &c.admin,
        roles::RoleInput {
            name: Some("VETERINARIAN".into()),
            description: None,
            permissions: Some(Vec::new()),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), ["name", "permissions"]);

    let e = appointment_types::create(
        &c.admin,
        appointment_types::AppointmentTypeInput {
            name: None,
            duration_minutes: Some(1),
            colour: Some("red".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(fields(e), ["name", "durationMinutes", "colour"]);

    // Nothing of the refused inputs was written.
    let listed = practices::list(&c.admin, &Default::default())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);
}
