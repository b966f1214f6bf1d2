//! The harness: a fresh company database per test ([`TestDb`], from `smartdmv-testkit`),
//! migrated to the latest tenant schema, and a few records to build on.

use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{ClientId, PatientId, PracticeId, RoomId, TenantRole, UserId};
use smartdmv_store::tenant::{appointment, client, patient, patient_owner, practice, room, user};
use smartdmv_store::{Stamp, TenantConn};
use uuid::Uuid;

pub use smartdmv_testkit::{Backend, TestDb, both_backends};

/// A UTC time on 4 January 2027 (a Monday).
pub fn at(hour: u8, minute: u8) -> Stamp {
    let t = jiff::civil::date(2027, 1, 4).at(hour as i8, minute as i8, 0, 0);
    Stamp(t.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp())
}

pub async fn practice(db: &impl TenantConn, name: &str) -> practice::Model {
    let now = smartdmv_store::now();
    practice::insert(
        db,
        practice::Model {
            id: Uuid::now_v7().into(),
            name: name.into(),
            address: None,
            phone: None,
            email: None,
            time_zone: "Europe/London".into(),
            currency: "GBP".into(),
            opening_hours: serde_json::json!({}),
            allow_client_signup: false,
            is_head_office: false,
            tax_rate_bp: 0,
            active: true,
            record_lock_hours: smartdmv_domain::clinical::DEFAULT_RECORD_LOCK_HOURS,
            portal_shows_notes: false,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap()
}

pub async fn vet(db: &impl TenantConn, practice: PracticeId, name: &str) -> user::Model {
    let now = smartdmv_store::now();
    user::insert(
        db,
        user::Model {
            id: Uuid::now_v7().into(),
            email: format!("{}@vets.example", Uuid::now_v7().simple()),
            name: name.into(),
            password_hash: String::new(),
            role: TenantRole::Veterinarian,
            practice_id: Some(practice),
            active: true,
            created_at: now,
            updated_at: now,
            invitation_hash: None,
            invitation_expires_at: None,
        },
    )
    .await
    .unwrap()
}

pub async fn room(
    db: &impl TenantConn,
    practice: PracticeId,
    name: &str,
    active: bool,
) -> room::Model {
    let now = smartdmv_store::now();
    room::insert(
        db,
        room::Model {
            id: Uuid::now_v7().into(),
            practice_id: practice,
            name: name.into(),
            active,
            created_at: now,
            updated_at: now,
        },
    )
    .await
    .unwrap()
}

pub fn new_client(first: &str, last: &str) -> client::Model {
    let now = smartdmv_store::now();
    client::Model {
        id: Uuid::now_v7().into(),
        first_name: first.into(),
        last_name: last.into(),
        name_key: format!("{} {}", last.to_lowercase(), first.to_lowercase()),
        email: None,
        phone: None,
        address: None,
        home_practice_id: None,
        balance_cents: 0,
        alerts: serde_json::json!([]),
        notes: None,
        user_id: None,
        active: true,
        deactivated_at: None,
        created_at: now,
        updated_at: now,
    }
}

pub fn new_patient(name: &str) -> patient::Model {
    let now = smartdmv_store::now();
    patient::Model {
        id: Uuid::now_v7().into(),
        name: name.into(),
        name_key: name.to_lowercase(),
        species: "dog".into(),
        breed: None,
        sex: "unknown".into(),
        neutered: false,
        date_of_birth: None,
        dob_estimated: false,
        colour: None,
        microchip: None,
        microchip_type: None,
        alerts: serde_json::json!([]),
        deceased_on: None,
        notes: None,
        active: true,
        created_at: now,
        updated_at: now,
    }
}

/// Makes `client` a current owner of `patient`.
pub async fn own(db: &impl TenantConn, client: ClientId, patient: PatientId, primary: bool) {
    patient_owner::insert(
        db,
        patient_owner::Model {
            id: Uuid::now_v7().into(),
            patient_id: patient,
            client_id: client,
            is_primary: primary,
            started_at: smartdmv_store::now(),
            ended_at: None,
            end_reason: None,
            created_by: None,
        },
    )
    .await
    .unwrap();
}

/// A client with one pet, as an appointment needs them.
pub async fn client_with_pet(db: &impl TenantConn) -> (client::Model, patient::Model) {
    let c = client::insert(db, new_client("Ada", "Lovelace"))
        .await
        .unwrap();
    let p = patient::insert(db, new_patient("Rex")).await.unwrap();
    own(db, c.id, p.id, true).await;
    (c, p)
}

/// An appointment of `[start, end)` in the given status (not yet stored).
pub fn new_appointment(
    practice: PracticeId,
    (client, patient): (ClientId, PatientId),
    (vet, room): (Option<UserId>, Option<RoomId>),
    (start, end): (Stamp, Stamp),
    status: AppointmentStatus,
) -> appointment::Model {
    let now = smartdmv_store::now();
    appointment::Model {
        id: Uuid::now_v7().into(),
        practice_id: practice,
        patient_id: patient,
        client_id: client,
        type_id: None,
        veterinarian_id: vet,
        room_id: room,
        starts_at: start,
        ends_at: end,
        reason: None,
        status,
        double_booked: false,
        requested_by_client: false,
        cancel_reason: None,
        created_by: None,
        visit_id: None,
        created_at: now,
        updated_at: now,
    }
}
