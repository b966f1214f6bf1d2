//! The `smartdmv serve` child process and the owner API calls the benchmark makes.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `smartdmv` executable next to this one (both are built by
/// `cargo build --release -p smartdmv-server -p smartdmv-bench --bins`).
pub fn locate_binary() -> Result<PathBuf> {
    let me = std::env::current_exe().context("current_exe")?;
    let dir = me.parent().context("the bench executable has no folder")?;
    let bin = dir.join(format!("smartdmv{}", std::env::consts::EXE_SUFFIX));
    if !bin.is_file() {
        bail!(
            "{} not found; build both binaries with `cargo build --release -j2 -p smartdmv-server -p smartdmv-bench --bins`",
            bin.display()
        );
    }
    Ok(bin)
}

/// `bytes` random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// A free TCP port on 127.0.0.1 (bound and released; a small race is acceptable here).
fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("bind 127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// Where the server keeps tenants, and with which limits.
pub struct ServerSpec<'a> {
    pub bin: &'a Path,
    pub data_dir: &'a Path,
    /// PostgreSQL server URL (no database) and database prefix.
    pub pg: Option<(&'a str, &'a str)>,
    pub pg_budget: usize,
}

/// A company created by the benchmark.
#[derive(Clone, Debug)]
pub struct Company {
    pub subdomain: String,
    /// Database name on PostgreSQL, file name under `tenants/` on SQLite.
    pub db_name: String,
}

/// The registry's counters, as `GET /api/owner/metrics` shows them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Metrics {
    pub live_pools: u64,
    pub connections: HashMap<String, u64>,
    pub budgets: HashMap<String, u64>,
    pub hits: u64,
    pub opens: u64,
    pub open_failures: u64,
    pub open_micros_total: u64,
    pub waits: u64,
    pub wait_timeouts: u64,
    pub evictions: u64,
    pub idle_closes: u64,
    pub lifetime_closes: u64,
    pub discards: u64,
}

/// The running server. Dropping it stops the process.
pub struct Server {
    child: Option<Child>,
    pub pid: u32,
    pub port: u16,
    token: String,
    client: reqwest::Client,
    pub log: PathBuf,
}

/// A `smartdmv` command with the benchmark's configuration and nothing from the caller's
/// SmartDMV environment.
fn smartdmv(spec: &ServerSpec<'_>, port: u16, token: &str, secret: &str) -> Command {
    let mut cmd = Command::new(spec.bin);
    // No smartdmv.toml is read from the repository: the folder is the temp dir.
    cmd.current_dir(spec.data_dir);
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        let plain = [
            "DATABASE_URL",
            "OWNER_DATABASE_URL",
            "TENANT_DATABASE_SERVER",
            "BASE_DOMAIN",
            "OWNER_HOST",
            "DATA_DIR",
        ];
        if k.starts_with("SMARTDMV_") || plain.contains(&k.as_str()) {
            cmd.env_remove(&k);
        }
    }
    cmd.env("DATA_DIR", spec.data_dir)
        .env("BASE_DOMAIN", "localhost")
        // Builds with the operator token read it; later builds ignore it.
        .env("SMARTDMV_OPERATOR_TOKEN", token)
        .env("SMARTDMV_SECRET_KEY", secret)
        .env("SMARTDMV_LISTEN", format!("127.0.0.1:{port}"))
        .env("SMARTDMV_PG_CONNECTION_BUDGET", spec.pg_budget.to_string())
        .env("RUST_LOG", "warn");
    if let Some((url, prefix)) = spec.pg {
        // Keep any query string (`?sslmode=...`) on the owner URL too.
        let (base, query) = url
            .split_once('?')
            .map_or((url, String::new()), |(b, q)| (b, format!("?{q}")));
        let base = base.trim_end_matches('/');
        cmd.env("OWNER_DATABASE_URL", format!("{base}/{prefix}owner{query}"))
            .env("TENANT_DATABASE_SERVER", url)
            .env("SMARTDMV_TENANT_DB_PREFIX", prefix);
    }
    cmd
}

impl Server {
    pub async fn start(spec: &ServerSpec<'_>) -> Result<Self> {
        Self::start_with_env(spec, &[]).await
    }

    /// Starts the server with extra environment variables (e.g. a setting one scenario
    /// changes).
    pub async fn start_with_env(spec: &ServerSpec<'_>, env: &[(&str, String)]) -> Result<Self> {
        let port = free_port()?;
        let token = random_hex(24);
        let secret = random_hex(32);
        let log = spec.data_dir.join("server.log");
        let out = std::fs::File::create(&log).context("create server.log")?;
        let mut cmd = smartdmv(spec, port, &token, &secret);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone()?))
            .stderr(Stdio::from(out))
            .spawn()
            .with_context(|| format!("spawn {}", spec.bin.display()))?;
        let pid = child.id();
        let client = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(120))
            .build()?;
        let mut server = Server {
            child: Some(child),
            pid,
            port,
            token,
            client,
            log,
        };
        server.wait_ready().await?;
        server.sign_in(spec, &secret).await?;
        Ok(server)
    }

    /// Builds with platform users (`smartdmv owner create-user`): creates an OWNER and signs
    /// in, using the session token from then on. Older builds have no such command and
    /// take the operator token instead.
    async fn sign_in(&mut self, spec: &ServerSpec<'_>, secret: &str) -> Result<()> {
        use std::io::Write;
        let email = "bench-owner@bench.example";
        let password = format!("Bench-{}", random_hex(20));
        let mut child = smartdmv(spec, self.port, &self.token, secret)
            .args(["owner", "create-user", "--email", email, "--role", "OWNER"])
            .args(["--name", "Benchmark owner", "--password", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("run smartdmv owner create-user")?;
        if let Some(mut stdin) = child.stdin.take() {
            writeln!(stdin, "{password}")?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            if err.contains("unrecognized subcommand") {
                return Ok(());
            }
            bail!("smartdmv owner create-user failed: {err}");
        }
        let r = self
            .client
            .post(self.url("/api/owner/auth/login"))
            .header("host", self.platform_host())
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?;
        let status = r.status();
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        match body["token"].as_str() {
            Some(t) if status.is_success() => {
                self.token = t.to_owned();
                Ok(())
            }
            _ => bail!("POST /api/owner/auth/login: HTTP {status}: {body}"),
        }
    }

    async fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("server exited with {status}: {}", self.log_tail(20));
            }
            let r = self
                .client
                .get(self.url("/readyz"))
                .header("host", self.platform_host())
                .send()
                .await;
            if r.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("server not ready after 90 s: {}", self.log_tail(20))
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn platform_host(&self) -> String {
        format!("localhost:{}", self.port)
    }

    pub fn tenant_host(&self, subdomain: &str) -> String {
        format!("{subdomain}.localhost:{}", self.port)
    }

    /// `POST /api/owner/companies`; the round trip time of a 201.
    pub async fn create_company(&self, index: usize) -> Result<(Duration, Company)> {
        let subdomain = format!("bench-{index:05}");
        let body = json!({
            "name": format!("Bench practice {index}"),
            "subdomain": subdomain,
            "contactEmail": format!("office@{subdomain}.example"),
        });
        self.post_company(&subdomain, &body).await
    }

    /// `POST /api/owner/companies` with a first administrator (one password hash).
    pub async fn create_company_with_admin(
        &self,
        subdomain: &str,
        email: &str,
        password: &str,
    ) -> Result<Company> {
        let body = json!({
            "name": format!("Bench {subdomain}"),
            "subdomain": subdomain,
            "contactEmail": format!("office@{subdomain}.example"),
            "admin": {"email": email, "name": "Bench Admin", "password": password},
        });
        Ok(self.post_company(subdomain, &body).await?.1)
    }

    /// Posts one company; the round trip time of the 201 and the company it made.
    async fn post_company(
        &self,
        subdomain: &str,
        body: &serde_json::Value,
    ) -> Result<(Duration, Company)> {
        let started = Instant::now();
        let r = self
            .client
            .post(self.url("/api/owner/companies"))
            .header("host", self.platform_host())
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        let status = r.status();
        let text = r.text().await?;
        let took = started.elapsed();
        if status != reqwest::StatusCode::CREATED {
            bail!("creating {subdomain}: HTTP {status}: {text}");
        }
        let v: serde_json::Value = serde_json::from_str(&text)?;
        let db_name = v["database"]["name"]
            .as_str()
            .context("201 without database.name")?
            .to_owned();
        Ok((
            took,
            Company {
                subdomain: subdomain.to_owned(),
                db_name,
            },
        ))
    }

    /// `POST /api/auth/login` on a company's host; the session token.
    pub async fn tenant_login(
        &self,
        subdomain: &str,
        email: &str,
        password: &str,
    ) -> Result<String> {
        let r = self
            .client
            .post(self.url("/api/auth/login"))
            .header("host", self.tenant_host(subdomain))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?;
        let status = r.status();
        let v: serde_json::Value = r.json().await.unwrap_or_default();
        match v["token"].as_str() {
            Some(t) if status.is_success() => Ok(t.to_owned()),
            _ => bail!("POST /api/auth/login on {subdomain}: HTTP {status}: {v}"),
        }
    }

    pub async fn metrics(&self) -> Result<Metrics> {
        let r = self
            .client
            .get(self.url("/api/owner/metrics"))
            .header("host", self.platform_host())
            .bearer_auth(&self.token)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("GET /api/owner/metrics: HTTP {}", r.status());
        }
        Ok(r.json().await?)
    }

    pub fn rss_kib(&self) -> Option<u64> {
        crate::sys::rss_kib(self.pid)
    }

    /// The last `n` lines of the server's log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    /// Log lines at WARN or ERROR level, with up to `keep` distinct examples.
    pub fn log_warnings(&self, keep: usize) -> (usize, Vec<String>) {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut n = 0;
        let mut examples: Vec<String> = Vec::new();
        for l in text
            .lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
        {
            n += 1;
            let l = strip_ansi(l);
            // Drop the timestamp so that repeats of one message are recognised.
            let msg: String = l
                .split_once(' ')
                .map_or(l.as_str(), |(_, m)| m)
                .chars()
                .take(300)
                .collect();
            if examples.len() < keep && !examples.contains(&msg) {
                examples.push(msg);
            }
        }
        (n, examples)
    }

    /// SIGTERM, up to 15 s for a graceful exit, then SIGKILL.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The text without terminal colour sequences (`ESC [ ... letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A temporary folder removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "smartdmv-bench-{tag}-{:016x}",
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One signed-in call to a company's API: `body` as JSON when given, the answer's JSON back,
/// and an error naming the route for any status other than 2xx.
pub async fn tenant_call(
    client: &reqwest::Client,
    url: String,
    host: &reqwest::header::HeaderValue,
    token: &reqwest::header::HeaderValue,
    m: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> Result<serde_json::Value> {
    let mut r = client
        .request(m.clone(), url)
        .header(reqwest::header::HOST, host.clone())
        .header(reqwest::header::AUTHORIZATION, token.clone());
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await?;
    let status = r.status();
    let v: serde_json::Value = r.json().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{m} {path}: HTTP {status}: {v}");
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    #[test]
    fn colour_codes_are_removed() {
        let line = "\u{1b}[33m WARN\u{1b}[0m \u{1b}[2msqlx::query\u{1b}[0m slow";
        assert_eq!(super::strip_ansi(line), " WARN sqlx::query slow");
    }
}
