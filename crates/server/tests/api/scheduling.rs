//! Scheduling: appointment types, rooms, appointments (booking, conflicts, the status
//! machine, client requests and cancellations), free slots and the day view, across a
//! daylight-saving change. Clients and pets are written straight into the company's database
//! with the store entities, following the data conventions of the practice records.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use smartdmv_store::tenant::{appointment, client, patient, patient_owner};
use std::collections::BTreeSet;

use crate::both_backends;
use crate::fixtures::{Company, client_row, ownership, patient_row};
use crate::helpers::{Backend, Options, TestApp, json, strs};

both_backends!(
    appointment_types_are_validated_named_once_and_deactivated,
    rooms_are_practice_scoped_and_deactivated,
    status_machine_table_matches_the_api,
    overlaps_are_refused_back_to_back_and_marked_double_bookings_are_not,
    room_conflicts_and_reschedules_are_checked,
    concurrent_bookings_of_one_slot_admit_exactly_one,
    daylight_saving_weeks_keep_local_times,
    client_request_becomes_an_appointment_when_staff_book_it,
    clients_see_and_cancel_only_their_own,
    closed_practices_and_deceased_pets_take_no_bookings,
    every_change_writes_an_audit_row,
    bookings_are_validated,
    lists_filter_by_field_and_practice_and_page_by_start,
);

// ---------------------------------------------------------------------------------------
// Fixtures

/// A client (the portal account of `user`, if given) and a dog they own, written straight
/// into the company's database. Returns `(client id, pet id)`.
pub async fn owned_pet(
    app: &TestApp,
    company: &str,
    name: &str,
    user: Option<&str>,
) -> (String, String) {
    let db = app.open_tenant_db(company).await;
    let c = client::insert(
        &db,
        client::Model {
            user_id: user.map(|u| u.parse().unwrap()),
            ..client_row(&format!("Owner of {name}"), "Testperson")
        },
    )
    .await
    .unwrap();
    let p = patient::insert(&db, patient_row(name, "dog"))
        .await
        .unwrap();
    patient_owner::insert(&db, ownership(p.id, c.id, true))
        .await
        .unwrap();
    let _ = db.close().await;
    (c.id.to_string(), p.id.to_string())
}

/// A whole hour `days` from now, in UTC.
pub fn future_hour(days: i64) -> Timestamp {
    let s = Timestamp::now().as_second() / 3600 * 3600 + days * 86_400;
    Timestamp::from_second(s).unwrap()
}

pub struct ScheduleFixtures {
    pub appointment_type: String,
    pub room: String,
    pub appointment: String,
}

/// An appointment type, a room of `practice` and an appointment in it a month ahead, each
/// named with `tag`, for the permission matrix and the isolation harness.
pub async fn schedule_fixtures(
    app: &TestApp,
    company: &str,
    sub: &str,
    admin: &str,
    practice: &str,
    tag: &str,
) -> ScheduleFixtures {
    let call = |m: Method, path: &str, body: Value| {
        app.tenant(sub, m, path)
            .bearer_auth(admin)
            .json(&body)
            .send()
    };
    let (s, t) = json(
        call(
            Method::POST,
            "/api/appointment-types",
            json!({"name": format!("Type {tag}"), "durationMinutes": 20}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let (s, r) = json(
        call(
            Method::POST,
            "/api/rooms",
            json!({"practiceId": practice, "name": format!("Room {tag}")}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (_, pet) = owned_pet(app, company, &format!("Pet {tag}"), None).await;
    let (s, a) = json(
        call(
            Method::POST,
            "/api/appointments",
            json!({"petId": pet, "startsAt": future_hour(30).to_string(), "practiceId": practice,
                   "typeId": t["id"], "roomId": r["id"], "reason": format!("Reason {tag}")}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    ScheduleFixtures {
        appointment_type: t["id"].as_str().unwrap().to_owned(),
        room: r["id"].as_str().unwrap().to_owned(),
        appointment: a["id"].as_str().unwrap().to_owned(),
    }
}

/// A company with one practice in `tz` open 08:00-18:00 every day, two veterinarians and a
/// 30-minute "Consult" type.
struct Clinic {
    c: Company,
    vets: Vec<String>,
    consult: String,
}

impl std::ops::Deref for Clinic {
    type Target = Company;
    fn deref(&self) -> &Company {
        &self.c
    }
}

impl Clinic {
    async fn open(b: Backend, sub: &str, tz: &str) -> Clinic {
        Self::open_with(b, sub, tz, Options::default()).await
    }

    async fn open_with(b: Backend, sub: &str, tz: &str, opts: Options) -> Clinic {
        let c = Company::open_with(b, sub, opts).await;
        let day = json!([["08:00", "18:00"]]);
        let hours = json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day,
                           "sat": day, "sun": day});
        let (s, v) = c
            .patch(
                &format!("/api/practices/{}", c.practice),
                json!({"timeZone": tz, "openingHours": hours}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let mut vets = Vec::new();
        for i in 1..=2 {
            let email = format!("vet{i}@{sub}.example");
            vets.push(
                c.app
                    .create_user(sub, &c.admin, &email, "VETERINARIAN")
                    .await,
            );
        }
        let consult = c.appointment_type("Consult", 30, "#AA3300").await;
        Clinic { c, vets, consult }
    }

    /// Books as the administrator.
    async fn book(&self, body: Value) -> (StatusCode, Value) {
        self.post("/api/appointments", body).await
    }

    /// Books and expects 201; returns the appointment.
    async fn booked(&self, body: Value) -> Value {
        let (s, v) = self.book(body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v
    }

    async fn status(&self, id: &str, status: &str) -> (StatusCode, Value) {
        self.post(
            &format!("/api/appointments/{id}/status"),
            json!({"status": status}),
        )
        .await
    }

    async fn pet(&self, name: &str) -> (String, String) {
        owned_pet(&self.app, &self.cid, name, None).await
    }

    /// A portal user with a client record and a pet: `(token, client id, pet id)`.
    async fn client_user(&self, name: &str) -> (String, String, String) {
        let user = self
            .app
            .create_user(
                &self.sub,
                &self.admin,
                &format!("{}@owners.example", name.to_lowercase()),
                "CLIENT",
            )
            .await;
        let (client, pet) = owned_pet(&self.app, &self.cid, name, Some(&user)).await;
        let token = self.app.session_for(&self.cid, &user).await;
        (token, client, pet)
    }
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

fn item_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

fn at(t: Timestamp, minutes: i64) -> String {
    (t + SignedDuration::from_mins(minutes)).to_string()
}

// ---------------------------------------------------------------------------------------
// Appointment types and rooms

async fn appointment_types_are_validated_named_once_and_deactivated(b: Backend) {
    let c = Clinic::open(b, "types", "Europe/London").await;
    let (_, t) = c
        .get(&format!("/api/appointment-types/{}", c.consult))
        .await;
    assert_eq!(t["colour"], "#aa3300", "stored in lower case: {t}");
    assert_eq!(t["durationMinutes"], 30);
    for (body, field) in [
        (
            json!({"name": "Short", "durationMinutes": 4}),
            "durationMinutes",
        ),
        (
            json!({"name": "Long", "durationMinutes": 481}),
            "durationMinutes",
        ),
        (
            json!({"name": "Red", "durationMinutes": 10, "colour": "red"}),
            "colour",
        ),
        (
            json!({"name": "Red", "durationMinutes": 10, "colour": "#12345g"}),
            "colour",
        ),
        (json!({"name": " ", "durationMinutes": 10}), "name"),
        (json!({"durationMinutes": 10}), "name"),
        (json!({"name": "No length"}), "durationMinutes"),
    ] {
        let (s, v) = c.post("/api/appointment-types", body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert!(v["errors"][field].is_array(), "{body}: {v}");
    }
    let (s, v) = c
        .post(
            "/api/appointment-types",
            json!({"name": "Consult", "durationMinutes": 15}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "appointment_type_name_taken");
    let (s, v) = c
        .post(
            "/api/appointment-types",
            json!({"name": "Vaccination", "durationMinutes": 5}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["colour"], "#4f7cac");
    let vacc = v["id"].as_str().unwrap().to_owned();
    let (s, v) = c
        .patch(
            &format!("/api/appointment-types/{vacc}"),
            json!({"durationMinutes": 10, "colour": "#00ff00"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["durationMinutes"], 10);
    let (s, v) = c
        .patch(
            &format!("/api/appointment-types/{vacc}"),
            json!({"durationMinutes": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // A receptionist reads types but does not change them.
    let (rec, _) = c
        .staff("rec@types.example", "RECEPTIONIST", &[&c.practice])
        .await;
    let (s, v) = c.get_as(&rec, "/api/appointment-types").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (s, _) = c
        .post_as(
            &rec,
            "/api/appointment-types",
            json!({"name": "Mine", "durationMinutes": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // DELETE deactivates: gone from the list, still readable, not bookable.
    let (s, v) = c
        .delete_as(&c.admin, &format!("/api/appointment-types/{vacc}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["active"], false);
    let (_, list) = c.get("/api/appointment-types").await;
    assert_eq!(item_ids(&list), vec![c.consult.clone()]);
    let (_, all) = c.get("/api/appointment-types?includeInactive=true").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let (_, pet) = c.pet("Rex").await;
    let (s, v) = c
        .book(json!({"petId": pet, "startsAt": future_hour(3).to_string(), "typeId": vacc}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["typeId"].is_array(), "{v}");
    // The type's length is the default of a booking.
    let v = c
        .booked(json!({"petId": pet, "startsAt": future_hour(3).to_string(), "typeId": c.consult}))
        .await;
    assert_eq!(v["durationMinutes"], 30);
    let (s, _) = c.get("/api/appointment-types/not-an-id").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

async fn rooms_are_practice_scoped_and_deactivated(b: Backend) {
    let c = Clinic::open(b, "rooms", "Europe/London").await;
    let (s, p2) = c.post("/api/practices", json!({"name": "Second"})).await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    let p2 = p2["id"].as_str().unwrap().to_owned();
    let (s, a1) = c
        .post(
            "/api/rooms",
            json!({"practiceId": c.practice, "name": "Consult 1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a1}");
    let a1 = a1["id"].as_str().unwrap().to_owned();
    let (s, v) = c
        .post(
            "/api/rooms",
            json!({"practiceId": c.practice, "name": "consult 1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "room_name_taken");
    let (s, b1) = c
        .post("/api/rooms", json!({"practiceId": p2, "name": "Theatre"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b1}");
    let b1 = b1["id"].as_str().unwrap().to_owned();

    // A manager bound to the first practice sees and books only its rooms.
    let (mgr, _) = c
        .staff("mgr@rooms.example", "PRACTICE_MANAGER", &[&c.practice])
        .await;
    let (_, list) = c.get_as(&mgr, "/api/rooms").await;
    assert_eq!(item_ids(&list), vec![a1.clone()]);
    let (_, list) = c.get_as(&mgr, &format!("/api/rooms?practiceId={p2}")).await;
    assert!(item_ids(&list).is_empty());
    for m in [Method::GET, Method::PATCH, Method::DELETE] {
        let body = (m == Method::PATCH).then(|| json!({"name": "Mine now"}));
        let (s, v) = c
            .call(&mgr, m.clone(), &format!("/api/rooms/{b1}"), body)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {v}");
    }
    let (s, v) = c
        .post_as(
            &mgr,
            "/api/rooms",
            json!({"practiceId": p2, "name": "Sneaky"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (_, pet) = c.pet("Rex").await;
    let (s, v) = c
        .post_as(
            &mgr,
            "/api/appointments",
            json!({"petId": pet, "startsAt": future_hour(2).to_string(),
                        "durationMinutes": 15, "roomId": b1}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["roomId"].is_array(), "{v}");
    // Nor can the administrator book practice B's room at practice A.
    let (s, v) = c
        .book(json!({"petId": pet, "startsAt": future_hour(2).to_string(),
                     "durationMinutes": 15, "practiceId": c.practice, "roomId": b1}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // The manager's own practice is the default, and its room is bookable.
    let (s, v) = c
        .post_as(&mgr, "/api/rooms", json!({"name": "Consult 2"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["practiceId"], c.practice.as_str());
    let (s, v) = c
        .post_as(
            &mgr,
            "/api/appointments",
            json!({"petId": pet, "startsAt": future_hour(2).to_string(),
                        "durationMinutes": 15, "roomId": a1}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["roomId"], a1.as_str());

    // Rename, then deactivate: out of the list, no new bookings, the old one keeps it.
    let (s, v) = c
        .patch_as(
            &mgr,
            &format!("/api/rooms/{a1}"),
            json!({"name": "Consult One"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "Consult One");
    let (s, v) = c.delete_as(&mgr, &format!("/api/rooms/{a1}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["active"], false);
    let (_, list) = c.get_as(&mgr, "/api/rooms").await;
    assert!(!item_ids(&list).contains(&a1));
    let (_, list) = c.get_as(&mgr, "/api/rooms?includeInactive=true").await;
    assert!(item_ids(&list).contains(&a1));
    let (s, _) = c
        .book(json!({"petId": pet, "startsAt": future_hour(4).to_string(),
                     "durationMinutes": 15, "roomId": a1}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A vet reads rooms but does not add them; a client does not even read them.
    let (vet, _) = c
        .staff("v@rooms.example", "VETERINARIAN", &[&c.practice])
        .await;
    let (s, _) = c.get_as(&vet, "/api/rooms").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c.post_as(&vet, "/api/rooms", json!({"name": "Mine"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (owner, _, _) = c.client_user("Nosy").await;
    let (s, _) = c.get_as(&owner, &format!("/api/rooms/{b1}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

// ---------------------------------------------------------------------------------------
// The status machine

const STATUSES: [&str; 8] = [
    "requested",
    "booked",
    "confirmed",
    "checked_in",
    "in_progress",
    "completed",
    "cancelled",
    "no_show",
];

/// Every allowed move; every other (from, to) pair must be refused.
const ALLOWED: [(&str, &str); 12] = [
    ("requested", "booked"),
    ("requested", "cancelled"),
    ("booked", "confirmed"),
    ("booked", "checked_in"),
    ("booked", "cancelled"),
    ("booked", "no_show"),
    ("confirmed", "checked_in"),
    ("confirmed", "cancelled"),
    ("confirmed", "no_show"),
    ("checked_in", "in_progress"),
    ("checked_in", "cancelled"),
    ("in_progress", "completed"),
];

/// Moves from `booked` that reach each status.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "booked" => &[],
        "confirmed" => &["confirmed"],
        "checked_in" => &["checked_in"],
        "in_progress" => &["checked_in", "in_progress"],
        "completed" => &["checked_in", "in_progress", "completed"],
        "cancelled" => &["cancelled"],
        "no_show" => &["no_show"],
        other => panic!("no path to {other}"),
    }
}

async fn status_machine_table_matches_the_api(b: Backend) {
    let c = Clinic::open(b, "machine", "Europe/London").await;
    let (owner, _, pet) = c.client_user("Machine").await;
    let base = future_hour(5);
    let mut n = 0;
    let mut failures = Vec::new();
    for from in STATUSES {
        for to in STATUSES {
            n += 1;
            let starts = at(base, n * 30);
            // An appointment in status `from`.
            let id = if from == "requested" {
                let (s, v) = c
                    .post_as(
                        &owner,
                        "/api/appointments",
                        json!({"petId": pet, "startsAt": starts, "durationMinutes": 15,
                                    "practiceId": c.practice}),
                    )
                    .await;
                assert_eq!(s, StatusCode::CREATED, "{v}");
                v["id"].as_str().unwrap().to_owned()
            } else {
                let v = c
                    .booked(json!({"petId": pet, "startsAt": starts, "durationMinutes": 15}))
                    .await;
                let id = v["id"].as_str().unwrap().to_owned();
                for step in path_to(from) {
                    let (s, v) = c.status(&id, step).await;
                    assert_eq!(s, StatusCode::OK, "{from} via {step}: {v}");
                }
                id
            };
            let (_, before) = c.get(&format!("/api/appointments/{id}")).await;
            assert_eq!(before["status"], from);
            let (s, v) = c.status(&id, to).await;
            let (_, after) = c.get(&format!("/api/appointments/{id}")).await;
            let allowed: BTreeSet<&str> = ALLOWED
                .iter()
                .filter(|(f, _)| *f == from)
                .map(|(_, t)| *t)
                .collect();
            if allowed.contains(to) {
                if s != StatusCode::OK || v["status"] != to || after["status"] != to {
                    failures.push(format!("{from} -> {to} should be allowed: {s} {v}"));
                }
            } else {
                let named: BTreeSet<&str> = v["allowed"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if s != StatusCode::CONFLICT
                    || v["code"] != "illegal_transition"
                    || v["from"] != from
                    || v["to"] != to
                    || named != allowed
                {
                    failures.push(format!("{from} -> {to} should be refused: {s} {v}"));
                }
                if after != before {
                    failures.push(format!("{from} -> {to} changed the row: {after}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // An unknown status is a field error, not a transition.
    let v = c
        .booked(json!({"petId": pet, "startsAt": at(base, -60), "durationMinutes": 15}))
        .await;
    let (s, e) = c.status(v["id"].as_str().unwrap(), "done").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        v["nextStatuses"],
        json!(["confirmed", "checked_in", "cancelled", "no_show"])
    );
}

// ---------------------------------------------------------------------------------------
// Conflicts

async fn overlaps_are_refused_back_to_back_and_marked_double_bookings_are_not(b: Backend) {
    let c = Clinic::open(b, "overlap", "Europe/London").await;
    let (_, pet) = c.pet("Rex").await;
    let (_, pet2) = c.pet("Fido").await;
    let (v1, v2) = (c.vets[0].clone(), c.vets[1].clone());
    let t = future_hour(3);
    let a = c
        .booked(
            json!({"petId": pet, "startsAt": t.to_string(), "typeId": c.consult,
                       "veterinarianId": v1}),
        )
        .await;
    let a_id = a["id"].as_str().unwrap().to_owned();
    assert_eq!(a["status"], "booked");
    assert_eq!(a["doubleBooked"], false);
    assert_eq!(a["endsAt"], at(t, 30));

    // Overlapping the same veterinarian in every way: refused, naming the appointment.
    for (start, minutes) in [(15, 30), (5, 10), (-30, 120), (-15, 30), (25, 5)] {
        let (s, v) = c
            .book(
                json!({"petId": pet2, "startsAt": at(t, start), "durationMinutes": minutes,
                         "veterinarianId": v1}),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{start}+{minutes}: {v}");
        assert_eq!(v["code"], "appointment_conflict");
        assert_eq!(v["conflicts"], json!([a_id]), "{v}");
        assert_eq!(v["resources"], json!(["veterinarian"]));
    }
    // Back-to-back on either side, and another veterinarian at the same time, are fine.
    let after = c
        .booked(
            json!({"petId": pet2, "startsAt": at(t, 30), "durationMinutes": 30,
                       "veterinarianId": v1}),
        )
        .await;
    c.booked(
        json!({"petId": pet2, "startsAt": at(t, -30), "durationMinutes": 30,
                    "veterinarianId": v1}),
    )
    .await;
    c.booked(
        json!({"petId": pet2, "startsAt": t.to_string(), "durationMinutes": 30,
                    "veterinarianId": v2}),
    )
    .await;
    // Staff may double-book on purpose; the row says so.
    let dbl = c
        .booked(
            json!({"petId": pet2, "startsAt": at(t, 15), "durationMinutes": 30,
                       "veterinarianId": v1, "doubleBook": true}),
        )
        .await;
    assert_eq!(dbl["doubleBooked"], true);
    // A double-booking flag over a free slot marks nothing.
    let free = c
        .booked(
            json!({"petId": pet2, "startsAt": at(t, 600), "durationMinutes": 30,
                       "veterinarianId": v1, "doubleBook": true}),
        )
        .await;
    assert_eq!(free["doubleBooked"], false);
    // The double-booking holds its slot too.
    let (s, v) = c
        .book(
            json!({"petId": pet, "startsAt": at(t, 20), "durationMinutes": 20,
                     "veterinarianId": v1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(
        ids(&v["conflicts"]),
        [
            &a_id,
            dbl["id"].as_str().unwrap(),
            after["id"].as_str().unwrap()
        ]
        .into_iter()
        .map(str::to_owned)
        .collect()
    );
    let db = c.db().await;
    let rows = appointment::Entity::find()
        .filter(appointment::Column::VeterinarianId.eq(v1.parse::<uuid::Uuid>().unwrap()))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        5,
        "a, before, after, the double-booking, the free one"
    );
    assert_eq!(rows.iter().filter(|r| r.double_booked).count(), 1);
    let _ = db.close().await;

    // Cancelled and no-show appointments free their slot; completed ones do not.
    let (s, _) = c
        .post(&format!("/api/appointments/{a_id}/cancel"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c.status(dbl["id"].as_str().unwrap(), "no_show").await;
    assert_eq!(s, StatusCode::OK);
    let again = c
        .booked(
            json!({"petId": pet, "startsAt": t.to_string(), "durationMinutes": 30,
                       "veterinarianId": v1}),
        )
        .await;
    for step in ["checked_in", "in_progress", "completed"] {
        let (s, v) = c.status(again["id"].as_str().unwrap(), step).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (s, v) = c
        .book(
            json!({"petId": pet2, "startsAt": t.to_string(), "durationMinutes": 30,
                     "veterinarianId": v1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["conflicts"], json!([again["id"]]));
}

async fn room_conflicts_and_reschedules_are_checked(b: Backend) {
    let c = Clinic::open(b, "roomclash", "Europe/London").await;
    let (_, pet) = c.pet("Rex").await;
    let (v1, v2) = (c.vets[0].clone(), c.vets[1].clone());
    let (_, room) = c.post("/api/rooms", json!({"name": "Theatre"})).await;
    let room = room["id"].as_str().unwrap().to_owned();
    let t = future_hour(4);
    let first = c
        .booked(
            json!({"petId": pet, "startsAt": t.to_string(), "durationMinutes": 30,
                       "veterinarianId": v1, "roomId": room}),
        )
        .await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    // Another vet, same room, overlapping: the room is taken.
    let (s, v) = c
        .book(
            json!({"petId": pet, "startsAt": at(t, 15), "durationMinutes": 30,
                     "veterinarianId": v2, "roomId": room}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["resources"], json!(["room"]));
    assert_eq!(v["conflicts"], json!([first_id]));
    // No vet at all, same room: still taken. Same vet and room: both named.
    let (s, _) = c
        .book(
            json!({"petId": pet, "startsAt": t.to_string(), "durationMinutes": 10,
                     "roomId": room}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = c
        .book(
            json!({"petId": pet, "startsAt": t.to_string(), "durationMinutes": 10,
                     "veterinarianId": v1, "roomId": room}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(v["resources"], json!(["veterinarian", "room"]));
    let second = c
        .booked(
            json!({"petId": pet, "startsAt": at(t, 30), "durationMinutes": 30,
                       "veterinarianId": v2, "roomId": room}),
        )
        .await;
    let second_id = second["id"].as_str().unwrap().to_owned();

    // Rescheduling into the first one's room time is refused and changes nothing.
    let path = format!("/api/appointments/{second_id}");
    let (s, v) = c.patch(&path, json!({"startsAt": at(t, 10)})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["conflicts"], json!([first_id]));
    let (_, now) = c.get(&path).await;
    assert_eq!(now, second);
    // Moving to another room at that time is fine; so is lengthening in place.
    let (s, v) = c
        .patch(&path, json!({"startsAt": at(t, 10), "roomId": null}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["startsAt"], at(t, 10));
    assert_eq!(v["endsAt"], at(t, 40), "the length is kept");
    assert_eq!(v["roomId"], Value::Null);
    // Changing the vet onto the first one's vet overlaps again...
    let (s, v) = c.patch(&path, json!({"veterinarianId": v1})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["resources"], json!(["veterinarian"]));
    // ...unless marked as a double-booking.
    let (s, v) = c
        .patch(&path, json!({"veterinarianId": v1, "doubleBook": true}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["doubleBooked"], true);
    // Changing only the reason does not re-check the slot.
    let (s, v) = c.patch(&path, json!({"reason": "Limping"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["reason"], "Limping");
    // A vet who is not a veterinarian of the practice, or a receptionist, is refused.
    let (_, rec) = c
        .staff("rec@roomclash.example", "RECEPTIONIST", &[&c.practice])
        .await;
    let (s, v) = c.patch(&path, json!({"veterinarianId": rec})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // A finished appointment is not changed.
    let (s, _) = c
        .post(
            &format!("/api/appointments/{first_id}/cancel"),
            json!({"reason": "Owner ill"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = c
        .patch(
            &format!("/api/appointments/{first_id}"),
            json!({"startsAt": at(t, 120)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "appointment_closed");
}

async fn concurrent_bookings_of_one_slot_admit_exactly_one(b: Backend) {
    let c = Clinic::open_with(
        b,
        "race",
        "Europe/London",
        Options {
            connections_per_tenant: Some(4),
            ..Options::default()
        },
    )
    .await;
    let (_, room) = c.post("/api/rooms", json!({"name": "Theatre"})).await;
    let room = room["id"].as_str().unwrap().to_owned();
    let mut pets = Vec::new();
    for i in 0..20 {
        pets.push(c.pet(&format!("Racer {i}")).await.1);
    }
    let t = future_hour(6);
    // Twenty simultaneous bookings of one veterinarian at one time, then twenty of one room
    // (without a veterinarian) at another.
    for (round, resource) in [
        ("vet", json!({"veterinarianId": c.vets[0]})),
        ("room", json!({"roomId": room})),
    ] {
        let starts = if round == "vet" { t } else { t + 2.hours() };
        let handles: Vec<_> = pets
            .iter()
            .map(|pet| {
                let mut body = json!({"petId": pet, "startsAt": starts.to_string(),
                                      "durationMinutes": 30});
                for (k, v) in resource.as_object().unwrap() {
                    body[k] = v.clone();
                }
                let req = c
                    .app
                    .tenant(&c.sub, Method::POST, "/api/appointments")
                    .bearer_auth(&c.admin)
                    .json(&body);
                tokio::spawn(async move { json(req.send().await.unwrap()).await })
            })
            .collect();
        let mut created = 0;
        for h in handles {
            let (s, v) = h.await.unwrap();
            match s {
                StatusCode::CREATED => created += 1,
                StatusCode::CONFLICT => assert_eq!(v["code"], "appointment_conflict", "{v}"),
                other => panic!("{round}: unexpected {other} {v}"),
            }
        }
        assert_eq!(created, 1, "{round}: exactly one booking wins");
        let db = c.db().await;
        let stored = appointment::Entity::find()
            .filter(appointment::Column::StartsAt.eq(to_time(starts)))
            .count(&db)
            .await
            .unwrap();
        let _ = db.close().await;
        assert_eq!(stored, 1, "{round}: the database holds exactly one");
    }
}

fn to_time(t: Timestamp) -> smartdmv_store::Stamp {
    smartdmv_store::Stamp(Timestamp::from_second(t.as_second()).unwrap())
}

// ---------------------------------------------------------------------------------------
// Time zones

/// The next two daylight-saving changes of `tz` at least five days ahead: `(local date of
/// the change, offset before, offset after)` in whole hours.
fn next_changes(tz: &TimeZone) -> Vec<(Date, i32, i32)> {
    let from = Timestamp::now() + SignedDuration::from_hours(24 * 5);
    tz.following(from)
        .take(2)
        .map(|tr| {
            let when = tr.timestamp();
            let before = tz.to_offset(when - SignedDuration::from_hours(1));
            let after = tr.offset();
            (
                when.to_zoned(tz.clone()).date(),
                before.seconds() / 3600,
                after.seconds() / 3600,
            )
        })
        .collect()
}

fn offset_str(hours: i32) -> String {
    format!("{}{:02}:00", if hours < 0 { '-' } else { '+' }, hours.abs())
}

/// `date` at `hh:mm` local with the given offset, and the same instant in UTC.
fn local_and_utc(date: Date, hh: i8, mm: i8, offset: i32) -> (String, String) {
    let local = format!("{date}T{hh:02}:{mm:02}:00{}", offset_str(offset));
    let utc: Timestamp = local.parse().unwrap();
    (local, utc.to_string())
}

async fn daylight_saving_weeks_keep_local_times(b: Backend) {
    let c = Clinic::open(b, "dst", "Europe/London").await;
    let tz = TimeZone::get("Europe/London").unwrap();
    let (_, pet) = c.pet("Clock").await;
    let vet = c.vets[0].clone();
    let changes = next_changes(&tz);
    assert_eq!(changes.len(), 2);
    for (change, before, after) in changes {
        assert_eq!((before - after).abs(), 1, "London moves by one hour");
        let autumn = before > after;
        // 09:00 local on each day of the week around the change.
        for d in -3i64..=3 {
            let date = change.checked_add(d.days()).unwrap();
            let off = if d < 0 { before } else { after };
            let (local, utc) = local_and_utc(date, 9, 0, off);
            let v = c
                .booked(json!({"petId": pet, "startsAt": local, "typeId": c.consult,
                               "veterinarianId": vet}))
                .await;
            assert_eq!(v["startsAt"], utc, "{date}: {v}");
            assert_eq!(v["startsAtLocal"], local, "{date}: {v}");
            let utc_hour = if off == 1 { "08:00:00Z" } else { "09:00:00Z" };
            assert!(v["startsAt"].as_str().unwrap().ends_with(utc_hour), "{v}");
            assert_eq!(v["endsAtLocal"], local_and_utc(date, 9, 30, off).0);
            assert_eq!(v["timeZone"], "Europe/London");
        }
        // The first and last half hours of the change day, and the first of the next day.
        let edge = |date: Date, hh: i8, off: i32| {
            let (local, _) = local_and_utc(date, hh, 30, off);
            json!({"petId": pet, "startsAt": local, "durationMinutes": 30})
        };
        let next = change.tomorrow().unwrap();
        c.booked(edge(change, 0, before)).await;
        c.booked(edge(change, 23, after)).await;
        c.booked(edge(next, 0, after)).await;

        // The day view of the change day: 23 or 25 hours, exactly its appointments.
        let (s, day) = c
            .get(&format!("/api/practices/{}/day?date={change}", c.practice))
            .await;
        assert_eq!(s, StatusCode::OK, "{day}");
        assert_eq!(day["hours"], if autumn { 25 } else { 23 }, "{day}");
        assert_eq!(day["startsAt"], local_and_utc(change, 0, 0, before).1);
        assert_eq!(day["endsAt"], local_and_utc(next, 0, 0, after).1);
        assert_eq!(day["startsAtLocal"], local_and_utc(change, 0, 0, before).0);
        let locals: Vec<&str> = strs(&day["items"], "startsAtLocal");
        assert_eq!(
            locals,
            [
                local_and_utc(change, 0, 30, before).0,
                local_and_utc(change, 9, 0, after).0,
                local_and_utc(change, 23, 30, after).0,
            ],
            "{day}"
        );
        assert_eq!(day["items"][1]["petName"], "Clock");
        assert_eq!(day["items"][1]["veterinarianName"], "User vet1@dst.example");
        assert_eq!(day["items"][1]["typeName"], "Consult");
        // Grouped by veterinarian: the vet's one, then the two without a vet.
        let groups = day["byVeterinarian"].as_array().unwrap();
        assert_eq!(groups.len(), 2, "{day}");
        assert_eq!(groups[0]["id"], vet.as_str());
        assert_eq!(groups[0]["appointmentIds"].as_array().unwrap().len(), 1);
        assert_eq!(groups[1]["id"], Value::Null);
        assert_eq!(groups[1]["appointmentIds"].as_array().unwrap().len(), 2);
        // The day before is an ordinary day with its own 09:00 only.
        let prev = change.yesterday().unwrap();
        let (_, day) = c
            .get(&format!("/api/practices/{}/day?date={prev}", c.practice))
            .await;
        assert_eq!(day["hours"], 24);
        assert_eq!(day["items"].as_array().unwrap().len(), 1, "{day}");
        assert_eq!(
            day["items"][0]["startsAtLocal"],
            local_and_utc(prev, 9, 0, before).0
        );

        // Free slots follow local opening hours (08:00-18:00) on both sides of the change.
        for (date, off) in [(prev, before), (change, after)] {
            let (s, v) = c
                .get(&format!(
                    "/api/appointments/free-slots?practiceId={}&date={date}&typeId={}&veterinarianId={vet}",
                    c.practice, c.consult
                ))
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            let slots = v["slots"].as_array().unwrap();
            let starts: Vec<&str> = slots
                .iter()
                .map(|s| s["startsAtLocal"].as_str().unwrap())
                .collect();
            // 39 half-hour slots every quarter from 08:00 to 17:30, less the three that
            // overlap 09:00-09:30.
            assert_eq!(slots.len(), 36, "{date}: {starts:?}");
            assert_eq!(starts[0], local_and_utc(date, 8, 0, off).0);
            assert_eq!(slots[0]["startsAt"], local_and_utc(date, 8, 0, off).1);
            assert_eq!(*starts.last().unwrap(), local_and_utc(date, 17, 30, off).0);
            assert!(starts.contains(&local_and_utc(date, 8, 30, off).0.as_str()));
            assert!(starts.contains(&local_and_utc(date, 9, 30, off).0.as_str()));
            for busy in [(8, 45), (9, 0), (9, 15)] {
                let l = local_and_utc(date, busy.0, busy.1, off).0;
                assert!(!starts.contains(&l.as_str()), "{l} is taken");
            }
            // Without a veterinarian, the other one makes every slot available.
            let (_, any) = c
                .get(&format!(
                    "/api/appointments/free-slots?practiceId={}&date={date}&typeId={}",
                    c.practice, c.consult
                ))
                .await;
            let all = any["slots"].as_array().unwrap();
            assert_eq!(all.len(), 39, "{any}");
            let nine = all
                .iter()
                .find(|s| s["startsAtLocal"] == local_and_utc(date, 9, 0, off).0)
                .unwrap();
            assert_eq!(nine["veterinarianIds"], json!([c.vets[1]]));
        }
    }
    // A date that does not parse is a bad query.
    let (s, _) = c
        .get(&format!(
            "/api/practices/{}/day?date=2027-02-30",
            c.practice
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

// ---------------------------------------------------------------------------------------
// Clients

async fn client_request_becomes_an_appointment_when_staff_book_it(b: Backend) {
    let c = Clinic::open(b, "request", "Europe/London").await;
    let (owner, client_id, pet) = c.client_user("Bella").await;
    let (_, other_pet) = c.pet("Stranger").await;
    let t = future_hour(2);
    let body = |extra: Value| {
        let mut v = json!({"petId": pet, "startsAt": t.to_string(), "typeId": c.consult,
                           "practiceId": c.practice, "reason": "Itchy ears"});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let req = |b: Value| c.post_as(&owner, "/api/appointments", b);
    // Refused: double-booking, the past, a pet that is not theirs.
    let (s, v) = req(body(json!({"doubleBook": true}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["doubleBook"].is_array());
    let (s, v) = req(body(json!({"startsAt": future_hour(-1).to_string()}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = req(body(json!({"petId": other_pet}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["petId"].is_array());
    // The vet is taken at that time, but a request claims nothing.
    let vet = c.vets[0].clone();
    let (_, busy_pet) = c.pet("Busy").await;
    let blocker = c
        .booked(
            json!({"petId": busy_pet, "startsAt": t.to_string(), "durationMinutes": 30,
                       "veterinarianId": vet}),
        )
        .await;
    let (s, r) = req(body(json!({"veterinarianId": vet}))).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "requested");
    assert_eq!(r["requestedByClient"], true);
    assert_eq!(r["clientId"], client_id.as_str());
    assert_eq!(r["durationMinutes"], 30);
    assert_eq!(r["nextStatuses"], json!(["booked", "cancelled"]));
    let id = r["id"].as_str().unwrap().to_owned();
    // Staff see it; booking it now meets the vet's other appointment.
    let (s, v) = c.status(&id, "booked").await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "appointment_conflict");
    assert_eq!(v["conflicts"], json!([blocker["id"]]));
    let (_, still) = c.get(&format!("/api/appointments/{id}")).await;
    assert_eq!(still["status"], "requested");
    // Staff move it to another vet and a room, then book and confirm it.
    let (_, room) = c.post("/api/rooms", json!({"name": "Consult 1"})).await;
    let (s, v) = c
        .patch(
            &format!("/api/appointments/{id}"),
            json!({"veterinarianId": c.vets[1], "roomId": room["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = c.status(&id, "booked").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "booked");
    let (s, v) = c.status(&id, "confirmed").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The client sees their confirmed appointment, and cannot change it themselves.
    let (s, mine) = c.get_as(&owner, &format!("/api/appointments/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["status"], "confirmed");
    assert_eq!(mine["veterinarianId"], c.vets[1].as_str());
    let (s, _) = c
        .patch_as(
            &owner,
            &format!("/api/appointments/{id}"),
            json!({"reason": "changed"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = c
        .post_as(
            &owner,
            &format!("/api/appointments/{id}/status"),
            json!({"status": "checked_in"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Clients may look up free slots of a practice and read the types.
    let (s, v) = c
        .get_as(
            &owner,
            &format!(
                "/api/appointments/free-slots?practiceId={}&date={}&typeId={}",
                c.practice,
                t.to_zoned(TimeZone::get("Europe/London").unwrap()).date(),
                c.consult
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = c
        .get_as(&owner, &format!("/api/practices/{}/day", c.practice))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the day view is for staff");
}

async fn clients_see_and_cancel_only_their_own(b: Backend) {
    let c = Clinic::open(b, "petowners", "Europe/London").await;
    let (alice, alice_client, alice_pet) = c.client_user("Alice").await;
    let (bob, _, bob_pet) = c.client_user("Bob").await;
    let t = future_hour(3);
    let mine = c
        .booked(json!({"petId": alice_pet, "startsAt": t.to_string(), "durationMinutes": 20}))
        .await;
    let mine_id = mine["id"].as_str().unwrap().to_owned();
    assert_eq!(
        mine["clientId"],
        alice_client.as_str(),
        "the pet's primary owner"
    );
    let bobs = c
        .booked(json!({"petId": bob_pet, "startsAt": at(t, 60), "durationMinutes": 20}))
        .await;
    let bobs_id = bobs["id"].as_str().unwrap().to_owned();

    // Bob neither sees nor cancels Alice's appointment: 404, as if it did not exist.
    for (m, path, body) in [
        (Method::GET, format!("/api/appointments/{mine_id}"), None),
        (
            Method::POST,
            format!("/api/appointments/{mine_id}/cancel"),
            Some(json!({})),
        ),
        (
            Method::PATCH,
            format!("/api/appointments/{mine_id}"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/api/appointments/{mine_id}/status"),
            Some(json!({})),
        ),
    ] {
        let (s, v) = c.call(&bob, m.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m} {path}: {v}");
    }
    let (_, list) = c.get_as(&bob, "/api/appointments").await;
    assert_eq!(item_ids(&list), vec![bobs_id.clone()]);
    let (_, list) = c
        .get_as(&bob, &format!("/api/appointments?clientId={alice_client}"))
        .await;
    assert!(item_ids(&list).is_empty(), "{list}");
    let (_, list) = c.get_as(&alice, "/api/appointments").await;
    assert_eq!(item_ids(&list), vec![mine_id.clone()]);
    let (_, after) = c.get(&format!("/api/appointments/{mine_id}")).await;
    assert_eq!(after["status"], "booked");

    // Alice cancels her own future appointment with a reason.
    let (s, v) = c
        .post_as(
            &alice,
            &format!("/api/appointments/{mine_id}/cancel"),
            json!({"reason": "Feeling better"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["cancelReason"], "Feeling better");
    // Twice is an illegal move.
    let (s, v) = c
        .post_as(
            &alice,
            &format!("/api/appointments/{mine_id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // Once checked in, or once started, only the practice cancels.
    let (s, _) = c.status(&bobs_id, "checked_in").await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = c
        .post_as(
            &bob,
            &format!("/api/appointments/{bobs_id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "cannot_cancel");
    let past = c
        .booked(
            json!({"petId": bob_pet, "startsAt": future_hour(-2).to_string(),
                       "durationMinutes": 20}),
        )
        .await;
    let (s, v) = c
        .post_as(
            &bob,
            &format!("/api/appointments/{}/cancel", past["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "cannot_cancel");
    // Staff can still cancel the checked-in one.
    let (s, v) = c
        .post(&format!("/api/appointments/{bobs_id}/cancel"), json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

async fn closed_practices_and_deceased_pets_take_no_bookings(b: Backend) {
    let c = Clinic::open(b, "closed", "Europe/London").await;
    let (_, p2) = c.post("/api/practices", json!({"name": "Branch"})).await;
    let p2 = p2["id"].as_str().unwrap().to_owned();
    let (s, v) = c.delete_as(&c.admin, &format!("/api/practices/{p2}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, pet) = c.pet("Rex").await;
    let t = future_hour(2);
    let (s, v) = c
        .book(
            json!({"petId": pet, "startsAt": t.to_string(), "durationMinutes": 15,
                     "practiceId": p2}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "practice_closed");
    let (s, v) = c
        .get(&format!(
            "/api/appointments/free-slots?practiceId={p2}&date=2030-01-07&typeId={}",
            c.consult
        ))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = c
        .post("/api/rooms", json!({"practiceId": p2, "name": "Ghost"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");

    // A pet booked while alive, then recorded as deceased.
    let booked = c
        .booked(json!({"petId": pet, "startsAt": t.to_string(), "durationMinutes": 15}))
        .await;
    let (owner, _, own_pet) = c.client_user("Owner").await;
    let (s, request) = c
        .post_as(
            &owner,
            "/api/appointments",
            json!({"petId": own_pet, "startsAt": at(t, 60), "durationMinutes": 15,
                        "practiceId": c.practice}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{request}");
    let db = c.db().await;
    for id in [&pet, &own_pet] {
        let mut p = patient::find(&db, id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        p.deceased_on = Some(smartdmv_store::Day(jiff::civil::date(2026, 1, 2)));
        patient::update(&db, p).await.unwrap();
    }
    let (s, v) = c
        .book(json!({"petId": pet, "startsAt": at(t, 120), "durationMinutes": 15}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "patient_deceased");
    let (s, v) = c
        .post_as(
            &owner,
            "/api/appointments",
            json!({"petId": own_pet, "startsAt": at(t, 180), "durationMinutes": 15,
                        "practiceId": c.practice}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "patient_deceased");
    let id = booked["id"].as_str().unwrap();
    let (s, v) = c
        .patch(
            &format!("/api/appointments/{id}"),
            json!({"startsAt": at(t, 240)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "patient_deceased");
    let (s, v) = c.status(request["id"].as_str().unwrap(), "booked").await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "patient_deceased");
    // Cancelling what is left still works.
    let (s, v) = c
        .post(
            &format!("/api/appointments/{id}/cancel"),
            json!({"reason": "Patient died"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // A deactivated pet is refused the same way.
    let (_, gone) = c.pet("Gone").await;
    let mut p = patient::find(&db, gone.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    p.active = false;
    patient::update(&db, p).await.unwrap();
    let _ = db.close().await;
    let (s, v) = c
        .book(json!({"petId": gone, "startsAt": t.to_string(), "durationMinutes": 15}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "patient_inactive");
}

// ---------------------------------------------------------------------------------------
// Audit, validation, lists

async fn every_change_writes_an_audit_row(b: Backend) {
    let c = Clinic::open(b, "audited", "Europe/London").await;
    let (_, pet) = c.pet("Rex").await;
    let t = future_hour(2);
    let a = c
        .booked(json!({"petId": pet, "startsAt": t.to_string(), "durationMinutes": 15}))
        .await;
    let id = a["id"].as_str().unwrap().to_owned();
    let (s, _) = c
        .patch(
            &format!("/api/appointments/{id}"),
            json!({"startsAt": at(t, 30)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c.status(&id, "confirmed").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = c
        .post(
            &format!("/api/appointments/{id}/cancel"),
            json!({"reason": "Storm"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, log) = c.get(&format!("/api/audit-logs?entityId={id}")).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let mut rows: Vec<Value> = log["items"].as_array().unwrap().clone();
    rows.sort_by_key(|r| r["at"].as_str().unwrap().to_owned());
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "update", "status", "cancel"], "{log}");
    for r in &rows {
        assert_eq!(r["entity"], "appointment");
        assert_eq!(r["practiceId"], c.practice.as_str());
    }
    assert_eq!(rows[0]["before"], Value::Null);
    assert_eq!(rows[0]["after"]["status"], "booked");
    assert_eq!(rows[1]["before"]["startsAt"], t.to_string());
    assert_eq!(rows[1]["after"]["startsAt"], at(t, 30));
    assert_eq!(rows[2]["before"]["status"], "booked");
    assert_eq!(rows[2]["after"]["status"], "confirmed");
    assert_eq!(rows[3]["after"]["status"], "cancelled");
    assert_eq!(rows[3]["after"]["cancelReason"], "Storm");
    // A refused change writes nothing.
    let (s, _) = c.status(&id, "completed").await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, log) = c.get(&format!("/api/audit-logs?entityId={id}")).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 4);
    // Types and rooms are audited too.
    let (_, log) = c
        .get(&format!("/api/audit-logs?entityId={}", c.consult))
        .await;
    assert_eq!(log["items"][0]["entity"], "appointment_type");
    let (_, room) = c.post("/api/rooms", json!({"name": "One"})).await;
    let (_, log) = c
        .get(&format!(
            "/api/audit-logs?entityId={}",
            room["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(log["items"][0]["entity"], "room");
    assert_eq!(log["items"][0]["practiceId"], c.practice.as_str());
}

async fn bookings_are_validated(b: Backend) {
    let c = Clinic::open(b, "valid", "America/New_York").await;
    let (client_id, pet) = c.pet("Rex").await;
    let (other_client, _) = c.pet("Other").await;
    let t = future_hour(2).to_string();
    for (body, field) in [
        (
            json!({"petId": pet, "startsAt": "2030-01-07T09:00:00", "durationMinutes": 15}),
            "startsAt",
        ),
        (
            json!({"petId": pet, "startsAt": "2030-01-07T09:00:30Z", "durationMinutes": 15}),
            "startsAt",
        ),
        (
            json!({"petId": pet, "startsAt": "tomorrow", "durationMinutes": 15}),
            "startsAt",
        ),
        (
            json!({"petId": pet, "startsAt": t, "durationMinutes": 4}),
            "durationMinutes",
        ),
        (json!({"petId": pet, "startsAt": t}), "durationMinutes"),
        (
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15, "reason": "x".repeat(2001)}),
            "reason",
        ),
        (
            json!({"petId": "nope", "startsAt": t, "durationMinutes": 15}),
            "petId",
        ),
        (
            json!({"petId": uuid::Uuid::now_v7(), "startsAt": t, "durationMinutes": 15}),
            "petId",
        ),
        (
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15, "clientId": other_client}),
            "clientId",
        ),
        (
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15, "veterinarianId": uuid::Uuid::now_v7()}),
            "veterinarianId",
        ),
        (
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15, "roomId": "x"}),
            "roomId",
        ),
        (
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15, "practiceId": uuid::Uuid::now_v7()}),
            "practiceId",
        ),
    ] {
        let (s, v) = c.book(body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {v}");
        assert!(v["errors"][field].is_array(), "{field}: {v}");
    }
    let (s, _) = c
        .book(json!({"petId": pet, "startsAt": t, "durationMinutes": 15, "colour": "red"}))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown fields are refused"
    );
    // A local time with its offset is stored as the instant it names.
    let v = c
        .booked(
            json!({"petId": pet, "startsAt": "2030-01-07T09:00:00-05:00",
                       "durationMinutes": 45, "clientId": client_id}),
        )
        .await;
    assert_eq!(v["startsAt"], "2030-01-07T14:00:00Z");
    assert_eq!(v["endsAt"], "2030-01-07T14:45:00Z");
    assert_eq!(v["startsAtLocal"], "2030-01-07T09:00:00-05:00");
    assert_eq!(v["endsAtLocal"], "2030-01-07T09:45:00-05:00");
    assert_eq!(v["durationMinutes"], 45);
    // A user of two practices names one; a single-practice user need not.
    let (_, p2) = c.post("/api/practices", json!({"name": "Branch"})).await;
    let (two, _) = c
        .staff(
            "two@valid.example",
            "RECEPTIONIST",
            &[&c.practice, p2["id"].as_str().unwrap()],
        )
        .await;
    let (s, v) = c
        .post_as(
            &two,
            "/api/appointments",
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["practiceId"].is_array(), "{v}");
    let (s, v) = c
        .post_as(
            &two,
            "/api/appointments",
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15,
                        "practiceId": p2["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["timeZone"], "UTC");
    // A pet whose only ownership has ended has nobody to book for.
    let (_, orphan) = c.pet("Orphan").await;
    let db = c.db().await;
    let mut own = appointment::current_owners(&db, orphan.parse().unwrap())
        .await
        .unwrap()
        .remove(0);
    own.ended_at = Some(smartdmv_store::now());
    patient_owner::update(&db, own).await.unwrap();
    let _ = db.close().await;
    let (s, v) = c
        .book(json!({"petId": orphan, "startsAt": t, "durationMinutes": 15}))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["errors"]["petId"].is_array(), "{v}");
    // Vets do not book (their role reads and updates appointments).
    let (vet, _) = c
        .staff("vet@valid.example", "VETERINARIAN", &[&c.practice])
        .await;
    let (s, _) = c
        .post_as(
            &vet,
            "/api/appointments",
            json!({"petId": pet, "startsAt": t, "durationMinutes": 15}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn lists_filter_by_field_and_practice_and_page_by_start(b: Backend) {
    let c = Clinic::open(b, "lists", "Europe/London").await;
    let (client_a, pet_a) = c.pet("Alpha").await;
    let (_, pet_b) = c.pet("Beta").await;
    let (_, room) = c.post("/api/rooms", json!({"name": "One"})).await;
    let room = room["id"].as_str().unwrap().to_owned();
    let t = future_hour(2);
    // Created out of order: the list is by start time.
    let late = c
        .booked(
            json!({"petId": pet_a, "startsAt": at(t, 120), "durationMinutes": 30,
                       "veterinarianId": c.vets[0]}),
        )
        .await;
    let early = c
        .booked(
            json!({"petId": pet_b, "startsAt": t.to_string(), "durationMinutes": 30,
                       "roomId": room}),
        )
        .await;
    let mid = c
        .booked(
            json!({"petId": pet_a, "startsAt": at(t, 60), "durationMinutes": 30,
                       "veterinarianId": c.vets[1]}),
        )
        .await;
    let (s, _) = c.status(mid["id"].as_str().unwrap(), "confirmed").await;
    assert_eq!(s, StatusCode::OK);
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let cr = &c;
    let q = |query: String| async move {
        let (s, v) = cr.get(&format!("/api/appointments?{query}")).await;
        assert_eq!(s, StatusCode::OK, "{query}: {v}");
        item_ids(&v)
    };
    assert_eq!(q(String::new()).await, [id(&early), id(&mid), id(&late)]);
    assert_eq!(
        q(format!("veterinarianId={}", c.vets[0])).await,
        [id(&late)]
    );
    assert_eq!(q(format!("roomId={room}")).await, [id(&early)]);
    assert_eq!(q(format!("petId={pet_a}")).await, [id(&mid), id(&late)]);
    assert_eq!(
        q(format!("clientId={client_a}")).await,
        [id(&mid), id(&late)]
    );
    assert_eq!(q("status=confirmed".into()).await, [id(&mid)]);
    assert_eq!(q("status=booked,confirmed".into()).await.len(), 3);
    assert_eq!(q(format!("practiceId={}", c.practice)).await.len(), 3);
    // from/to select the appointments overlapping the window.
    assert_eq!(
        q(format!("from={}&to={}", at(t, 29), at(t, 61))).await,
        [id(&early), id(&mid)]
    );
    assert_eq!(
        q(format!("from={}", at(t, 30))).await,
        [id(&mid), id(&late)]
    );
    let (s, _) = c.get("/api/appointments?status=done").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = c.get("/api/appointments?from=yesterday").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Pages of one follow the start order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cur) => format!("/api/appointments?limit=1&cursor={cur}"),
            None => "/api/appointments?limit=1".to_owned(),
        };
        let (_, v) = c.get(&path).await;
        seen.extend(item_ids(&v));
        match v["nextCursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, [id(&early), id(&mid), id(&late)]);
    // Staff of another practice see none of these, and none of this practice's day.
    let (_, p2) = c.post("/api/practices", json!({"name": "Elsewhere"})).await;
    let (other, _) = c
        .staff(
            "else@lists.example",
            "RECEPTIONIST",
            &[p2["id"].as_str().unwrap()],
        )
        .await;
    let (_, v) = c.get_as(&other, "/api/appointments").await;
    assert!(item_ids(&v).is_empty(), "{v}");
    let (s, _) = c
        .get_as(&other, &format!("/api/appointments/{}", id(&early)))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = c
        .get_as(&other, &format!("/api/practices/{}/day", c.practice))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
