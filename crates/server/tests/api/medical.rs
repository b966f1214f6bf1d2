//! The medical record: visits opened by check-in or walk-in, SOAP notes that lock (signed,
//! or by themselves after the practice's window on the platform's clock), addenda and
//! entered-in-error marks, problems, versioned and flagged lab results, the patient's
//! history, and what a client sees of it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both_backends;
use crate::fixtures::Company;
use crate::helpers::Backend;

both_backends!(
    check_in_opens_the_visit_and_walk_ins_open_their_own,
    signing_locks_a_note_and_later_knowledge_is_an_addendum,
    an_unsigned_note_locks_itself_when_the_window_passes,
    a_visit_with_unsigned_notes_does_not_close,
    bad_clinical_input_is_refused_and_writes_nothing,
    problems_span_visits_and_resolve,
    lab_results_are_versions_flagged_and_reviewed,
    history_is_one_chronology_newest_first,
    clients_see_their_own_pets_signed_notes_only_when_the_practice_allows,
    attachments_keep_their_bytes_in_the_company_database,
    a_page_upload_needs_the_forms_token,
);

/// The smallest PNG there is: a 1x1 transparent pixel.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// A `multipart/form-data` body of a `file` part (and a `visitId` part when given), written
/// out by hand as a browser sends it: `(content type, body)`.
pub(crate) fn form(file_name: &str, bytes: &[u8], visit: Option<&str>) -> (String, Vec<u8>) {
    let parts: Vec<(&str, &str)> = visit.map(|v| ("visitId", v)).into_iter().collect();
    form_with(&parts, file_name, bytes)
}

/// A `multipart/form-data` body of text `parts` and then a `file` part.
pub(crate) fn form_with(
    parts: &[(&str, &str)],
    file_name: &str,
    bytes: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "----smartdmv-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, v) in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{v}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads a file to a pet's record with `token`.
pub(crate) async fn upload(
    app: &crate::helpers::TestApp,
    sub: &str,
    token: &str,
    pet: &str,
    file_name: &str,
    bytes: &[u8],
    visit: Option<&str>,
) -> (StatusCode, Value) {
    let (ctype, body) = form(file_name, bytes, visit);
    let r = app
        .tenant(sub, Method::POST, &format!("/api/pets/{pet}/attachments"))
        .bearer_auth(token)
        .header("content-type", ctype)
        .body(body)
        .send()
        .await
        .unwrap();
    crate::helpers::json(r).await
}

/// A company with a veterinarian and a technician in its practice, and a client's dog.
struct Clinic {
    c: Company,
    vet: String,
    vet_id: String,
    tech: String,
    pet: String,
    client: String,
}

impl Clinic {
    async fn open(b: Backend, sub: &str) -> Clinic {
        let c = Company::open(b, sub).await;
        let practice = c.practice.clone();
        let (vet, vet_id) = c
            .staff(&format!("vet@{sub}.example"), "VETERINARIAN", &[&practice])
            .await;
        let (tech, _) = c
            .staff(&format!("tech@{sub}.example"), "TECHNICIAN", &[&practice])
            .await;
        let client = c.client("Rita", "Owner").await;
        let pet = c.pet("Biscuit", &client).await;
        Clinic {
            c,
            vet,
            vet_id,
            tech,
            pet,
            client,
        }
    }

    async fn as_vet(&self, m: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.c.call(&self.vet, m, path, body).await
    }

    /// A walk-in visit of the dog, opened by the veterinarian.
    async fn visit(&self) -> String {
        let (s, v) = self
            .as_vet(
                Method::POST,
                "/api/visits",
                Some(json!({"petId": self.pet, "reason": "Limping"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }

    /// A draft note of `visit`, as the veterinarian.
    async fn note(&self, visit: &str, body: Value) -> Value {
        let mut body = body;
        body["visitId"] = json!(visit);
        let (s, n) = self
            .as_vet(Method::POST, "/api/soap-notes", Some(body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{n}");
        n
    }

    /// Rows in a table of the company's database.
    async fn count(&self, table: &str) -> i64 {
        use sea_orm::ConnectionTrait;
        let db = self.c.db().await;
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT count(*) FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

async fn check_in_opens_the_visit_and_walk_ins_open_their_own(b: Backend) {
    let k = Clinic::open(b, "med-visit").await;
    let c = &k.c;
    let s =
        crate::scheduling::schedule_fixtures(&c.app, &c.cid, &c.sub, &c.admin, &c.practice, "v")
            .await;
    let (st, a) = c
        .post(
            &format!("/api/appointments/{}/status", s.appointment),
            json!({"status": "checked_in"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    let visit = a["visitId"]
        .as_str()
        .expect("the check-in answer carries visitId");
    let (st, v) = k
        .as_vet(Method::GET, &format!("/api/visits/{visit}"), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "open");
    assert_eq!(v["appointmentId"], json!(s.appointment));
    assert_eq!(v["petId"], a["petId"]);
    assert_eq!(v["notes"], json!([]));
    // The appointment keeps naming its visit; a second visit for it is refused.
    let (_, again) = c.get(&format!("/api/appointments/{}", s.appointment)).await;
    assert_eq!(again["visitId"], json!(visit));
    let (st, e) = k
        .as_vet(
            Method::POST,
            "/api/visits",
            Some(json!({"petId": a["petId"], "appointmentId": s.appointment})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "visit_exists");
    // A walk-in opens its own, with the caller as its veterinarian.
    let (st, w) = k
        .as_vet(Method::POST, "/api/visits", Some(json!({"petId": k.pet})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{w}");
    assert_eq!(w["status"], "open");
    assert_eq!(w["appointmentId"], Value::Null);
    assert_eq!(w["veterinarianId"], json!(k.vet_id));
    assert_eq!(c.audit("visit", w["id"].as_str().unwrap()).await.len(), 1);
}

async fn signing_locks_a_note_and_later_knowledge_is_an_addendum(b: Backend) {
    let k = Clinic::open(b, "med-sign").await;
    let visit = k.visit().await;
    let n = k
        .note(
            &visit,
            json!({"subjective": "Lame on the left hind", "objective": "Swelling at the hock",
                   "assessment": "Sprain", "plan": "Rest for a week",
                   "vitals": {"temperatureC": 38.6, "heartRate": 96, "respiratoryRate": 22,
                              "weightKg": 12.4}}),
        )
        .await;
    assert_eq!(n["status"], "draft");
    assert_eq!(n["lockedAt"], Value::Null);
    let id = n["id"].as_str().unwrap().to_owned();
    let path = format!("/api/soap-notes/{id}");
    // The weight is also in the patient's weight history.
    let (_, ws) = k.c.get(&format!("/api/pets/{}/weights", k.pet)).await;
    assert_eq!(ws["items"][0]["value"], json!(12.4));
    assert_eq!(ws["items"][0]["id"], n["weightId"]);
    // A draft is editable, and a corrected weight corrects the same weighing.
    let (s, e) = k
        .as_vet(
            Method::PATCH,
            &path,
            Some(json!({"assessment": "Hock sprain", "vitals": {"weightKg": 12.6}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["assessment"], "Hock sprain");
    let (_, ws) = k.c.get(&format!("/api/pets/{}/weights", k.pet)).await;
    assert_eq!(ws["items"].as_array().unwrap().len(), 1, "{ws}");
    assert_eq!(ws["items"][0]["value"], json!(12.6));
    // Technicians write notes but do not sign them.
    let (s, f) =
        k.c.call(&k.tech, Method::POST, &format!("{path}/sign"), None)
            .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{f}");
    let (s, signed) = k.as_vet(Method::POST, &format!("{path}/sign"), None).await;
    assert_eq!(s, StatusCode::OK, "{signed}");
    assert_eq!(signed["status"], "signed");
    assert_eq!(signed["signedBy"], json!(k.vet_id));
    assert!(signed["lockedAt"].is_string(), "{signed}");
    // Locked: never changed, never deleted.
    for (m, body) in [
        (Method::PATCH, Some(json!({"plan": "changed"}))),
        (Method::DELETE, None),
    ] {
        let (s, l) = k.as_vet(m.clone(), &path, body).await;
        assert_eq!(s, StatusCode::CONFLICT, "{m} {l}");
        assert_eq!(l["code"], "record_locked");
    }
    let (s, again) = k.as_vet(Method::POST, &format!("{path}/sign"), None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    // Later knowledge is an addendum beside the unchanged text.
    let (s, a) = k
        .as_vet(
            Method::POST,
            &format!("{path}/addenda"),
            Some(json!({"text": "Radiographs show no fracture", "reason": "Results came back"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["assessment"], "Hock sprain");
    assert_eq!(a["addenda"].as_array().unwrap().len(), 1);
    assert_eq!(a["addenda"][0]["text"], "Radiographs show no fracture");
    assert_eq!(a["addenda"][0]["authorId"], json!(k.vet_id));
    // Entered in error: marked with its reason, still readable.
    let (s, m) = k
        .as_vet(
            Method::POST,
            &format!("{path}/entered-in-error"),
            Some(json!({"reason": "Written on the wrong patient"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(
        m["enteredInError"]["reason"],
        "Written on the wrong patient"
    );
    let (s, read) = k.as_vet(Method::GET, &path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(read["subjective"], "Lame on the left hind");
    assert!(read["enteredInError"].is_object());
    let actions: Vec<String> =
        k.c.audit("soap_note", &id)
            .await
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(actions, ["entered_in_error", "sign", "update", "create"]);
}

async fn an_unsigned_note_locks_itself_when_the_window_passes(b: Backend) {
    let k = Clinic::open(b, "med-lock").await;
    // The practice keeps notes editable for 12 hours.
    let (s, p) =
        k.c.patch(
            &format!("/api/practices/{}", k.c.practice),
            json!({"recordLockHours": 12}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(p["recordLockHours"], 12);
    let visit = k.visit().await;
    let n = k.note(&visit, json!({"subjective": "Coughing"})).await;
    let path = format!("/api/soap-notes/{}", n["id"].as_str().unwrap());
    k.c.app.clock.advance(jiff::SignedDuration::from_hours(11));
    let (s, e) = k
        .as_vet(Method::PATCH, &path, Some(json!({"plan": "Recheck"})))
        .await;
    assert_eq!(s, StatusCode::OK, "an 11-hour-old draft is editable: {e}");
    k.c.app.clock.advance(jiff::SignedDuration::from_hours(1));
    let (_, read) = k.as_vet(Method::GET, &path, None).await;
    assert_eq!(read["status"], "locked", "{read}");
    assert_eq!(read["signedAt"], Value::Null);
    let locked_at: jiff::Timestamp = read["lockedAt"].as_str().unwrap().parse().unwrap();
    let created: jiff::Timestamp = read["createdAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(locked_at.duration_since(created).as_hours(), 12);
    for (m, body) in [
        (Method::PATCH, Some(json!({"plan": "changed"}))),
        (Method::DELETE, None),
    ] {
        let (s, l) = k.as_vet(m.clone(), &path, body).await;
        assert_eq!(s, StatusCode::CONFLICT, "{m} {l}");
        assert_eq!(l["code"], "record_locked");
    }
    let (_, still) = k.as_vet(Method::GET, &path, None).await;
    assert_eq!(still["plan"], "Recheck");
    // The window is a practice setting within bounds.
    let (s, bad) =
        k.c.patch(
            &format!("/api/practices/{}", k.c.practice),
            json!({"recordLockHours": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
}

async fn a_visit_with_unsigned_notes_does_not_close(b: Backend) {
    let k = Clinic::open(b, "med-close").await;
    let visit = k.visit().await;
    let n1 = k.note(&visit, json!({"subjective": "One"})).await;
    let n2 = k.note(&visit, json!({"subjective": "Two"})).await;
    let close = format!("/api/visits/{visit}/close");
    let (s, e) = k.as_vet(Method::POST, &close, None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "unsigned_notes");
    assert_eq!(e["noteIds"].as_array().unwrap().len(), 2);
    k.as_vet(
        Method::POST,
        &format!("/api/soap-notes/{}/sign", n1["id"].as_str().unwrap()),
        None,
    )
    .await;
    let (s, e) = k.as_vet(Method::POST, &close, None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["noteIds"], json!([n2["id"]]));
    // A note marked entered in error does not hold the visit open.
    let (s, _) = k
        .as_vet(
            Method::POST,
            &format!(
                "/api/soap-notes/{}/entered-in-error",
                n2["id"].as_str().unwrap()
            ),
            Some(json!({"reason": "Duplicate"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, closed) = k.as_vet(Method::POST, &close, None).await;
    assert_eq!(s, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    assert!(closed["closedAt"].is_string());
    // Nothing more is written to a closed visit.
    let (s, e) = k
        .as_vet(
            Method::POST,
            "/api/soap-notes",
            Some(json!({"visitId": visit, "subjective": "late"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "visit_closed");
}

async fn bad_clinical_input_is_refused_and_writes_nothing(b: Backend) {
    let k = Clinic::open(b, "med-bad").await;
    let visit = k.visit().await;
    let before = (
        k.count("soap_notes").await,
        k.count("patient_weights").await,
    );
    // Implausible vitals name every bad field.
    let (s, e) = k
        .as_vet(
            Method::POST,
            "/api/soap-notes",
            Some(
                json!({"visitId": visit, "vitals": {"temperatureC": 101.3, "heartRate": 0,
                                                     "weightKg": 4200}}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let mut fields: Vec<&String> = e["errors"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["vitals.heartRate", "vitals.temperatureC", "vitals.weightKg"]
    );
    // Malformed vitals (text for a number, an unknown vital) are refused as such.
    for vitals in [json!({"temperatureC": "hot"}), json!({"pulse": 80})] {
        let (s, e) = k
            .as_vet(
                Method::POST,
                "/api/soap-notes",
                Some(json!({"visitId": visit, "vitals": vitals})),
            )
            .await;
        assert!(s.is_client_error(), "{vitals}: {s} {e}");
        assert!(e["detail"].is_string(), "{e}");
    }
    // An unknown visit, a malformed one.
    for v in [json!(uuid::Uuid::now_v7().to_string()), json!("not-an-id")] {
        let (s, e) = k
            .as_vet(
                Method::POST,
                "/api/soap-notes",
                Some(json!({"visitId": v, "subjective": "x"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["errors"]["visitId"][0].is_string(), "{e}");
    }
    let (s, _) = k
        .as_vet(
            Method::GET,
            &format!("/api/visits/{}", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        (
            k.count("soap_notes").await,
            k.count("patient_weights").await
        ),
        before
    );
}

async fn problems_span_visits_and_resolve(b: Backend) {
    let k = Clinic::open(b, "med-problems").await;
    let v1 = k.visit().await;
    let path = format!("/api/pets/{}/problems", k.pet);
    let (s, p) = k
        .as_vet(
            Method::POST,
            &path,
            Some(
                json!({"name": "Osteoarthritis", "status": "chronic", "onsetOn": "2025-02-01",
                        "visitId": v1}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["status"], "chronic");
    assert_eq!(p["visitId"], json!(v1));
    let (s, q) = k
        .as_vet(Method::POST, &path, Some(json!({"name": "Otitis externa"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{q}");
    assert_eq!(q["status"], "active");
    // A later visit resolves the second; the list spans both.
    k.visit().await;
    let (s, r) = k
        .as_vet(
            Method::PATCH,
            &format!("/api/problems/{}", q["id"].as_str().unwrap()),
            Some(json!({"status": "resolved"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "resolved");
    assert!(r["resolvedOn"].is_string(), "{r}");
    let (_, list) = k.as_vet(Method::GET, &path, None).await;
    let names: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["name"].as_str().unwrap(), x["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("Osteoarthritis", "chronic"),
            ("Otitis externa", "resolved")
        ]
    );
    let (s, e) = k
        .as_vet(
            Method::POST,
            &path,
            Some(json!({"name": "", "status": "sleepy", "onsetOn": "2999-01-01"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    for f in ["name", "status", "onsetOn"] {
        assert!(e["errors"][f][0].is_string(), "{f}: {e}");
    }
}

async fn lab_results_are_versions_flagged_and_reviewed(b: Backend) {
    let k = Clinic::open(b, "med-lab").await;
    let visit = k.visit().await;
    let (s, o) = k
        .as_vet(
            Method::POST,
            "/api/lab-orders",
            Some(json!({"petId": k.pet, "visitId": visit,
                        "tests": [{"code": "CBC", "name": "Complete blood count"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!(o["status"], "ordered");
    let path = format!("/api/lab-orders/{}", o["id"].as_str().unwrap());
    let values = json!([
        {"analyte": "WBC", "value": 3.1, "unit": "10^9/L", "referenceLow": 5.5, "referenceHigh": 16.9},
        {"analyte": "HCT", "value": 62.0, "unit": "%", "referenceLow": 37.0, "referenceHigh": 55.0},
        {"analyte": "PLT", "value": 250.0, "unit": "10^9/L", "referenceLow": 175.0, "referenceHigh": 500.0}
    ]);
    let (s, r1) = k
        .as_vet(
            Method::POST,
            &format!("{path}/results"),
            Some(json!({"values": values})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r1}");
    let flags: Vec<&str> = r1["latest"]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["flag"].as_str().unwrap())
        .collect();
    assert_eq!(flags, ["low", "high", "normal"]);
    // A second posting is a new version; the first stays readable as it was.
    let (s, r2) = k
        .as_vet(
            Method::POST,
            &format!("{path}/results"),
            Some(
                json!({"values": [{"analyte": "WBC", "value": 6.0, "referenceLow": 5.5,
                                    "referenceHigh": 16.9}]}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r2}");
    let (_, got) = k.as_vet(Method::GET, &path, None).await;
    let versions = got["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 1);
    assert_eq!(versions[0]["values"][0]["value"], json!(3.1));
    assert_eq!(versions[1]["values"][0]["flag"], "normal");
    assert_eq!(got["status"], "resulted");
    // Technicians order but neither post results nor review.
    let (s, _) =
        k.c.call(
            &k.tech,
            Method::POST,
            &format!("{path}/review"),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, rv) = k
        .as_vet(
            Method::POST,
            &format!("{path}/review"),
            Some(json!({"note": "WBC back to normal"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{rv}");
    assert_eq!(rv["status"], "reviewed");
    assert_eq!(rv["review"]["by"], json!(k.vet_id));
    assert_eq!(rv["review"]["version"], 2);
    let actions: Vec<String> =
        k.c.audit("lab_order", o["id"].as_str().unwrap())
            .await
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(actions, ["review", "results", "results", "create"]);
    let (s, e) = k
        .as_vet(
            Method::POST,
            &format!("{path}/results"),
            Some(json!({"values": [{"analyte": "", "value": null}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
}

async fn history_is_one_chronology_newest_first(b: Backend) {
    let k = Clinic::open(b, "med-history").await;
    let visit = k.visit().await;
    let n = k
        .note(
            &visit,
            json!({"assessment": "Healthy", "vitals": {"weightKg": 20.5}}),
        )
        .await;
    let note_path = format!("/api/soap-notes/{}", n["id"].as_str().unwrap());
    k.as_vet(Method::POST, &format!("{note_path}/sign"), None)
        .await;
    k.as_vet(
        Method::POST,
        &format!("{note_path}/addenda"),
        Some(json!({"text": "Owner called", "reason": "Follow-up"})),
    )
    .await;
    k.as_vet(
        Method::POST,
        &format!("/api/pets/{}/problems", k.pet),
        Some(json!({"name": "Dental tartar"})),
    )
    .await;
    let (_, o) = k
        .as_vet(
            Method::POST,
            "/api/lab-orders",
            Some(json!({"petId": k.pet, "tests": [{"code": "T4", "name": "Thyroxine"}]})),
        )
        .await;
    k.as_vet(
        Method::POST,
        &format!("/api/lab-orders/{}/results", o["id"].as_str().unwrap()),
        Some(json!({"values": [{"analyte": "T4", "value": 1.0, "referenceLow": 1.5}]})),
    )
    .await;
    let (s, h) = k
        .as_vet(Method::GET, &format!("/api/pets/{}/history", k.pet), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    let items = h["items"].as_array().unwrap();
    let mut kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    let ats: Vec<jiff::Timestamp> = items
        .iter()
        .map(|i| i["at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        ats.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {ats:?}"
    );
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "addendum",
            "lab_result",
            "note",
            "problem",
            "visit",
            "weight"
        ]
    );
    let lab = items.iter().find(|i| i["kind"] == "lab_result").unwrap();
    assert_eq!(lab["detail"]["values"][0]["flag"], "low");
    // Another company's view and receptionists' are refused.
    let (rec, _) =
        k.c.staff("desk@med-history.example", "RECEPTIONIST", &[&k.c.practice])
            .await;
    let (s, _) =
        k.c.call(
            &rec,
            Method::GET,
            &format!("/api/pets/{}/history", k.pet),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn clients_see_their_own_pets_signed_notes_only_when_the_practice_allows(b: Backend) {
    let k = Clinic::open(b, "med-portal").await;
    // The dog's owner gets a portal account; another client owns another dog.
    let (s, acc) =
        k.c.post(
            &format!("/api/clients/{}/portal-account", k.client),
            json!({"email": "rita@med-portal.example", "password": crate::helpers::PASSWORD}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{acc}");
    let rita =
        k.c.app
            .login(
                "med-portal",
                "rita@med-portal.example",
                crate::helpers::PASSWORD,
            )
            .await;
    let other = k.c.client("Otto", "Other").await;
    let other_pet = k.c.pet("Rex", &other).await;
    let visit = k.visit().await;
    let signed = k.note(&visit, json!({"assessment": "Fine"})).await;
    let signed_path = format!("/api/soap-notes/{}", signed["id"].as_str().unwrap());
    k.as_vet(Method::POST, &format!("{signed_path}/sign"), None)
        .await;
    let draft = k.note(&visit, json!({"assessment": "Draft"})).await;
    let draft_path = format!("/api/soap-notes/{}", draft["id"].as_str().unwrap());
    let (s, ov) = k
        .as_vet(
            Method::POST,
            "/api/visits",
            Some(json!({"petId": other_pet})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let theirs = k
        .note(ov["id"].as_str().unwrap(), json!({"assessment": "Other"}))
        .await;
    let theirs_path = format!("/api/soap-notes/{}", theirs["id"].as_str().unwrap());
    k.as_vet(Method::POST, &format!("{theirs_path}/sign"), None)
        .await;

    let client_get = |p: String| {
        let k = &k;
        let rita = rita.clone();
        async move { k.c.call(&rita, Method::GET, &p, None).await }
    };
    // The practice does not show notes in the portal (the default): not found.
    let (s, _) = client_get(signed_path.clone()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, h) = client_get(format!("/api/pets/{}/history", k.pet)).await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert!(
        h["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] != "note")
    );
    // Once it does: their own pet's signed note, never a draft or a neighbour's.
    let (s, _) =
        k.c.patch(
            &format!("/api/practices/{}", k.c.practice),
            json!({"portalShowsNotes": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, n) = client_get(signed_path).await;
    assert_eq!(s, StatusCode::OK, "{n}");
    assert_eq!(n["assessment"], "Fine");
    for p in [
        draft_path,
        theirs_path,
        format!("/api/pets/{other_pet}/history"),
    ] {
        let (s, _) = client_get(p.clone()).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    }
    let (_, h) = client_get(format!("/api/pets/{}/history", k.pet)).await;
    let notes: Vec<&Value> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "note")
        .collect();
    assert_eq!(notes.len(), 1, "{h}");
    assert_eq!(notes[0]["id"], signed["id"]);
    assert!(
        h["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] != "visit" && i["kind"] != "problem"),
        "{h}"
    );
}

async fn attachments_keep_their_bytes_in_the_company_database(b: Backend) {
    let k = Clinic::open(b, "med-files").await;
    let visit = k.visit().await;
    // The bytes count in the company's storage: a 1 MiB image (noise, which neither backend
    // can compress away) grows the recounted storage by about its size.
    let before = crate::usage::recount(&k.c.app, &k.c.cid).await["storageBytes"]
        .as_i64()
        .unwrap();
    let mut noise = PNG.to_vec();
    let mut x: u32 = 0x1234_5678;
    noise.extend((0..1024 * 1024).map(|_| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x.to_le_bytes()[0]
    }));
    let (s, big) = upload(&k.c.app, &k.c.sub, &k.vet, &k.pet, "scan.png", &noise, None).await;
    assert_eq!(s, StatusCode::CREATED, "{big}");
    let after = crate::usage::recount(&k.c.app, &k.c.cid).await["storageBytes"]
        .as_i64()
        .unwrap();
    assert!(
        after - before >= 900 * 1024,
        "storage grew by {} bytes only",
        after - before
    );
    let (s, a) = upload(
        &k.c.app,
        &k.c.sub,
        &k.vet,
        &k.pet,
        "../x-ray.png",
        PNG,
        Some(&visit),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["contentType"], "image/png");
    assert_eq!(a["fileName"], "x-ray.png");
    assert_eq!(a["sizeBytes"], json!(PNG.len()));
    assert_eq!(a["visitId"], json!(visit));
    // The bytes come back as they went in, with their type, from the company's database.
    let r =
        k.c.send(&k.vet, Method::GET, a["url"].as_str().unwrap(), None)
            .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(k.count("attachments").await, 2);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let (s, p) = upload(&k.c.app, &k.c.sub, &k.vet, &k.pet, "report.pdf", pdf, None).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["contentType"], "application/pdf");
    let (_, list) = k
        .as_vet(
            Method::GET,
            &format!("/api/pets/{}/attachments", k.pet),
            None,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    // Wrong type (whatever the name says), empty, oversized, malformed: refused, nothing kept.
    let (s, e) = upload(
        &k.c.app,
        &k.c.sub,
        &k.vet,
        &k.pet,
        "photo.png",
        b"<script>x</script>",
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["errors"]["file"][0].as_str().unwrap().contains("PDF"),
        "{e}"
    );
    let (s, e) = upload(&k.c.app, &k.c.sub, &k.vet, &k.pet, "empty.png", b"", None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let (s, e) = upload(&k.c.app, &k.c.sub, &k.vet, &k.pet, "huge.png", &big, None).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
    assert_eq!(e["code"], "body_too_large");
    let r =
        k.c.app
            .tenant(
                &k.c.sub,
                Method::POST,
                &format!("/api/pets/{}/attachments", k.pet),
            )
            .bearer_auth(&k.vet)
            .header("content-type", "multipart/form-data; boundary=nope")
            .body("not a form")
            .send()
            .await
            .unwrap();
    let (s, e) = crate::helpers::json(r).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(k.count("attachments").await, 3);
    // Another pet's visit is not this pet's.
    let other = k.c.pet("Other", &k.client).await;
    let (s, e) = upload(
        &k.c.app,
        &k.c.sub,
        &k.vet,
        &other,
        "x.png",
        PNG,
        Some(&visit),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // It shows on the pet's timeline.
    let (_, h) = k
        .as_vet(Method::GET, &format!("/api/pets/{}/history", k.pet), None)
        .await;
    let files = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "attachment")
        .count();
    assert_eq!(files, 3, "{h}");
}

async fn a_page_upload_needs_the_forms_token(b: Backend) {
    let k = Clinic::open(b, "med-upload").await;
    let visit = k.visit().await;
    let mut web =
        crate::web::WebSession::signed_in(&k.c.app, "med-upload", "vet@med-upload.example").await;
    let path = format!("/practice/visits/{visit}/attachments");
    // Without the form's token, or with another one: refused, nothing stored.
    let r = web
        .post_multipart(&path, form_with(&[], "x.png", PNG))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = web
        .post_multipart(
            &path,
            form_with(&[("_csrf", "not-the-cookie-value-000000")], "x.png", PNG),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(k.count("attachments").await, 0);
    // With it, the file lands on the visit and the page goes back to the visit.
    let csrf = web.csrf();
    assert!(!csrf.is_empty());
    let r = web
        .post_multipart(&path, form_with(&[("_csrf", &csrf)], "x.png", PNG))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.location.starts_with(&format!("/practice/visits/{visit}")),
        "{}",
        r.location
    );
    assert_eq!(k.count("attachments").await, 1);
}
