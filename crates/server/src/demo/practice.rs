//! A realistic practice for a demo company, made through the tenant services as the
//! company's administrator: staff, appointment types, rooms, about 200 clients with contacts,
//! about 300 patients with breeds, weights and some microchips, and a week of appointments.
//! Generated from a fixed seed, so two runs give the same records (ids and the week's dates
//! aside).

use smartdmv_domain::schedule::AppointmentStatus;
use smartdmv_domain::{
    ClientId, IdInput, PatientId, PracticeId, TenantRole, UserId, species, text,
};
use smartdmv_practice::appointment_types::{self, AppointmentTypeInput};
use smartdmv_practice::appointments::{self, NewAppointment, StatusChange};
use smartdmv_practice::clients::portal::{self, Credentials, NewPortalAccount};
use smartdmv_practice::clients::{self, Address, ContactIn, NewClient};
use smartdmv_practice::patients::{self, NewPet, WeightIn};
use smartdmv_practice::users::{NewUser, new_credentials, write as users};
use smartdmv_practice::{TenantPrincipal, rfc3339, rooms};
use smartdmv_store::tenant::{appointment_type, practice, room};

use super::{DEMO_PASSWORD, DEMO_PEOPLE};

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

/// A client to register (drawn from `rng`): `n` makes the email address unique.
fn new_client(rng: &mut Rng, first: &str, last: &str, home: PracticeId, n: usize) -> NewClient {
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
    let has_email = n == 0 || rng.chance(85);
    let address = Address {
        line1: Some(format!("{} {}", 1 + rng.below(200), rng.pick(STREETS))),
        line2: None,
        city: Some("Springfield".into()),
        region: None,
        postal_code: Some(format!("{:05}", 10_000 + rng.below(90_000))),
        country: Some("US".into()),
    };
    let contact = |kind: &str, value: String, purpose: &str| ContactIn {
        kind: kind.into(),
        value,
        purpose: Some(purpose.into()),
        sms_consent: kind == "phone",
        email_consent: kind == "email",
        primary: true,
    };
    let mut contacts = vec![contact("phone", phone, "mobile")];
    if has_email {
        contacts.push(contact("email", email, "home"));
    }
    NewClient {
        first_name: Some(first.into()),
        last_name: Some(last.into()),
        contacts: Some(contacts),
        address: Some(address),
        home_practice_id: Some(IdInput::Id(home)),
        ..Default::default()
    }
}

/// A patient of `owner` to register, with a first weighing (drawn from `rng`).
fn new_patient(
    rng: &mut Rng,
    name: &str,
    owner: ClientId,
    today: jiff::civil::Date,
    now: smartdmv_store::Stamp,
) -> NewPet {
    let (code, _, lo, hi) = *species_of(rng);
    let breeds = species::built_in(code).map_or(&[][..], |s| s.breeds);
    let breed = (!breeds.is_empty()).then(|| rng.pick(breeds).to_string());
    let sex = *rng.pick(&["male", "female", "male", "female", "unknown"]);
    let age_days = 60 + rng.below(15 * 365) as i64;
    let chip = (matches!(code, "dog" | "cat" | "rabbit" | "ferret") && rng.chance(60))
        .then(|| microchip(rng));
    let neutered = sex != "unknown" && rng.chance(65);
    let dob_estimated = rng.chance(20);
    let colour = rng.pick(COLOURS).to_string();
    let alerts = if rng.chance(5) {
        vec!["Allergic to penicillin".to_owned()]
    } else if rng.chance(4) {
        vec!["May bite: muzzle".to_owned()]
    } else {
        Vec::new()
    };
    let kg = lo + (hi - lo) * (rng.below(1000) as f64 / 1000.0);
    let measured_at = now - jiff::SignedDuration::from_hours(24 * (rng.below(200) as i64));
    NewPet {
        name: Some(name.into()),
        species: Some(code.into()),
        owner_id: Some(IdInput::Id(owner)),
        breed,
        sex: Some(sex.into()),
        neutered: Some(neutered),
        date_of_birth: Some(
            (today - jiff::SignedDuration::from_hours(24 * (age_days))).to_string(),
        ),
        dob_estimated: Some(dob_estimated),
        colour: Some(colour),
        microchip_type: chip.as_ref().map(|_| "iso".into()),
        microchip: chip,
        alerts,
        weight: Some(WeightIn {
            value: (kg * 100.0).round() / 100.0,
            unit: "kg".into(),
            measured_at: Some(rfc3339(measured_at)),
        }),
        ..Default::default()
    }
}

/// Registers a client and returns their id.
async fn register(cx: &TenantPrincipal, input: NewClient) -> anyhow::Result<ClientId> {
    Ok(clients::create(cx, input).await?.id.parse()?)
}

/// Registers a patient of `owner`; returns `(patient, owner)`.
async fn admit(cx: &TenantPrincipal, input: NewPet) -> anyhow::Result<(PatientId, ClientId)> {
    let Some(IdInput::Id(owner)) = input.owner_id else {
        anyhow::bail!("a demo patient without its owner");
    };
    Ok((patients::create(cx, input).await?.pet.id.parse()?, owner))
}

/// A member of staff of `home` who signs in with the demo password; answers their id.
async fn hire(
    cx: &TenantPrincipal,
    home: PracticeId,
    sub: &str,
    (local, name, role): (&str, &str, TenantRole),
) -> anyhow::Result<UserId> {
    let created = users::create(
        cx,
        NewUser {
            email: format!("{local}@{sub}.example"),
            name: name.into(),
            password: Some(DEMO_PASSWORD.into()),
            role,
            roles: Vec::new(),
            practice_ids: vec![home],
        },
    )
    .await?;
    Ok(created.user.id.parse()?)
}

/// Fills the company's practice `home` through the services, as the administrator `cx`:
/// the demo staff, the portal client (a client record with two pets and its portal login),
/// the generated clients and patients, and this week's appointments.
pub async fn seed(cx: &TenantPrincipal, home: &practice::Model, sub: &str) -> anyhow::Result<()> {
    let mut rng = Rng(0x5EED_DE30_2026);
    let now = smartdmv_store::now();
    let mut vets = Vec::new();
    for person in DEMO_PEOPLE.into_iter().chain(DEMO_STAFF) {
        if person.2 == TenantRole::Client {
            continue;
        }
        let id = hire(cx, home.id, sub, person).await?;
        if person.2 == TenantRole::Veterinarian {
            vets.push(id);
        }
    }
    let mut types = Vec::new();
    for (name, minutes, colour) in TYPES {
        let input = AppointmentTypeInput {
            name: Some((*name).into()),
            duration_minutes: Some(*minutes),
            colour: Some((*colour).into()),
            active: None,
        };
        types.push(appointment_types::create(cx, input).await?);
    }
    let mut rooms = Vec::new();
    for name in ["Consult 1", "Consult 2", "Surgery"] {
        let input = rooms::NewRoom {
            practice_id: Some(IdInput::Id(home.id)),
            name: name.into(),
        };
        rooms.push(rooms::create(cx, input).await?);
    }

    // The portal client: their email is their login.
    let today = now.date();
    let mut carl = new_client(&mut rng, "Carl", "Client", home.id, 0);
    let login = format!("client@{sub}.example");
    if let Some(email) = carl
        .contacts
        .iter_mut()
        .flatten()
        .find(|k| k.kind == "email")
    {
        email.value = login.clone();
    }
    let carl = register(cx, carl).await?;
    let mut pets = Vec::new();
    for name in ["Biscuit", "Nova"] {
        pets.push(admit(cx, new_patient(&mut rng, name, carl, today, now)).await?);
    }
    let account = NewPortalAccount {
        email: login,
        password: Some(DEMO_PASSWORD.into()),
        invite: false,
    };
    portal::create(cx, carl, account, |password| async move {
        let (password_hash, _) = new_credentials(password).await?;
        Ok(Credentials {
            password_hash,
            invitation: None,
        })
    })
    .await?;

    let mut owners = Vec::new();
    for n in 1..=CLIENTS {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        owners.push(register(cx, new_client(&mut rng, first, last, home.id, n)).await?);
    }
    // Every client has a pet; the rest go to random owners.
    for i in 0..PATIENTS {
        let owner = if i < CLIENTS {
            owners[i]
        } else {
            *rng.pick(&owners)
        };
        let name = *rng.pick(PET_NAMES);
        pets.push(admit(cx, new_patient(&mut rng, name, owner, today, now)).await?);
    }

    for (booking, status) in week(&mut rng, home, &vets, &types, &rooms, &pets, now) {
        let booked = appointments::create(cx, booking).await?;
        let id = booked.id;
        for step in steps_to(status) {
            let change = StatusChange {
                status: Some(step.as_str().into()),
                reason: (*step == AppointmentStatus::Cancelled).then(|| "Owner rescheduled".into()),
                double_book: false,
            };
            appointments::change_status(cx, id, change).await?;
        }
    }
    Ok(())
}

/// The status moves from `booked` to `status`.
fn steps_to(status: AppointmentStatus) -> &'static [AppointmentStatus] {
    use AppointmentStatus::*;
    match status {
        Confirmed => &[Confirmed],
        CheckedIn => &[CheckedIn],
        InProgress => &[CheckedIn, InProgress],
        Completed => &[CheckedIn, InProgress, Completed],
        Cancelled => &[Cancelled],
        NoShow => &[NoShow],
        Requested | Booked => &[],
    }
}

/// This week's appointments (Monday to Friday, 9:00 to 17:00 in the practice's time zone),
/// each with the status it reaches: each vet's day is a sequence of slots, so no vet is ever
/// double-booked. Past slots are completed (a few cancelled or no-shows), today's are under
/// way, later ones booked or confirmed. `pets` are `(patient, owner)`.
fn week(
    rng: &mut Rng,
    home: &practice::Model,
    vets: &[UserId],
    types: &[appointment_type::Model],
    rooms: &[room::Model],
    pets: &[(PatientId, ClientId)],
    now: smartdmv_store::Stamp,
) -> Vec<(NewAppointment, AppointmentStatus)> {
    let tz =
        smartdmv_domain::schedule::time_zone(&home.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(ts) = jiff::Timestamp::from_second(now.as_second()) else {
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
                let starts = smartdmv_store::Stamp(start.timestamp());
                let ends = starts + jiff::SignedDuration::from_mins(i64::from(ty.duration_minutes));
                let (patient, client) = pets[rng.below(pets.len())];
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
                let booking = NewAppointment {
                    pet_id: IdInput::Id(patient),
                    starts_at: start.timestamp().to_string(),
                    duration_minutes: Some(ty.duration_minutes),
                    practice_id: Some(IdInput::Id(home.id)),
                    veterinarian_id: Some(IdInput::Id(*vet)),
                    room_id: room.map(IdInput::Id),
                    type_id: Some(IdInput::Id(ty.id)),
                    reason: Some(rng.pick(REASONS).to_string()),
                    client_id: Some(IdInput::Id(client)),
                    double_book: false,
                };
                out.push((booking, status));
                // The slot, then sometimes a gap.
                minute += ty.duration_minutes + 15 * rng.below(3) as i32;
            }
        }
    }
    out
}
