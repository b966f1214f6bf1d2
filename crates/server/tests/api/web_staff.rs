//! The staff practice pages (`/practice`): forms drive the API's handlers (checked through
//! the API's own view of the data), errors show beside their fields, and the pages keep to
//! the area, the practice scope and the company.

use jiff::{Timestamp, ToSpan};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::fixtures::Company;
use crate::helpers::{Backend, PASSWORD};
use crate::web::{WebSession, booking_form, last_segment};

both_backends!(
    receptionist_registers_a_client_and_patient_and_runs_the_day,
    patient_marked_deceased_after_confirmation_loses_future_appointments,
    pages_keep_to_the_area_the_practice_and_the_company,
);

/// A company with its first practice and an appointment type.
pub struct Practice {
    pub c: Company,
    pub consult: String,
}

impl std::ops::Deref for Practice {
    type Target = Company;
    fn deref(&self) -> &Company {
        &self.c
    }
}

impl Practice {
    pub async fn open(b: Backend, sub: &str) -> Practice {
        let c = Company::open(b, sub).await;
        let consult = c.appointment_type("Consult", 30, "#aa3300").await;
        Practice { c, consult }
    }

    pub async fn api(&self, m: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(&self.admin, m, path, body).await
    }

    /// A user of `role` working in `practices`; returns their email.
    pub async fn user(&self, name: &str, role: &str, practices: &[&str]) -> String {
        let email = format!("{name}@{}.example", self.sub);
        self.c.staff_named(&email, name, role, practices).await;
        email
    }
}

/// Tomorrow's date (UTC, the practice's default zone).
fn tomorrow() -> String {
    (Timestamp::now() + 24.hours())
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

async fn receptionist_registers_a_client_and_patient_and_runs_the_day(b: Backend) {
    let c = Practice::open(b, "webday").await;
    let email = c.user("desk", "RECEPTIONIST", &[&c.practice]).await;
    let mut br = WebSession::signed_in(&c.app, "webday", &email).await;

    let today = br.get("/practice").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.has("id=\"no-appointments\""), "{}", today.body);

    // A client: a missing last name is shown beside its field and nothing is stored.
    br.get("/practice/clients/new").await;
    let bad = br
        .post(
            "/practice/clients",
            &[
                ("firstName", "Ada"),
                ("lastName", ""),
                ("email", "ada@example.com"),
            ],
        )
        .await;
    bad.assert_field_error("lastName");
    assert!(
        bad.has("value=\"ada@example.com\""),
        "the form keeps what was typed"
    );
    let (_, list) = c.api(Method::GET, "/api/clients", None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");

    let ok = br
        .post(
            "/practice/clients",
            &[
                ("firstName", "Ada"),
                ("lastName", "Lovelace"),
                ("email", "ada@example.com"),
                ("city", "London"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let client = last_segment(&ok.location);
    let (s, v) = c
        .api(Method::GET, &format!("/api/clients/{client}"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["lastName"], "Lovelace");
    assert_eq!(v["email"], "ada@example.com");
    assert_eq!(v["address"]["city"], "London");
    let page = br.get(&ok.location).await;
    assert!(page.has("Client Ada Lovelace was created."), "flash shown");
    assert!(page.has("ada@example.com") && page.has("London"));

    // Found by the search box, and edited.
    let found = br.get("/practice/clients?q=lovelace").await;
    assert!(
        found.has(&format!("/practice/clients/{client}")),
        "{}",
        found.body
    );
    br.get(&format!("/practice/clients/{client}/edit")).await;
    let saved = br
        .post(
            &format!("/practice/clients/{client}"),
            &[
                ("firstName", "Ada"),
                ("lastName", "King"),
                ("email", "ada@example.com"),
                ("phone", "+44 20 7946 0000"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let (_, v) = c
        .api(Method::GET, &format!("/api/clients/{client}"), None)
        .await;
    assert_eq!(v["lastName"], "King");
    assert!(v["phone"].as_str().unwrap().contains("7946"), "{v}");

    // A patient for the client: an unknown species is refused beside its field.
    let form = br
        .get(&format!("/practice/patients/new?owner={client}"))
        .await;
    assert!(form.has("id=\"patient-form\""), "{}", form.body);
    let bad = br
        .post(
            "/practice/patients",
            &[
                ("ownerId", &client),
                ("name", "Rex"),
                ("species", "dragon"),
                ("sex", "male"),
            ],
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    assert!(bad.has("id=\"f-species-error\""), "{}", bad.body);
    let ok = br
        .post(
            "/practice/patients",
            &[
                ("ownerId", &client),
                ("name", "Rex"),
                ("species", "dog"),
                ("sex", "male"),
                ("dateOfBirth", "2020-01-15"),
                ("weight", "12.5"),
                ("weightUnit", "kg"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let pet = last_segment(&ok.location);
    let (_, p) = c.api(Method::GET, &format!("/api/pets/{pet}"), None).await;
    assert_eq!(p["ownerId"].as_str(), Some(client.as_str()), "{p}");
    assert_eq!(p["latestWeight"]["value"], 12.5);
    let page = br.get(&ok.location).await;
    assert!(page.has("King") && page.has("12.5 kg"), "{}", page.body);

    // Book tomorrow at 10:00 with a typed time, then move it along the status flow.
    let date = tomorrow();
    let form = br
        .get(&format!(
            "/practice/schedule/new?pet={pet}&date={date}&typeId={}",
            c.consult
        ))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let bad = br
        .post(
            "/practice/schedule/new",
            &[
                ("petId", &pet),
                ("practiceId", &c.practice),
                ("date", &date),
                ("typeId", &c.consult),
            ],
        )
        .await;
    bad.assert_field_error("time");
    let booked = br
        .post(
            "/practice/schedule/new",
            &booking_form(&pet, &c.practice, &date, &c.consult, "10:00", "Limping"),
        )
        .await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
    let (_, list) = c
        .api(Method::GET, &format!("/api/appointments?petId={pet}"), None)
        .await;
    let a = &list["items"][0];
    assert_eq!(a["startsAt"], format!("{date}T10:00:00Z"), "{list}");
    assert_eq!(a["status"], "booked");
    let appt = a["id"].as_str().unwrap().to_owned();

    let day = br.get(&booked.location).await;
    assert!(
        day.has(&format!("id=\"appt-{appt}\"")) && day.has("Limping"),
        "{}",
        day.body
    );
    assert!(day.has(">Check in<"));
    let moved = br
        .post(
            &format!("/practice/appointments/{appt}/status"),
            &[("status", "checked_in"), ("back", "/practice/schedule")],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert_eq!(moved.location, "/practice/schedule");
    let (_, v) = c
        .api(Method::GET, &format!("/api/appointments/{appt}"), None)
        .await;
    assert_eq!(v["status"], "checked_in");
    // An illegal move is refused with a message, and changes nothing.
    let refused = br
        .post(
            &format!("/practice/appointments/{appt}/status"),
            &[("status", "completed"), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(
        refused.location, "/practice",
        "foreign back addresses are ignored"
    );
    let shown = br.get("/practice").await;
    assert!(shown.has("The status was not changed"), "{}", shown.body);
    let (_, v) = c
        .api(Method::GET, &format!("/api/appointments/{appt}"), None)
        .await;
    assert_eq!(v["status"], "checked_in");

    // Reschedule, then cancel through the confirmation page.
    let edit = br.get(&format!("/practice/appointments/{appt}/edit")).await;
    assert!(edit.has("value=\"10:00\""), "{}", edit.body);
    let r = br
        .post(
            &format!("/practice/appointments/{appt}/edit"),
            &[
                ("date", &date),
                ("time", "11:30"),
                ("durationMinutes", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (_, v) = c
        .api(Method::GET, &format!("/api/appointments/{appt}"), None)
        .await;
    assert_eq!(v["startsAt"], format!("{date}T11:30:00Z"));
    let confirm = br
        .get(&format!("/practice/appointments/{appt}/cancel"))
        .await;
    assert!(confirm.has("id=\"cancel-form\""));
    let r = br
        .post(
            &format!("/practice/appointments/{appt}/cancel"),
            &[("reason", "Owner called")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (_, v) = c
        .api(Method::GET, &format!("/api/appointments/{appt}"), None)
        .await;
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["cancelReason"], "Owner called");
}

/// A client with a dog, made through the API; returns `(client id, pet id)`.
pub async fn client_with_pet(c: &Practice, last: &str, pet: &str) -> (String, String) {
    let (s, cl) = c
        .api(
            Method::POST,
            "/api/clients",
            Some(json!({"firstName": "Pat", "lastName": last})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{cl}");
    let client = cl["id"].as_str().unwrap().to_owned();
    let (s, p) = c
        .api(
            Method::POST,
            "/api/pets",
            Some(json!({"name": pet, "species": "dog", "ownerId": client})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    (client, p["id"].as_str().unwrap().to_owned())
}

async fn patient_marked_deceased_after_confirmation_loses_future_appointments(b: Backend) {
    let c = Practice::open(b, "webrip").await;
    let email = c.user("vet", "VETERINARIAN", &[&c.practice]).await;
    let (_, pet) = client_with_pet(&c, "Smith", "Bella").await;
    let (s, a) = c
        .api(
            Method::POST,
            "/api/appointments",
            Some(
                json!({"petId": pet, "practiceId": c.practice, "typeId": c.consult,
                        "startsAt": format!("{}T09:00:00Z", tomorrow())}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let mut br = WebSession::signed_in(&c.app, "webrip", &email).await;
    let confirm = br.get(&format!("/practice/patients/{pet}/deceased")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.has("id=\"deceased-form\""), "{}", confirm.body);
    let bad = br
        .post(
            &format!("/practice/patients/{pet}/deceased"),
            &[("deceasedOn", "2999-01-01")],
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    assert!(bad.has("id=\"f-deceasedOn-error\""), "{}", bad.body);
    let (_, p) = c.api(Method::GET, &format!("/api/pets/{pet}"), None).await;
    assert!(p["deceasedOn"].is_null(), "a refused date changes nothing");

    let today = Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let ok = br
        .post(
            &format!("/practice/patients/{pet}/deceased"),
            &[("deceasedOn", &today)],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let page = br.get(&ok.location).await;
    assert!(
        page.has("1 future appointment(s) were cancelled"),
        "{}",
        page.body
    );
    assert!(
        !page.has("id=\"book-patient\""),
        "no booking for a deceased patient"
    );
    let (_, p) = c.api(Method::GET, &format!("/api/pets/{pet}"), None).await;
    assert_eq!(p["deceasedOn"], today);
    let (_, a) = c
        .api(
            Method::GET,
            &format!("/api/appointments/{}", a["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(a["status"], "cancelled");
}

async fn pages_keep_to_the_area_the_practice_and_the_company(b: Backend) {
    let c = Practice::open(b, "webiso").await;
    let (s, p2) = c
        .api(
            Method::POST,
            "/api/practices",
            Some(json!({"name": "Second Street", "timeZone": "UTC"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p2}");
    let p2 = p2["id"].as_str().unwrap().to_owned();
    let other = c.user("other", "RECEPTIONIST", &[&p2]).await;
    let (client, pet) = client_with_pet(&c, "Jones", "Milo").await;
    let now = Timestamp::now().as_second() / 3600 * 3600;
    let (s, a) = c
        .api(
            Method::POST,
            "/api/appointments",
            Some(
                json!({"petId": pet, "practiceId": c.practice, "typeId": c.consult,
                        "startsAt": Timestamp::from_second(now).unwrap().to_string()}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let appt = a["id"].as_str().unwrap();

    // Signed out: sent to sign in, and brought back.
    let mut anon = WebSession::company(&c.app, "webiso");
    let r = anon.get("/practice/clients").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location, "/login?next=/practice/clients");

    // The administrator sees the appointment on today's page of the first practice.
    let mut admin = WebSession::signed_in(&c.app, "webiso", "admin@webiso.example").await;
    let today = admin
        .get(&format!("/practice?practice={}", c.practice))
        .await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.has(&format!("id=\"appt-{appt}\"")), "{}", today.body);
    assert!(
        today.has("Second Street"),
        "a company-wide user picks among practices"
    );

    // A receptionist of the second practice neither sees nor reaches it.
    let mut br = WebSession::signed_in(&c.app, "webiso", &other).await;
    let today = br.get(&format!("/practice?practice={}", c.practice)).await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(!today.has(appt), "{}", today.body);
    assert!(today.has("Second Street"));
    let r = br.get(&format!("/practice/appointments/{appt}/edit")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = br
        .post(
            &format!("/practice/appointments/{appt}/status"),
            &[("status", "checked_in")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let (_, v) = c
        .api(Method::GET, &format!("/api/appointments/{appt}"), None)
        .await;
    assert_eq!(v["status"], "booked");
    // Clients belong to the company: the client page is open to every practice.
    let r = br.get(&format!("/practice/clients/{client}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.has("Jones"));

    // A client user is refused the staff pages.
    let (s, pa) = c
        .api(
            Method::POST,
            &format!("/api/clients/{client}/portal-account"),
            Some(json!({"email": "jones@owners.example", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{pa}");
    let mut owner = WebSession::signed_in(&c.app, "webiso", "jones@owners.example").await;
    let r = owner.get("/practice").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = owner.get(&format!("/practice/clients/{client}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.has("Jones"));

    // Another company's host refuses this company's session, and shows nothing of its data.
    c.app.create_company("webiso2").await;
    admin.on_host("webiso2");
    let r = admin.get(&format!("/practice/clients/{client}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(!r.has("Jones"));
}
