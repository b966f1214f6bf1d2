//! A small W3C WebDriver client over reqwest, driving Debian's chromium through
//! chromedriver (both installed by `.ci/run`). It speaks the few commands the browser tests
//! need: navigate, find, click, type, read, run a script, screenshot.

use base64::Engine;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless chromium session with its own chromedriver process.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    driver: Child,
}

fn chromedriver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(str::to_owned)
}

impl Browser {
    /// Starts chromedriver and a browser session; `None` when the browser is not installed
    /// and `SMARTDMV_TEST_REQUIRE_BROWSER` is not set (CI sets it: there a missing browser
    /// fails the test).
    pub async fn start() -> Option<Browser> {
        let Some(driver_bin) = chromedriver() else {
            assert!(
                std::env::var("SMARTDMV_TEST_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "SMARTDMV_TEST_REQUIRE_BROWSER=1 but chromedriver is not installed"
            );
            eprintln!("browser half not run: chromedriver is not installed");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(90))
            .build()
            .unwrap();
        let root = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..100 {
            if let Ok(r) = http.get(format!("{root}/status")).send().await
                && r.status().is_success()
            {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not start");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-background-networking", "--disable-dev-shm-usage",
                         "--window-size=1280,900"]
            }
        }}});
        let r: Value = http
            .post(format!("{root}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {r}"))
            .to_owned();
        Some(Browser {
            http,
            base: format!("{root}/session/{session}"),
            driver,
        })
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        req = req.json(&body.unwrap_or_else(|| json!({})));
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("webdriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        let v: Value = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("webdriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.post("/url", json!({"url": url})).await;
    }

    pub async fn url(&self) -> String {
        self.get("/url")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn title(&self) -> String {
        self.get("/title")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.get("/source")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching a CSS selector (panics when there is none).
    pub async fn find(&self, css: &str) -> String {
        let v = self
            .post("/element", json!({"using": "css selector", "value": css}))
            .await;
        v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_owned()
    }

    pub async fn find_all(&self, css: &str) -> Vec<String> {
        let v = self
            .post("/elements", json!({"using": "css selector", "value": css}))
            .await;
        v.as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e[ELEMENT_KEY].as_str().map(str::to_owned))
            .collect()
    }

    pub async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        self.get(&format!("/element/{el}/text"))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn attr(&self, el: &str, name: &str) -> Option<String> {
        self.get(&format!("/element/{el}/property/{name}"))
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// Clears a field and types into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{el}/clear"), json!({})).await;
        self.post(&format!("/element/{el}/value"), json!({"text": text}))
            .await;
    }

    /// Chooses a file for an `<input type=file>` (the path must exist on this machine).
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let el = self.find(css).await;
        self.post(
            &format!("/element/{el}/value"),
            json!({"text": path.display().to_string()}),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{el}/click"), json!({})).await;
    }

    /// Every link's absolute address on the page.
    pub async fn links(&self) -> Vec<String> {
        let mut out = Vec::new();
        for el in self.find_all("a[href]").await {
            if let Some(h) = self.attr(&el, "href").await {
                out.push(h);
            }
        }
        out
    }

    /// Adds a cookie for the current page's host.
    pub async fn add_cookie(&self, name: &str, value: &str) {
        self.post("/cookie", json!({"cookie": {"name": name, "value": value}}))
            .await;
    }

    pub async fn cookie(&self, name: &str) -> Option<String> {
        let v: Value = self
            .http
            .get(format!("{}/cookie/{name}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["value"]["value"].as_str().map(str::to_owned)
    }

    /// Saves a PNG of the viewport under `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        let b64 = self.get("/screenshot").await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Waits until the page's text contains `needle`, reloading in between (pages that
    /// follow a process refresh themselves, but a reload keeps the wait bounded).
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> bool {
        for _ in 0..50 {
            if !self.find_all(css).await.is_empty() && self.text(css).await.contains(needle) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }

    /// Waits (a bounded poll, not a timing assertion) until an element matching `css` is on
    /// the page: a form's answer may still be loading when the click returns.
    pub async fn wait_for(&self, css: &str) -> bool {
        for _ in 0..100 {
            if !self.find_all(css).await.is_empty() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        false
    }

    /// Waits until the address contains `part`; answers the address.
    pub async fn wait_url(&self, part: &str) -> String {
        let mut url = String::new();
        for _ in 0..100 {
            url = self.url().await;
            if url.contains(part) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        url
    }

    pub async fn quit(mut self) {
        let _ = self.http.delete(self.base.clone()).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
