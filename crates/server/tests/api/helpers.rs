//! The test harness: [`TestApp`] (the backend switch is `smartdmv_testkit::Backend`).

use reqwest::{Method, RequestBuilder, StatusCode};
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use smartdmv_server::{AppState, Application, Config};
use smartdmv_store::TenantConnection;
use smartdmv_tenancy::TenantLocation;
use std::str::FromStr;
use std::time::Duration;

pub use smartdmv_testkit::Backend;

pub const SECRET: &str = "test-secret-key";
/// The platform owner every test app starts with.
pub const OWNER_EMAIL: &str = "owner@platform.example";
/// The password of every user the tests create.
pub const PASSWORD: &str = "a-long-password-1";
/// Every company role, in the order of the permission matrix's columns.
pub const ROLES: [&str; 7] = [
    "ADMINISTRATOR",
    "PRACTICE_ADMINISTRATOR",
    "PRACTICE_MANAGER",
    "VETERINARIAN",
    "TECHNICIAN",
    "RECEPTIONIST",
    "CLIENT",
];

/// Knobs a test may turn before the app starts.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub pg_budget: Option<usize>,
    pub sqlite_budget: Option<usize>,
    pub default_company: Option<String>,
    /// Resolver cache TTL; long by default so that tests prove explicit invalidation.
    pub resolve_ttl_ms: Option<u64>,
    pub acquire_timeout_ms: Option<u64>,
    pub idle_timeout_secs: Option<u64>,
    pub max_lifetime_secs: Option<u64>,
    /// Connections one tenant may hold (1 by default).
    pub connections_per_tenant: Option<u32>,
    /// Sign-ups accepted from one address an hour.
    pub signups_per_address_per_hour: Option<usize>,
    /// Billing settings: (tax rate in basis points, card webhook secret).
    pub billing_tax_rate_bp: Option<u32>,
    pub billing_webhook_secret: Option<String>,
    /// Where the billing clock starts (the system's now by default).
    pub clock_start: Option<jiff::Timestamp>,
}

impl Options {
    /// The defaults, with the billing clock starting at `start` (RFC 3339).
    pub fn at(start: &str) -> Options {
        Options {
            clock_start: Some(start.parse().unwrap()),
            ..Options::default()
        }
    }
}

/// A running application with its own owner database and tenant databases.
pub struct TestApp {
    pub addr: std::net::SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    pub backend: Backend,
    pub config: Config,
    /// Prefix of every PostgreSQL database this test creates.
    pub prefix: String,
    pub data_dir: tempfile::TempDir,
    /// A session token of the platform owner.
    pub owner_token: String,
    /// The billing clock: it stands still until a test moves it.
    pub clock: std::sync::Arc<smartdmv_platform::billing::ManualClock>,
    server: Option<tokio::task::JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, Options::default()).await
    }

    /// An app whose billing clock starts at `start` (RFC 3339).
    pub async fn spawn_at(backend: Backend, start: &str) -> TestApp {
        Self::spawn_with(backend, Options::at(start)).await
    }

    pub async fn spawn_with(backend: Backend, opts: Options) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let prefix = format!("smt_{}_", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let mut config = Config {
            data_dir: data_dir.path().to_path_buf(),
            listen: "127.0.0.1:0".into(),
            secret_key: Some(SECRET.into()),
            tenant_db_prefix: prefix.clone(),
            default_company: opts.default_company.clone(),
            resolve_ttl_ms: opts.resolve_ttl_ms.unwrap_or(3_600_000),
            // Tests call `reap()` and run billing themselves, at known moments.
            reaper_interval_secs: 0,
            billing_interval_secs: 0,
            ..Config::default()
        };
        // A knob the test left alone keeps the default.
        let c = &mut config;
        c.pg_connection_budget = opts.pg_budget.unwrap_or(c.pg_connection_budget);
        c.sqlite_connection_budget = opts.sqlite_budget.unwrap_or(c.sqlite_connection_budget);
        c.acquire_timeout_ms = opts.acquire_timeout_ms.unwrap_or(c.acquire_timeout_ms);
        c.tenant_idle_timeout_secs = opts.idle_timeout_secs.unwrap_or(c.tenant_idle_timeout_secs);
        c.tenant_max_lifetime_secs = opts.max_lifetime_secs.unwrap_or(c.tenant_max_lifetime_secs);
        c.connections_per_tenant = opts
            .connections_per_tenant
            .unwrap_or(c.connections_per_tenant);
        c.signups_per_address_per_hour = opts
            .signups_per_address_per_hour
            .unwrap_or(c.signups_per_address_per_hour);
        c.billing_tax_rate_bp = opts.billing_tax_rate_bp.unwrap_or(c.billing_tax_rate_bp);
        config.billing_webhook_secret = opts.billing_webhook_secret.clone();
        if let Backend::Postgres(url) = &backend {
            config.owner_database_url = Some(format!("{url}/{prefix}owner"));
            config.tenant_database_server = Some(url.clone());
        }
        let clock = std::sync::Arc::new(smartdmv_platform::billing::ManualClock::new(
            opts.clock_start.unwrap_or_else(jiff::Timestamp::now),
        ));
        let app = Application::build_with_clock(config.clone(), clock.clone())
            .await
            .unwrap();
        let addr = app.local_addr();
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            app.run_until(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        smartdmv_server::api::owner_auth::create_platform_user(
            state.platform.owner.conn(),
            OWNER_EMAIL,
            "Test Owner",
            PASSWORD.into(),
            "OWNER",
            None,
        )
        .await
        .unwrap();
        let mut app = TestApp {
            addr,
            client,
            state,
            backend,
            config,
            prefix,
            data_dir,
            owner_token: String::new(),
            clock,
            server: Some(server),
            stop: Some(tx),
        };
        app.owner_token = app.owner_login(OWNER_EMAIL, PASSWORD).await;
        app
    }

    /// Signs a platform user in and returns the session token.
    pub async fn owner_login(&self, email: &str, password: &str) -> String {
        let req = self.platform(Method::POST, "/api/owner/auth/login");
        sign_in(req, email, password).await
    }

    /// Signs a company user in on the company's host and returns the session token.
    pub async fn login(&self, subdomain: &str, email: &str, password: &str) -> String {
        let req = self.tenant(subdomain, Method::POST, "/api/auth/login");
        sign_in(req, email, password).await
    }

    /// The session token of the company's first administrator (`admin@<subdomain>.example`).
    pub async fn admin_token(&self, subdomain: &str) -> String {
        self.login(subdomain, &format!("admin@{subdomain}.example"), PASSWORD)
            .await
    }

    /// Creates a company user through the API as the company's administrator; returns its id.
    pub async fn create_user(
        &self,
        subdomain: &str,
        admin: &str,
        email: &str,
        role: &str,
    ) -> String {
        let (s, v) = json(
            self.tenant(subdomain, Method::POST, "/api/users")
                .bearer_auth(admin)
                .json(&json!({"email": email, "name": format!("User {email}"), "password": PASSWORD, "role": role}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }

    /// Creates a company user bound to one practice; returns its id.
    pub async fn create_user_in(
        &self,
        subdomain: &str,
        admin: &str,
        email: &str,
        role: &str,
        practice: &str,
    ) -> String {
        let (s, v) = self
            .call(
                subdomain,
                admin,
                Method::POST,
                "/api/users",
                Some(
                    json!({"email": email, "name": format!("User {email}"), "password": PASSWORD,
                            "role": role, "practiceIds": [practice]}),
                ),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap().to_owned()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request to the platform host.
    pub fn platform(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("host", format!("localhost:{}", self.addr.port()))
    }

    /// A request to the platform host as the platform owner.
    pub fn owner(&self, method: Method, path: &str) -> RequestBuilder {
        self.platform(method, path).bearer_auth(&self.owner_token)
    }

    /// A request with an arbitrary Host header.
    pub fn host(&self, host: &str, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("host", host)
    }

    /// Sends `method path` to a company's host with a bearer token and an optional JSON
    /// body.
    pub async fn send(
        &self,
        subdomain: &str,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        with_body(
            self.tenant(subdomain, method, path).bearer_auth(token),
            body,
        )
        .await
    }

    /// [`TestApp::send`], answering the status and the body as JSON.
    pub async fn call(
        &self,
        subdomain: &str,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        json(self.send(subdomain, token, method, path, body).await).await
    }

    /// Sends `method path` to the platform host as the platform owner.
    pub async fn owner_send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        with_body(self.owner(method, path), body).await
    }

    /// [`TestApp::owner_send`], answering the status and the body as JSON.
    pub async fn owner_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        json(self.owner_send(method, path, body).await).await
    }

    /// `GET path` as the platform owner.
    pub async fn owner_get(&self, path: &str) -> (StatusCode, Value) {
        self.owner_call(Method::GET, path, None).await
    }

    /// `POST path` with a JSON body as the platform owner.
    pub async fn owner_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.owner_call(Method::POST, path, Some(body)).await
    }

    /// `PUT path` with a JSON body as the platform owner.
    pub async fn owner_put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.owner_call(Method::PUT, path, Some(body)).await
    }

    /// `PATCH path` with a JSON body as the platform owner.
    pub async fn owner_patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.owner_call(Method::PATCH, path, Some(body)).await
    }

    /// `DELETE path` as the platform owner.
    pub async fn owner_delete(&self, path: &str) -> (StatusCode, Value) {
        self.owner_call(Method::DELETE, path, None).await
    }

    /// `GET path` on a company's host with `token`.
    pub async fn tenant_get(&self, sub: &str, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(sub, token, Method::GET, path, None).await
    }

    /// `POST path` with a JSON body on a company's host with `token`.
    pub async fn tenant_post(
        &self,
        sub: &str,
        token: &str,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(sub, token, Method::POST, path, Some(body)).await
    }

    /// `GET /api/public/practices` on a company's host, the cheapest call that resolves the
    /// company and opens its database.
    pub async fn public_practices(&self, sub: &str) -> reqwest::Response {
        self.tenant(sub, Method::GET, "/api/public/practices")
            .send()
            .await
            .unwrap()
    }

    /// `PUT /api/owner/companies/{id}` (the company's details, status, plan or settings).
    pub async fn put_company(&self, id: &str, body: Value) -> (StatusCode, Value) {
        self.owner_put(&format!("/api/owner/companies/{id}"), body)
            .await
    }

    /// `PUT /api/owner/companies/{id}/subscription` (start, change or cancel it).
    pub async fn put_subscription_of(&self, id: &str, body: Value) -> (StatusCode, Value) {
        self.owner_put(&format!("/api/owner/companies/{id}/subscription"), body)
            .await
    }

    /// `GET /api/owner/plans/{id}` as the platform owner.
    pub async fn get_plan(&self, id: &str) -> (StatusCode, Value) {
        self.owner_get(&format!("/api/owner/plans/{id}")).await
    }

    /// `PATCH /api/owner/plans/{id}` (price, interval, limits, retiring it).
    pub async fn patch_plan(&self, id: &str, body: Value) -> (StatusCode, Value) {
        self.owner_patch(&format!("/api/owner/plans/{id}"), body)
            .await
    }

    /// `DELETE /api/owner/plans/{id}` as the platform owner.
    pub async fn delete_plan(&self, id: &str) -> (StatusCode, Value) {
        self.owner_delete(&format!("/api/owner/plans/{id}")).await
    }

    /// Voids an issued invoice with a credit note.
    pub async fn void_invoice(&self, id: &str, reason: &str) -> (StatusCode, Value) {
        self.owner_post(
            &format!("/api/owner/invoices/{id}/void"),
            json!({"reason": reason}),
        )
        .await
    }

    /// `POST path` without a body as the platform owner: the action routes (provision,
    /// recompute, verify, write off).
    pub async fn owner_action(&self, path: &str) -> (StatusCode, Value) {
        self.owner_call(Method::POST, path, None).await
    }

    /// The owner audit log of one company, newest first (at most `limit` entries).
    pub async fn owner_audit(
        &self,
        id: &str,
        limit: u64,
    ) -> Vec<smartdmv_store::owner::audit::Model> {
        smartdmv_store::owner::audit::for_company(
            self.state.platform.owner.conn(),
            id.parse().unwrap(),
            limit,
        )
        .await
        .unwrap()
    }

    /// Sends `method path` to the platform host with a platform user's token.
    pub async fn platform_send(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        with_body(self.platform(method, path).bearer_auth(token), body).await
    }

    /// [`TestApp::platform_send`], answering the status and the body as JSON.
    pub async fn platform_call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        json(self.platform_send(token, method, path, body).await).await
    }

    /// A request to a company's host (`<subdomain>.localhost`).
    pub fn tenant(&self, subdomain: &str, method: Method, path: &str) -> RequestBuilder {
        self.host(
            &format!("{subdomain}.localhost:{}", self.addr.port()),
            method,
            path,
        )
    }

    /// Creates a company through the API and returns its JSON (asserting 201).
    pub async fn create_company(&self, subdomain: &str) -> Value {
        let r = self
            .owner(Method::POST, "/api/owner/companies")
            .json(&json!({
                "name": format!("Company {subdomain}"),
                "subdomain": subdomain,
                "contactEmail": format!("office@{subdomain}.example"),
                "contactPhone": "+1 555 0100",
                "admin": {"email": format!("admin@{subdomain}.example"), "name": "First Admin",
                          "password": PASSWORD}
            }))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["status"], "ACTIVE", "{body}");
        body
    }

    pub async fn company(&self, id: &str) -> Value {
        let (s, v) = self.owner_get(&format!("/api/owner/companies/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Where a company's database lives, as the platform sees it.
    pub async fn location(&self, id: &str) -> TenantLocation {
        let row = smartdmv_store::owner::company::get(
            self.state.platform.owner.conn(),
            id.parse().unwrap(),
        )
        .await
        .unwrap();
        self.state.platform.provisioner.location_of(&row).unwrap()
    }

    /// Opens a company's database directly, bypassing the application.
    pub async fn open_tenant_db(&self, id: &str) -> TenantConnection {
        TenantConnection::from_raw(
            self.location(id)
                .await
                .connect(1, Duration::from_secs(5))
                .await
                .unwrap(),
        )
    }

    /// The name of the PostgreSQL database the platform manages for a company.
    pub fn managed_db_name(&self, id: &str) -> String {
        self.state
            .platform
            .provisioner
            .managed_db_name(id.parse().unwrap())
    }

    /// The company as the resolver serves it to requests (limits, features, status).
    pub async fn resolved(
        &self,
        id: &str,
    ) -> std::sync::Arc<smartdmv_tenancy::resolve::ResolvedCompany> {
        self.state
            .platform
            .resolver
            .by_id(id.parse().unwrap())
            .await
            .unwrap()
    }

    /// Open SQLite tenant connections, as the registry counts them.
    pub fn sqlite_connections(&self) -> i64 {
        self.state
            .platform
            .registry
            .metrics()
            .connections
            .get("sqlite")
            .copied()
            .unwrap_or(0) as i64
    }

    /// Whether the database the platform created for a company exists.
    pub async fn managed_database_exists(&self, id: &str) -> bool {
        let id: smartdmv_domain::CompanyId = id.parse().unwrap();
        match &self.backend {
            Backend::Sqlite => self
                .data_dir
                .path()
                .join("tenants")
                .join(format!("{}.db", id.0.simple()))
                .exists(),
            Backend::Postgres(_) => {
                let name = self.state.platform.provisioner.managed_db_name(id);
                let n = self
                    .pg_scalar(&format!(
                        "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
                    ))
                    .await;
                n == 1
            }
        }
    }

    /// Every tenant database of this test on the PostgreSQL server, or every tenant file.
    pub async fn tenant_database_count(&self) -> i64 {
        match &self.backend {
            Backend::Sqlite => std::fs::read_dir(self.data_dir.path().join("tenants"))
                .map(|d| {
                    d.filter_map(Result::ok)
                        .filter(|e| e.file_name().to_string_lossy().ends_with(".db"))
                        .count() as i64
                })
                .unwrap_or(0),
            Backend::Postgres(_) => {
                self.pg_scalar(&format!(
                    "SELECT count(*) FROM pg_database WHERE datname ~ '^{}[0-9a-f]{{32}}$'",
                    self.prefix
                ))
                .await
            }
        }
    }

    /// Runs a `SELECT count(*)`-like query on the PostgreSQL server's `postgres` database.
    pub async fn pg_scalar(&self, sql: &str) -> i64 {
        let db = self.pg_admin().await;
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .unwrap()
            .unwrap();
        let v: i64 = row.try_get_by_index(0).unwrap();
        let _ = db.close().await;
        v
    }

    pub async fn pg_exec(&self, sql: &str) {
        let db = self.pg_admin().await;
        db.execute_unprepared(sql).await.unwrap();
        let _ = db.close().await;
    }

    pub async fn pg_admin(&self) -> DatabaseConnection {
        let Backend::Postgres(url) = &self.backend else {
            panic!("not a PostgreSQL test")
        };
        connect_to_postgres_db(url).await.unwrap()
    }

    /// Runs the `smartdmv` binary against this app's databases.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_smartdmv"));
        cmd.args(args)
            .env("DATA_DIR", self.data_dir.path())
            .env("SMARTDMV_SECRET_KEY", SECRET)
            .env("SMARTDMV_TENANT_DB_PREFIX", &self.prefix)
            .env("OWNER_DATABASE_URL", self.config.owner_url())
            .env_remove("DATABASE_URL")
            .env_remove("TENANT_DATABASE_SERVER")
            .env("RUST_LOG", "warn");
        if let Some(s) = &self.config.tenant_database_server {
            cmd.env("TENANT_DATABASE_SERVER", s);
        }
        cmd.output().unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            h.abort();
        }
        if let Backend::Postgres(url) = &self.backend {
            // Drop every database this test made, on a runtime of its own (Drop is sync).
            let url = url.clone();
            let prefix = self.prefix.clone();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(drop_test_databases(&url, &prefix));
            })
            .join();
        }
    }
}

/// One connection to the server's `postgres` database, to create, inspect and drop others.
async fn connect_to_postgres_db(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    TenantLocation::Postgres {
        options: Box::new(
            PgConnectOptions::from_str(url)
                .unwrap()
                .database("postgres"),
        ),
    }
    .connect(1, Duration::from_secs(5))
    .await
}

/// Drops every database whose name starts with `prefix` (templates included).
pub async fn drop_test_databases(url: &str, prefix: &str) {
    let Ok(db) = connect_to_postgres_db(url).await else {
        return;
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'"),
        ))
        .await
        .unwrap_or_default();
    for r in rows {
        let name: String = r.try_get_by_index(0).unwrap();
        let _ = db
            .execute_unprepared(&format!(
                "ALTER DATABASE \"{name}\" WITH IS_TEMPLATE false ALLOW_CONNECTIONS true"
            ))
            .await;
        let _ = db
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
    let _ = db.close().await;
}

/// Posts credentials to a login route, expects 200 and returns the session token.
async fn sign_in(req: RequestBuilder, email: &str, password: &str) -> String {
    let (s, v) =
        json(with_body(req, Some(json!({"email": email, "password": password}))).await).await;
    assert_eq!(s, StatusCode::OK, "{email}: {v}");
    v["token"].as_str().unwrap().to_owned()
}

/// Sends a request with an optional JSON body.
async fn with_body(req: RequestBuilder, body: Option<Value>) -> reqwest::Response {
    match body {
        Some(b) => req.json(&b),
        None => req,
    }
    .send()
    .await
    .unwrap()
}

/// The body of a response as JSON, with its status.
pub async fn json(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, v)
}

/// The string field `key` of every element of a JSON array, in order.
pub fn strs<'a>(list: &'a Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap())
        .collect()
}

/// Counts rows of a table whose `name` column equals `value`, directly in a database.
pub async fn count_named(db: &TenantConnection, table: &str, value: &str) -> i64 {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!("SELECT count(*) FROM {table} WHERE name = $1"),
        _ => format!("SELECT count(*) FROM {table} WHERE name = ?"),
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [value.into()]))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Open connections to one tenant's database as the server sees them (PostgreSQL), or as
/// the registry counts them (SQLite).
pub async fn server_side_connections(app: &TestApp, company: &str) -> i64 {
    match &app.backend {
        Backend::Postgres(_) => {
            let name = app.managed_db_name(company);
            app.pg_scalar(&format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'"
            ))
            .await
        }
        Backend::Sqlite => app.sqlite_connections(),
    }
}

/// Polls `f` until it returns true, for at most five seconds.
pub async fn eventually<F, Fut>(mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

impl TestApp {
    /// A session for a company user, written straight into the company's database (as a login
    /// would), so that tables of calls need not pay for a password hash each.
    pub async fn session_for(&self, company_id: &str, user_id: &str) -> String {
        let cid: smartdmv_domain::CompanyId = company_id.parse().unwrap();
        let tok = smartdmv_server::auth::token::new_tenant_token(cid);
        let db = self.open_tenant_db(company_id).await;
        let now = smartdmv_store::now();
        smartdmv_store::tenant::session::insert(
            &db,
            smartdmv_store::tenant::session::Model {
                id: uuid::Uuid::now_v7().into(),
                user_id: user_id.parse().unwrap(),
                token_hash: smartdmv_server::auth::token::hash(&tok),
                created_at: now,
                expires_at: now + jiff::SignedDuration::from_hours(1),
                revoked_at: None,
                impersonator: None,
                read_only: false,
            },
        )
        .await
        .unwrap();
        let _ = db.close().await;
        tok
    }
}

/// A digest of every row of every table of a tenant database, to prove nothing changed.
pub async fn database_digest(db: &TenantConnection) -> String {
    let backend = db.get_database_backend();
    let tables = [
        "practices",
        "users",
        "sessions",
        "audit_log",
        "roles",
        "user_roles",
        "user_practices",
        "permission_overrides",
        "tenant_migrations",
        "appointment_types",
        "rooms",
        "appointments",
        "clients",
        "client_contacts",
        "patients",
        "patient_owners",
        "patient_weights",
        "custom_species",
        "custom_breeds",
    ];
    let mut out = String::new();
    for t in tables {
        let sql = match backend {
            DbBackend::Postgres => format!(
                "SELECT count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {t} x"
            ),
            _ => {
                let cols = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("PRAGMA table_info({t})"),
                    ))
                    .await
                    .unwrap();
                let names: Vec<String> = cols
                    .iter()
                    .map(|r| r.try_get::<String>("", "name").unwrap())
                    .map(|n| format!("quote(\"{n}\")"))
                    .collect();
                format!(
                    "SELECT count(*) || ':' || coalesce(group_concat(r, '|'), '') FROM \
                     (SELECT {} AS r FROM {t} ORDER BY 1)",
                    names.join(" || ',' || ")
                )
            }
        };
        let row = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        let v: String = row.try_get_by_index(0).unwrap();
        out.push_str(&format!("{t}={v};"));
    }
    out
}
