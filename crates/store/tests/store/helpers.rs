//! The harness: a fresh company database per test, migrated to the latest tenant schema,
//! and a few records to build on.

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use sea_orm_migration::MigratorTrait;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{ClientId, PatientId, PracticeId, RoomId, TenantRole, UserId};
use smartdmv_store::tenant::{
    TenantMigrator, appointment, client, patient, patient_owner, practice, room, user,
};
use smartdmv_store::{TenantConn, TenantConnection};
use std::time::Duration;
use uuid::Uuid;

/// Which database engine a test runs on.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// A PostgreSQL server URL without a database name.
    Postgres(String),
}

impl Backend {
    /// The PostgreSQL backend when `SMARTDMV_TEST_PG_URL` is set. With
    /// `SMARTDMV_TEST_REQUIRE_PG=1` (CI) a missing URL fails the test instead of skipping.
    pub fn postgres() -> Option<Backend> {
        match std::env::var("SMARTDMV_TEST_PG_URL") {
            Ok(u) if !u.is_empty() => Some(Backend::Postgres(u.trim_end_matches('/').to_owned())),
            _ => {
                assert!(
                    std::env::var("SMARTDMV_TEST_REQUIRE_PG").as_deref() != Ok("1"),
                    "SMARTDMV_TEST_REQUIRE_PG=1 but SMARTDMV_TEST_PG_URL is not set"
                );
                None
            }
        }
    }
}

/// Declares `mod name { sqlite(), postgres() }` for each async test function `name(Backend)`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    match $crate::helpers::Backend::postgres() {
                        Some(b) => super::$name(b).await,
                        None => eprintln!("postgres half not run: SMARTDMV_TEST_PG_URL is not set"),
                    }
                }
            }
        )*
    };
}

/// A fresh company database: a SQLite file in a temporary folder, or a PostgreSQL database
/// `smt_store_<random>` created for the test and dropped when it ends (even on a panic).
pub struct TestDb {
    pub db: TenantConnection,
    _dir: Option<tempfile::TempDir>,
    /// The server URL and the database's name, to drop it.
    pg: Option<(String, String)>,
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut o = ConnectOptions::new(url.to_owned());
    o.max_connections(4)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(o).await.unwrap()
}

impl TestDb {
    pub async fn open(b: Backend) -> TestDb {
        let (raw, dir, pg) = match b {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("tenant.db");
                let raw = connect(&format!("sqlite://{}?mode=rwc", path.display())).await;
                (raw, Some(dir), None)
            }
            Backend::Postgres(url) => {
                // The random tail of a v7 id (its head is the clock).
                let name = format!("smt_store_{}", &Uuid::now_v7().simple().to_string()[20..]);
                let admin = connect(&format!("{url}/postgres")).await;
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap();
                let _ = admin.close().await;
                let raw = connect(&format!("{url}/{name}")).await;
                (raw, None, Some((url, name)))
            }
        };
        TenantMigrator::up(&raw, None).await.unwrap();
        TestDb {
            db: TenantConnection::from_raw(raw),
            _dir: dir,
            pg,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, name)) = self.pg.take() else {
            return;
        };
        let db = self.db.clone();
        // A runtime of its own: drop may run inside the test's runtime, which cannot block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let _ = db.close().await;
                let admin = connect(&format!("{url}/postgres")).await;
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
                let _ = admin.close().await;
            });
        })
        .join();
    }
}

/// A UTC time on 4 January 2027 (a Monday).
pub fn at(hour: u8, minute: u8) -> time::OffsetDateTime {
    time::macros::datetime!(2027-01-04 00:00 UTC)
        .replace_hour(hour)
        .unwrap()
        .replace_minute(minute)
        .unwrap()
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
    (start, end): (time::OffsetDateTime, time::OffsetDateTime),
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
        created_at: now,
        updated_at: now,
    }
}
