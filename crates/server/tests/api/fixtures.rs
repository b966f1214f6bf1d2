//! The shared test company: a fresh server, one company on it, its administrator's token and
//! its first practice, with the calls most tests make as that administrator. Files that need
//! more (a clinic with veterinarians, a practice with an appointment type) wrap it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use smartdmv_store::TenantConnection;

use crate::helpers::{Backend, Options, PASSWORD, TestApp};

/// A company on its own test server, with its administrator signed in.
pub struct Company {
    pub app: TestApp,
    pub sub: String,
    /// The company's id.
    pub cid: String,
    /// The administrator's token.
    pub admin: String,
    /// The id of the company's first practice.
    pub practice: String,
}

impl Company {
    pub async fn open(b: Backend, sub: &str) -> Company {
        Self::open_with(b, sub, Options::default()).await
    }

    pub async fn open_with(b: Backend, sub: &str, opts: Options) -> Company {
        let app = TestApp::spawn_with(b, opts).await;
        let company = app.create_company(sub).await;
        let admin = app.admin_token(sub).await;
        let (s, ps) = app
            .call(sub, &admin, Method::GET, "/api/practices", None)
            .await;
        assert_eq!(s, StatusCode::OK, "{ps}");
        Company {
            cid: company["id"].as_str().unwrap().to_owned(),
            practice: ps["items"][0]["id"].as_str().unwrap().to_owned(),
            sub: sub.to_owned(),
            admin,
            app,
        }
    }

    /// A call to the company's API with `token`.
    pub async fn call(
        &self,
        token: &str,
        m: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.app.call(&self.sub, token, m, path, body).await
    }

    /// A request to the company's API with `token`, answered as it comes.
    pub async fn send(
        &self,
        token: &str,
        m: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        self.app.send(&self.sub, token, m, path, body).await
    }

    /// `GET path` with `token`.
    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(token, Method::GET, path, None).await
    }

    /// `POST path` with a JSON body and `token`.
    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(token, Method::POST, path, Some(body)).await
    }

    /// `PATCH path` with a JSON body and `token`.
    pub async fn patch_as(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(token, Method::PATCH, path, Some(body)).await
    }

    /// `DELETE path` with `token`.
    pub async fn delete_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(token, Method::DELETE, path, None).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(&self.admin, Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(&self.admin, Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(&self.admin, Method::PATCH, path, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(&self.admin, Method::DELETE, path, None).await
    }

    /// Posts as the administrator, expects 201 and returns the new record's id.
    pub async fn created(&self, path: &str, body: Value) -> String {
        let (s, v) = self.post(path, body).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }

    /// Creates a client and returns its id.
    pub async fn client(&self, first: &str, last: &str) -> String {
        self.created(
            "/api/clients",
            json!({"firstName": first, "lastName": last}),
        )
        .await
    }

    /// Creates a dog owned by `owner` and returns its id.
    pub async fn pet(&self, name: &str, owner: &str) -> String {
        self.created(
            "/api/pets",
            json!({"name": name, "species": "dog", "ownerId": owner}),
        )
        .await
    }

    /// An appointment type of the first practice; returns its id.
    pub async fn appointment_type(&self, name: &str, minutes: u32, colour: &str) -> String {
        self.created(
            "/api/appointment-types",
            json!({"name": name, "durationMinutes": minutes, "colour": colour}),
        )
        .await
    }

    /// A staff user of `role` working in `practices`, named by `email`: `(token, user id)`.
    pub async fn staff(&self, email: &str, role: &str, practices: &[&str]) -> (String, String) {
        self.staff_named(email, email, role, practices).await
    }

    /// [`Company::staff`] with a display name.
    pub async fn staff_named(
        &self,
        email: &str,
        name: &str,
        role: &str,
        practices: &[&str],
    ) -> (String, String) {
        let id = self
            .created(
                "/api/users",
                json!({"email": email, "name": name, "password": PASSWORD, "role": role,
                       "practiceIds": practices}),
            )
            .await;
        (self.app.session_for(&self.cid, &id).await, id)
    }

    /// Audit entries about one entity, newest first.
    pub async fn audit(&self, entity: &str, id: &str) -> Vec<Value> {
        let (s, v) = self
            .get(&format!("/api/audit-logs?entity={entity}&entityId={id}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["items"].as_array().unwrap().clone()
    }

    /// The company's database, opened directly.
    pub async fn db(&self) -> TenantConnection {
        self.app.open_tenant_db(&self.cid).await
    }
}

/// A current ownership of `patient` by `client`, starting now, as the data conventions of
/// the practice records write it (for rows a test puts straight into the database).
pub fn ownership(
    patient: smartdmv_domain::PatientId,
    client: smartdmv_domain::ClientId,
    is_primary: bool,
) -> smartdmv_store::tenant::patient_owner::Model {
    smartdmv_store::tenant::patient_owner::Model {
        id: uuid::Uuid::now_v7().into(),
        patient_id: patient,
        client_id: client,
        is_primary,
        started_at: smartdmv_store::now(),
        ended_at: None,
        end_reason: None,
        created_by: None,
    }
}

/// An active client named `first last` with no contacts, created now (for rows a test puts
/// straight into the database; override fields with struct update syntax).
pub fn client_row(first: &str, last: &str) -> smartdmv_store::tenant::client::Model {
    let now = smartdmv_store::now();
    smartdmv_store::tenant::client::Model {
        id: uuid::Uuid::now_v7().into(),
        name_key: smartdmv_domain::text::person_key(first, last),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        email: None,
        phone: None,
        address: None,
        home_practice_id: None,
        balance_cents: 0,
        alerts: json!([]),
        notes: None,
        user_id: None,
        active: true,
        deactivated_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// An active patient of `species` with nothing else recorded, created now (for rows a test
/// puts straight into the database).
pub fn patient_row(name: &str, species: &str) -> smartdmv_store::tenant::patient::Model {
    let now = smartdmv_store::now();
    smartdmv_store::tenant::patient::Model {
        id: uuid::Uuid::now_v7().into(),
        name: name.to_owned(),
        name_key: smartdmv_domain::text::fold_name(name),
        species: species.to_owned(),
        breed: None,
        sex: "unknown".into(),
        neutered: false,
        date_of_birth: None,
        dob_estimated: false,
        colour: None,
        microchip: None,
        microchip_type: None,
        alerts: json!([]),
        deceased_on: None,
        notes: None,
        active: true,
        created_at: now,
        updated_at: now,
    }
}
