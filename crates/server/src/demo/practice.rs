//! A realistic practice for a demo company: staff, appointment types, rooms, about 200
//! clients with contacts, about 300 patients with breeds, weights and some microchips, and a
//! week of appointments. Generated from a fixed seed, so two runs give the same records
//! (ids and the week's dates aside).

use sea_orm::{ActiveModelTrait, EntityTrait};
use serde_json::json;
use smartdmv_domain::contact::ContactKind;
use smartdmv_domain::patient::WeightUnit;
use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::species;
use smartdmv_domain::text;
use smartdmv_domain::{
    AppointmentId, AppointmentTypeId, ClientId, ContactId, OwnershipId, PatientId, PracticeId,
    RoomId, TenantRole, UserId, WeightId,
};
use smartdmv_store::tenant::{
    appointment, appointment_type, client, client_contact, patient, patient_owner, patient_weight,
    practice, room, search, user,
};

/// Clients generated (besides the portal client).
pub const CLIENTS: usize = 200;
/// Patients generated (besides the portal client's two).
pub const PATIENTS: usize = 300;

/// More staff of every demo company: (local part, name, role). They sign in with the demo
/// password too.
pub const DEMO_STAFF: [(&str, &str, TenantRole); 3] = [
    ("vet2", "Dr. Omar Haddad", TenantRole::Veterinarian),
    ("tech", "Tess Technician", TenantRole::Technician),
    ("reception2", "Rob Reception", TenantRole::Receptionist),
];

/// SplitMix64: tiny and seeded; the demo needs the same sequence every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }

    fn pick<'a, T>(&mut self, list: &'a [T]) -> &'a T {
        &list[self.below(list.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// First names of demo people (the search benchmark uses them too).
pub const FIRST: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Oliver",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "William",
    "Mia",
    "Benjamin",
    "Charlotte",
    "Lucas",
    "Harper",
    "Henry",
    "Evelyn",
    "Theodore",
    "Abigail",
    "Jack",
    "Emily",
    "Levi",
    "Ella",
    "Alexander",
    "Scarlett",
    "Jackson",
    "Grace",
    "Mateo",
    "Chloe",
    "Daniel",
    "Zoey",
    "Michael",
    "Nora",
    "Mason",
    "Lily",
    "Sebastian",
    "Hannah",
    "Ethan",
    "Aisha",
    "Mohammed",
    "Priya",
    "Arjun",
    "Mei",
    "Hiroshi",
    "Sofia",
    "Diego",
    "Chiara",
    "Lars",
    "Ingrid",
    "José",
    "Zoë",
    "Siobhán",
    "Björn",
    "Fatima",
    "Kwame",
    "Ngozi",
];

const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "O'Brien",
    "Müller",
    "Kowalski",
    "Rossi",
    "Dubois",
    "Okafor",
    "Patel",
    "Kim",
    "Nakamura",
    "Andersson",
    "MacDonald",
    "de la Cruz",
    "Fitzgerald",
];

const PET_NAMES: &[&str] = &[
    "Bella", "Max", "Luna", "Charlie", "Lucy", "Cooper", "Daisy", "Milo", "Bailey", "Rocky",
    "Coco", "Buddy", "Sadie", "Bear", "Molly", "Tucker", "Stella", "Duke", "Lola", "Oliver", "Zoe",
    "Leo", "Penny", "Teddy", "Rosie", "Simba", "Nala", "Loki", "Willow", "Jasper", "Pepper",
    "Ginger", "Oreo", "Shadow", "Smokey", "Biscuit", "Hazel", "Maple", "Ziggy", "Pickles",
    "Nugget", "Peanut", "Mango", "Kiwi", "Sunny", "Thumper", "Clover", "Pip", "Rex", "Misty",
    "Tigger", "Felix", "Cleo", "Tilly", "Winston", "Archie", "Poppy", "Hugo",
];

const STREETS: &[&str] = &[
    "Harbour Street",
    "Elm Road",
    "Maple Avenue",
    "Station Road",
    "Church Lane",
    "Oak Drive",
    "Mill Lane",
    "Park View",
    "High Street",
    "Orchard Close",
    "Riverside Walk",
    "Cedar Court",
];

const COLOURS: &[&str] = &[
    "Black",
    "White",
    "Brown",
    "Tan",
    "Ginger",
    "Grey",
    "Tabby",
    "Tortoiseshell",
    "Black and white",
    "Brindle",
    "Cream",
    "Golden",
    "Merle",
    "Tricolour",
];

const REASONS: &[&str] = &[
    "Annual check-up",
    "Booster vaccination",
    "Limping on left foreleg",
    "Skin itching",
    "Vomiting since yesterday",
    "Dental check",
    "Weight check",
    "Ear infection follow-up",
    "Nail clip",
    "Post-op check",
    "Not eating well",
    "Microchip implant",
];

/// (species code, share in percent, weight range in kg).
const MIX: &[(&str, usize, f64, f64)] = &[
    ("dog", 48, 3.0, 45.0),
    ("cat", 34, 2.5, 7.5),
    ("rabbit", 7, 1.0, 5.0),
    ("guinea-pig", 4, 0.7, 1.2),
    ("bird", 3, 0.03, 0.6),
    ("reptile", 2, 0.05, 2.0),
    ("ferret", 1, 0.6, 2.0),
    ("hamster", 1, 0.03, 0.2),
];

/// Appointment types: name, minutes, colour.
const TYPES: &[(&str, i32, &str)] = &[
    ("Consultation", 15, "#4f86c6"),
    ("Vaccination", 15, "#5cb85c"),
    ("Follow-up", 10, "#9b59b6"),
    ("Dental", 45, "#f0ad4e"),
    ("Surgery", 60, "#d9534f"),
];

macro_rules! insert_all {
    ($db:expr, $module:ident, $rows:expr) => {
        for chunk in $rows.chunks(200) {
            $module::Entity::insert_many(
                chunk
                    .iter()
                    .cloned()
                    .map(|m| $module::ActiveModel::from(m).reset_all()),
            )
            .exec_without_returning($db)
            .await?;
        }
    };
}

fn species_of(rng: &mut Rng) -> &'static (&'static str, usize, f64, f64) {
    let mut roll = rng.below(100);
    for m in MIX {
        if roll < m.1 {
            return m;
        }
        roll -= m.1;
    }
    &MIX[0]
}

/// A plausible ISO microchip: a manufacturer code and 12 more digits.
fn microchip(rng: &mut Rng) -> String {
    let maker = *rng.pick(&["985", "981", "956", "900", "977"]);
    format!("{maker}{:012}", rng.next() % 1_000_000_000_000)
}

struct People {
    clients: Vec<client::Model>,
    contacts: Vec<client_contact::Model>,
    patients: Vec<patient::Model>,
    owners: Vec<patient_owner::Model>,
    weights: Vec<patient_weight::Model>,
}

#[allow(clippy::too_many_arguments)]
fn new_client(
    rng: &mut Rng,
    first: &str,
    last: &str,
    home: PracticeId,
    user_id: Option<UserId>,
    now: time::OffsetDateTime,
    people: &mut People,
    n: usize,
) -> ClientId {
    let id = ClientId::new();
    let phone = format!(
        "+1 555 {:03} {:04}",
        100 + rng.below(900),
        rng.below(10_000)
    );
    let email = format!(
        "{}.{}{}@{}",
        text::fold_name(first).replace(' ', ""),
        text::fold_name(last).replace(' ', ""),
        n,
        rng.pick(&["mail.example", "post.example", "inbox.example"])
    );
    let has_email = user_id.is_some() || rng.chance(85);
    let address = json!({
        "line1": format!("{} {}", 1 + rng.below(200), rng.pick(STREETS)),
        "line2": null, "city": "Springfield", "region": null,
        "postalCode": format!("{:05}", 10_000 + rng.below(90_000)), "country": "US",
    });
    people.clients.push(client::Model {
        id,
        first_name: first.into(),
        last_name: last.into(),
        name_key: text::person_key(first, last),
        email: has_email.then(|| email.clone()),
        phone: Some(phone.clone()),
        address: Some(address),
        home_practice_id: Some(home),
        balance_cents: 0,
        alerts: json!([]),
        notes: None,
        user_id,
        active: true,
        deactivated_at: None,
        created_at: now,
        updated_at: now,
    });
    let mut contact = |kind: ContactKind, value: String, normalized: String, purpose: &str| {
        people.contacts.push(client_contact::Model {
            id: ContactId::new(),
            client_id: id,
            kind,
            value,
            normalized,
            purpose: purpose.into(),
            sms_consent: true,
            email_consent: true,
            is_primary: true,
            created_at: now,
        })
    };
    contact(
        ContactKind::Phone,
        phone.clone(),
        text::phone_digits(&phone),
        "mobile",
    );
    if has_email {
        contact(ContactKind::Email, email.clone(), email, "home");
    }
    id
}

fn new_patient(
    rng: &mut Rng,
    name: &str,
    owner: ClientId,
    today: time::Date,
    now: time::OffsetDateTime,
    people: &mut People,
) {
    let (code, _, lo, hi) = *species_of(rng);
    let breeds = species::built_in(code).map_or(&[][..], |s| s.breeds);
    let breed = (!breeds.is_empty()).then(|| rng.pick(breeds).to_string());
    let sex = *rng.pick(&["male", "female", "male", "female", "unknown"]);
    let age_days = 60 + rng.below(15 * 365) as i64;
    let id = PatientId::new();
    let chip = (matches!(code, "dog" | "cat" | "rabbit" | "ferret") && rng.chance(60))
        .then(|| microchip(rng));
    people.patients.push(patient::Model {
        id,
        name: name.into(),
        name_key: text::fold_name(name),
        species: code.into(),
        breed,
        sex: sex.into(),
        neutered: sex != "unknown" && rng.chance(65),
        date_of_birth: Some(today - time::Duration::days(age_days)),
        dob_estimated: rng.chance(20),
        colour: Some(rng.pick(COLOURS).to_string()),
        microchip_type: chip.as_ref().map(|_| "iso".into()),
        microchip: chip,
        alerts: if rng.chance(5) {
            json!(["Allergic to penicillin"])
        } else if rng.chance(4) {
            json!(["May bite: muzzle"])
        } else {
            json!([])
        },
        deceased_on: None,
        notes: None,
        active: true,
        created_at: now,
        updated_at: now,
    });
    people.owners.push(patient_owner::Model {
        id: OwnershipId::new(),
        patient_id: id,
        client_id: owner,
        is_primary: true,
        started_at: now,
        ended_at: None,
        end_reason: None,
        created_by: None,
    });
    let kg = lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0);
    people.weights.push(patient_weight::Model {
        id: WeightId::new(),
        patient_id: id,
        value: (kg * 100.0).round() / 100.0,
        unit: WeightUnit::Kg,
        measured_at: now - time::Duration::days(rng.below(200) as i64),
        recorded_by: None,
    });
}

/// Fills the company's practice `home`. `hash` is the demo password's hash; `portal` the
/// demo client user, linked to a client record with two pets.
pub async fn seed(
    db: &impl smartdmv_store::TenantConn,
    home: &practice::Model,
    hash: &str,
    sub: &str,
    portal: Option<UserId>,
) -> anyhow::Result<()> {
    let mut rng = Rng(0x5EED_DE30_2026);
    let now = smartdmv_store::now();
    for (local, name, role) in DEMO_STAFF {
        user::insert(
            db,
            user::Model {
                id: UserId::new(),
                email: format!("{local}@{sub}.example"),
                name: name.into(),
                password_hash: hash.into(),
                role,
                practice_id: Some(home.id),
                active: true,
                created_at: now,
                updated_at: now,
                invitation_hash: None,
                invitation_expires_at: None,
            },
        )
        .await?;
    }
    let types: Vec<appointment_type::Model> = TYPES
        .iter()
        .map(|(name, minutes, colour)| appointment_type::Model {
            id: AppointmentTypeId::new(),
            name: (*name).into(),
            duration_minutes: *minutes,
            colour: (*colour).into(),
            active: true,
            created_at: now,
            updated_at: now,
        })
        .collect();
    insert_all!(db, appointment_type, types);
    let rooms: Vec<room::Model> = ["Consult 1", "Consult 2", "Surgery"]
        .iter()
        .map(|name| room::Model {
            id: RoomId::new(),
            practice_id: home.id,
            name: (*name).into(),
            active: true,
            created_at: now,
            updated_at: now,
        })
        .collect();
    insert_all!(db, room, rooms);

    let today = now.date();
    let mut people = People {
        clients: Vec::new(),
        contacts: Vec::new(),
        patients: Vec::new(),
        owners: Vec::new(),
        weights: Vec::new(),
    };
    if let Some(user_id) = portal {
        let carl = new_client(
            &mut rng,
            "Carl",
            "Client",
            home.id,
            Some(user_id),
            now,
            &mut people,
            0,
        );
        for name in ["Biscuit", "Nova"] {
            new_patient(&mut rng, name, carl, today, now, &mut people);
        }
        // The portal client's email is their login.
        if let Some(c) = people.clients.last_mut() {
            c.email = Some(format!("client@{sub}.example"));
        }
        if let Some(k) = people
            .contacts
            .iter_mut()
            .rev()
            .find(|k| k.kind == ContactKind::Email)
        {
            k.value = format!("client@{sub}.example");
            k.normalized = k.value.clone();
        }
    }
    let mut owners = Vec::new();
    for n in 1..=CLIENTS {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        owners.push(new_client(
            &mut rng,
            first,
            last,
            home.id,
            None,
            now,
            &mut people,
            n,
        ));
    }
    // Every client has a pet; the rest go to random owners.
    for i in 0..PATIENTS {
        let owner = if i < CLIENTS {
            owners[i]
        } else {
            *rng.pick(&owners)
        };
        let name = *rng.pick(PET_NAMES);
        new_patient(&mut rng, name, owner, today, now, &mut people);
    }
    insert_all!(db, client, people.clients);
    insert_all!(db, client_contact, people.contacts);
    insert_all!(db, patient, people.patients);
    insert_all!(db, patient_owner, people.owners);
    insert_all!(db, patient_weight, people.weights);

    let vets: Vec<UserId> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|u| u.role == TenantRole::Veterinarian)
        .map(|u| u.id)
        .collect();
    let appts = week(&mut rng, home, &vets, &types, &rooms, &people, now);
    insert_all!(db, appointment, appts);
    search::rebuild(db).await?;
    Ok(())
}

/// This week's appointments (Monday to Friday, 9:00 to 17:00 in the practice's time zone):
/// each vet's day is a sequence of slots, so no vet is ever double-booked. Past slots are
/// completed (a few cancelled or no-shows), today's are under way, later ones booked or
/// confirmed.
fn week(
    rng: &mut Rng,
    home: &practice::Model,
    vets: &[UserId],
    types: &[appointment_type::Model],
    rooms: &[room::Model],
    people: &People,
    now: time::OffsetDateTime,
) -> Vec<appointment::Model> {
    let tz =
        smartdmv_domain::schedule::time_zone(&home.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(ts) = jiff::Timestamp::from_second(now.unix_timestamp()) else {
        return Vec::new();
    };
    let local_today = ts.to_zoned(tz.clone()).date();
    let monday = local_today
        .checked_sub(
            jiff::Span::new().days(i64::from(local_today.weekday().to_monday_zero_offset())),
        )
        .unwrap_or(local_today);
    let mut out = Vec::new();
    for day in 0..5 {
        let Ok(date) = monday.checked_add(jiff::Span::new().days(day)) else {
            continue;
        };
        for (v, vet) in vets.iter().enumerate() {
            let mut minute = 9 * 60 + 15 * rng.below(3) as i32;
            while minute < 17 * 60 {
                let ty = rng.pick(types);
                // Each vet works in a room of their own, so no room is double-booked either.
                let room = rooms.get(v).map(|r| r.id);
                let Ok(start) = date
                    .at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
                    .to_zoned(tz.clone())
                else {
                    break;
                };
                let starts =
                    time::OffsetDateTime::from_unix_timestamp(start.timestamp().as_second())
                        .unwrap_or(now);
                let ends = starts + time::Duration::minutes(i64::from(ty.duration_minutes));
                let p = rng.below(people.patients.len());
                let patient = &people.patients[p];
                let client = people.owners[p].client_id;
                let status = if ends < now {
                    match rng.below(20) {
                        0 => AppointmentStatus::NoShow,
                        1 => AppointmentStatus::Cancelled,
                        _ => AppointmentStatus::Completed,
                    }
                } else if starts < now {
                    AppointmentStatus::InProgress
                } else if starts.date() == now.date() {
                    AppointmentStatus::Confirmed
                } else {
                    *rng.pick(&[AppointmentStatus::Booked, AppointmentStatus::Confirmed])
                };
                out.push(appointment::Model {
                    id: AppointmentId::new(),
                    practice_id: home.id,
                    patient_id: patient.id,
                    client_id: client,
                    type_id: Some(ty.id),
                    veterinarian_id: Some(*vet),
                    room_id: room,
                    starts_at: starts,
                    ends_at: ends,
                    reason: Some(rng.pick(REASONS).to_string()),
                    status,
                    double_booked: false,
                    requested_by_client: false,
                    cancel_reason: (status == AppointmentStatus::Cancelled)
                        .then(|| "Owner rescheduled".into()),
                    created_by: None,
                    created_at: now,
                    updated_at: now,
                });
                // The slot, then sometimes a gap.
                minute += ty.duration_minutes + 15 * rng.below(3) as i32;
            }
        }
    }
    out
}
