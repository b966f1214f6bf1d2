//! Users and their access: nobody hands out a permission they do not hold or changes their
//! own access, and a change of someone's access signs them out everywhere.

use sea_orm::EntityTrait;
use smartdmv_domain::TenantRole;
use smartdmv_domain::perm::Permission;
use smartdmv_practice::users::{NewOverride, NewUser, UserChanges, overrides, write};
use smartdmv_practice::{ServiceError, TenantPrincipal, roles};
use smartdmv_store::tenant::session;

use crate::fixture::*;

both_backends!(
    nobody_hands_out_access_they_do_not_hold,
    a_change_of_access_signs_the_user_out_and_a_rename_does_not,
);

fn refusal(r: Result<impl std::fmt::Debug, ServiceError>) -> &'static str {
    match r {
        Err(ServiceError::Forbidden(r)) => r.code,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

fn grant(permission: &str, grant: bool) -> NewOverride {
    NewOverride {
        permission: Permission::parse(permission).unwrap(),
        effect: smartdmv_domain::perm::Effect::of(grant),
        expires_at: None,
        reason: None,
    }
}

async fn nobody_hands_out_access_they_do_not_hold(b: Backend) {
    let c = Clinic::open(b).await;
    let vet = c.vet("vet@clinic.example", c.a.id).await;
    let new_user = |role, practices: Vec<smartdmv_domain::PracticeId>| NewUser {
        email: format!("new-{}@clinic.example", uuid::Uuid::now_v7().simple()),
        name: "New User".into(),
        password: None,
        role,
        roles: Vec::new(),
        practice_ids: practices,
    };

    // A practice administrator may not make an administrator (practices:create and more),
    // nor give someone a practice that is not theirs.
    let r = write::create(&c.staff, new_user(TenantRole::Administrator, vec![c.a.id])).await;
    assert_eq!(refusal(r), "cannot_grant");
    let r = write::create(&c.staff, new_user(TenantRole::Receptionist, vec![c.b.id])).await;
    assert_eq!(refusal(r), "forbidden");
    write::create(&c.staff, new_user(TenantRole::Receptionist, vec![c.a.id]))
        .await
        .unwrap();
    // ... nor grant what they lack by an override or a custom role.
    let r = overrides::add(&c.staff, vet.id, grant("practices:create", true)).await;
    assert_eq!(refusal(r), "cannot_grant");
    let r = roles::create(
        &c.staff,
        roles::RoleInput {
            name: Some("Openers".into()),
            description: None,
            permissions: Some(vec![Permission::parse("practices:create").unwrap()]),
        },
    )
    .await;
    assert_eq!(refusal(r), "cannot_grant");
    // ... nor change a user who holds more than they do.
    let r = write::update(
        &c.staff,
        c.admin.user.id,
        UserChanges {
            name: Some("Demoted".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(refusal(r), "cannot_grant");
    overrides::add(&c.staff, vet.id, grant("rooms:read", false))
        .await
        .unwrap();

    // Nobody changes their own access, not even the administrator.
    let own = |cx: &TenantPrincipal| cx.user.id;
    let r = write::update(
        &c.admin,
        own(&c.admin),
        UserChanges {
            role: Some(TenantRole::Receptionist),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(refusal(r), "forbidden");
    let r = overrides::add(&c.staff, own(&c.staff), grant("rooms:read", true)).await;
    assert_eq!(refusal(r), "forbidden");
    assert_eq!(
        refusal(write::deactivate(&c.admin, own(&c.admin)).await),
        "forbidden"
    );
    // A rename of oneself is fine.
    let renamed = write::update(
        &c.staff,
        own(&c.staff),
        UserChanges {
            name: Some("Pat Admin".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(renamed.name, "Pat Admin");
}

async fn live(c: &Clinic, cx: &TenantPrincipal) -> bool {
    session::Entity::find_by_id(cx.session.id)
        .one(&c.t.db)
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_none()
}

async fn a_change_of_access_signs_the_user_out_and_a_rename_does_not(b: Backend) {
    let c = Clinic::open(b).await;
    let vet = c.vet("vet@clinic.example", c.a.id).await;
    let changes = [
        (
            "rename",
            UserChanges {
                name: Some("Dr Renamed".into()),
                ..Default::default()
            },
        ),
        (
            "role",
            UserChanges {
                role: Some(TenantRole::Technician),
                ..Default::default()
            },
        ),
        (
            "practices",
            UserChanges {
                practice_ids: Some(vec![c.a.id, c.b.id]),
                ..Default::default()
            },
        ),
        (
            "deactivation",
            UserChanges {
                active: Some(false),
                ..Default::default()
            },
        ),
    ];
    for (what, change) in changes {
        let vet = c.principal(&vet).await;
        let other = c.principal(&vet.user).await;
        write::update(&c.admin, vet.user.id, change).await.unwrap();
        let signed_out = what != "rename";
        for s in [&vet, &other] {
            assert_eq!(
                live(&c, s).await,
                !signed_out,
                "a {what} signs out: {signed_out}"
            );
        }
    }
}
