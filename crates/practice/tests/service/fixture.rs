//! The test company: a fresh company database reached through a real tenant registry, its
//! first practice and administrator (as provisioning writes them), a second practice, and a
//! practice administrator bound to the first one, each with a [`TenantPrincipal`].

use smartdmv_domain::{
    ClientId, CompanyId, CompanyStatus, IdInput, PatientId, PracticeId, RoomId, TenantRole, UserId,
};
use smartdmv_practice::users::NewUser;
use smartdmv_practice::{
    ServiceError, Tenant, TenantPrincipal, appointments, clients, patients, practices, rooms, users,
};
use smartdmv_store::TenantConnection;
use smartdmv_store::tenant::{TenantMigrator, practice, room, user};
use smartdmv_tenancy::registry::TenantTarget;
use smartdmv_tenancy::resolve::{Limits, ResolvedCompany};
use smartdmv_tenancy::{RegistryConfig, TenantLocation, TenantRegistry};
use std::sync::Arc;

pub use smartdmv_testkit::{Backend, TestDb, both_backends};

/// A company with two practices, its administrator and a practice administrator of `a`.
pub struct Clinic {
    /// The company's administrator (company-wide).
    pub admin: TenantPrincipal,
    /// A `PRACTICE_ADMINISTRATOR` bound to practice `a`.
    pub staff: TenantPrincipal,
    /// The first practice (the administrator's home).
    pub a: practice::Model,
    pub b: practice::Model,
    registry: TenantRegistry,
    company: Arc<ResolvedCompany>,
    /// Last: the database is dropped after the principals' leases.
    pub t: TestDb,
}

impl Clinic {
    pub async fn open(backend: Backend) -> Clinic {
        let t = TestDb::open(backend).await;
        let now = smartdmv_store::now();
        let a = practice::insert(
            &t.db,
            practice::Model {
                id: PracticeId::new(),
                name: "Harbour Vets".into(),
                address: None,
                phone: None,
                email: None,
                time_zone: "UTC".into(),
                currency: "USD".into(),
                opening_hours: serde_json::json!({}),
                allow_client_signup: false,
                is_head_office: true,
                tax_rate_bp: 0,
                active: true,
                record_lock_hours: smartdmv_domain::clinical::DEFAULT_RECORD_LOCK_HOURS,
                portal_shows_notes: false,
                created_at: now,
                updated_at: now,
            },
        )
        .await
        .unwrap();
        let admin = user::insert(
            &t.db,
            user::Model {
                id: UserId::new(),
                email: "admin@clinic.example".into(),
                name: "First Admin".into(),
                password_hash: "!not-for-signing-in".into(),
                role: TenantRole::Administrator,
                practice_id: Some(a.id),
                active: true,
                created_at: now,
                updated_at: now,
                invitation_hash: None,
                invitation_expires_at: None,
            },
        )
        .await
        .unwrap();
        let registry = TenantRegistry::new(RegistryConfig::default());
        let id = CompanyId::new();
        let company = Arc::new(ResolvedCompany {
            id,
            name: "Clinic".into(),
            subdomain: "clinic".into(),
            status: CompanyStatus::Active,
            target: Some(TenantTarget {
                company: id,
                location: TenantLocation::from_url(&t.url).unwrap(),
                schema_version: TenantMigrator::latest_version(),
            }),
            limits: Limits::default(),
            features: None,
            brand_color: None,
            email_verified: true,
        });
        let admin = signed_in(&registry, &company, &admin).await;
        let b = practices::create(
            &admin,
            practices::NewPractice {
                name: "Hillside Vets".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let staff = add_user(
            &admin,
            &t.db,
            "pa@clinic.example",
            TenantRole::PracticeAdministrator,
            &[a.id],
        )
        .await;
        Clinic {
            staff: signed_in(&registry, &company, &staff).await,
            admin,
            a,
            b,
            registry,
            company,
            t,
        }
    }

    /// The principal of `u`, with its own lease of the company's database.
    pub async fn principal(&self, u: &user::Model) -> TenantPrincipal {
        signed_in(&self.registry, &self.company, u).await
    }

    /// A user added by the administrator (invited: no password to hash).
    pub async fn user(
        &self,
        email: &str,
        role: TenantRole,
        practices: &[PracticeId],
    ) -> user::Model {
        add_user(&self.admin, &self.t.db, email, role, practices).await
    }

    /// A veterinarian of `practice`.
    pub async fn vet(&self, email: &str, practice: PracticeId) -> user::Model {
        self.user(email, TenantRole::Veterinarian, &[practice])
            .await
    }
}

/// A user added by `by` through the users service (invited: no password to hash).
async fn add_user(
    by: &TenantPrincipal,
    db: &TenantConnection,
    email: &str,
    role: TenantRole,
    practices: &[PracticeId],
) -> user::Model {
    let created = users::write::create(
        by,
        NewUser {
            email: email.into(),
            name: format!("User {email}"),
            password: None,
            role,
            roles: Vec::new(),
            practice_ids: practices.to_vec(),
        },
    )
    .await
    .unwrap();
    user::find(db, created.user.id.parse().unwrap())
        .await
        .unwrap()
        .unwrap()
}

async fn signed_in(
    registry: &TenantRegistry,
    company: &Arc<ResolvedCompany>,
    u: &user::Model,
) -> TenantPrincipal {
    let tenant = Tenant::acquire(registry, company.clone()).await.unwrap();
    TenantPrincipal::signed_in_as(tenant, u, 60).await.unwrap()
}

/// The stable code of a refusal, to compare in one assertion.
pub fn code(e: &ServiceError) -> Option<&'static str> {
    match e {
        ServiceError::BadRequest(r)
        | ServiceError::Unauthenticated(r)
        | ServiceError::Forbidden(r)
        | ServiceError::Conflict(r)
        | ServiceError::LimitReached(r)
        | ServiceError::TooLarge(r)
        | ServiceError::Throttled(r, _) => Some(r.code),
        _ => None,
    }
}

/// The fields an `Invalid` names, in order (panics on any other error).
pub fn fields(e: ServiceError) -> Vec<String> {
    match e {
        ServiceError::Invalid(f) => f.into_iter().map(|(f, _)| f).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

impl Clinic {
    /// A client and a dog they own, registered by the administrator: `(client, pet)` ids.
    pub async fn pet(&self, name: &str) -> (ClientId, PatientId) {
        let client = clients::create(
            &self.admin,
            clients::NewClient {
                first_name: Some(format!("Owner of {name}")),
                last_name: Some("Testperson".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let pet = patients::create(
            &self.admin,
            patients::NewPet {
                name: Some(name.into()),
                species: Some("dog".into()),
                owner_id: Some(IdInput::parse(&client.id)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        (client.id.parse().unwrap(), pet.pet.id.parse().unwrap())
    }

    /// A room of `practice`, added by the administrator.
    pub async fn room(&self, practice: PracticeId, name: &str) -> room::Model {
        rooms::create(
            &self.admin,
            rooms::NewRoom {
                practice_id: Some(IdInput::Id(practice)),
                name: name.into(),
            },
        )
        .await
        .unwrap()
    }
}

/// A booking of `pet` in `practice` at `start` for `minutes`, with a veterinarian and a room.
pub fn booking(
    practice: PracticeId,
    pet: PatientId,
    (vet, room): (Option<UserId>, Option<RoomId>),
    start: jiff::Timestamp,
    minutes: i32,
) -> appointments::NewAppointment {
    appointments::NewAppointment {
        pet_id: IdInput::Id(pet),
        starts_at: start.to_string(),
        duration_minutes: Some(minutes),
        practice_id: Some(IdInput::Id(practice)),
        veterinarian_id: vet.map(IdInput::Id),
        room_id: room.map(IdInput::Id),
        type_id: None,
        reason: None,
        client_id: None,
        double_book: false,
    }
}

/// A whole hour `days` from now.
pub fn future_hour(days: i64) -> jiff::Timestamp {
    let s = jiff::Timestamp::now().as_second() / 3600 * 3600 + days * 86_400;
    jiff::Timestamp::from_second(s).unwrap()
}

/// `t` moved by `minutes`.
pub fn at(t: jiff::Timestamp, minutes: i64) -> jiff::Timestamp {
    t + jiff::SignedDuration::from_mins(minutes)
}
