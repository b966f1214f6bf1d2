//! A browser-like client for the HTML pages: it keeps each host's cookies, sends forms with
//! their CSRF field and the page's origin, and does not follow redirects (tests read them).

use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;

use crate::helpers::TestApp;

/// One signed-in (or signed-out) browser on one host.
pub struct WebSession<'a> {
    app: &'a TestApp,
    host: String,
    cookies: BTreeMap<String, String>,
}

/// A page answer: status, `Location` of a redirect (empty when none), and the body.
#[derive(Debug)]
pub struct PageResp {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl PageResp {
    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }

    /// Asserts a refused form: 422, with the API's error shown beside `field`.
    pub fn assert_field_error(&self, field: &str) {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            self.body
        );
        assert!(
            self.has(&format!("id=\"f-{field}-error\"")),
            "{field}: {}",
            self.body
        );
    }
}

/// A filled-in booking form, as staff and clients post it: pet, practice, date, appointment
/// type, time and reason.
pub fn booking_form<'a>(
    pet: &'a str,
    practice: &'a str,
    date: &'a str,
    type_id: &'a str,
    time: &'a str,
    reason: &'a str,
) -> [(&'static str, &'a str); 6] {
    [
        ("petId", pet),
        ("practiceId", practice),
        ("date", date),
        ("typeId", type_id),
        ("time", time),
        ("reason", reason),
    ]
}

/// The id at the end of a redirect such as `/practice/clients/<id>`.
pub fn last_segment(location: &str) -> String {
    let path = location.split('?').next().unwrap_or_default();
    path.rsplit('/').next().unwrap_or_default().to_owned()
}

impl<'a> WebSession<'a> {
    /// A browser on the platform host (`localhost`).
    pub fn platform(app: &'a TestApp) -> Self {
        Self::on(app, "localhost")
    }

    /// A browser on a company's host.
    pub fn company(app: &'a TestApp, subdomain: &str) -> Self {
        Self::on(app, &format!("{subdomain}.localhost"))
    }

    /// A browser on a company's host, signed in as `email` (with the tests' password).
    pub async fn signed_in(app: &'a TestApp, subdomain: &str, email: &str) -> Self {
        let mut web = Self::company(app, subdomain);
        web.sign_in(email, crate::helpers::PASSWORD).await;
        assert!(
            web.has_cookie("smartdmv_session"),
            "session cookie of {email}"
        );
        web
    }

    /// The same cookies sent to another company's host (as a stolen cookie would be).
    pub fn on_host(&mut self, subdomain: &str) {
        self.host = format!("{subdomain}.localhost:{}", self.app.addr.port());
    }

    fn on(app: &'a TestApp, host: &str) -> Self {
        Self {
            app,
            host: format!("{host}:{}", app.addr.port()),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> PageResp {
        let origin = format!("http://{}", self.host);
        self.send_from(method, path, form, &origin).await
    }

    async fn send_from(
        &mut self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        origin: &str,
    ) -> PageResp {
        let body = form.map(|fields| {
            (
                "application/x-www-form-urlencoded".to_owned(),
                encode(fields).into_bytes(),
            )
        });
        self.send_body(method, path, body, origin).await
    }

    /// Sends `body` (content type, bytes) as a form of `origin` would.
    async fn send_body(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(String, Vec<u8>)>,
        origin: &str,
    ) -> PageResp {
        let mut req = self.app.host(&self.host, method, path);
        if !self.cookies.is_empty() {
            req = req.header("cookie", self.cookie_header());
        }
        if let Some((ctype, bytes)) = body {
            req = req
                .header("origin", origin)
                .header("content-type", ctype)
                .body(bytes);
        }
        let r = req.send().await.unwrap();
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let body = r.text().await.unwrap();
        PageResp {
            status,
            location,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> PageResp {
        self.send(Method::GET, path, None).await
    }

    /// Posts a form, adding the CSRF field (loading a page first when no cookie is held).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> PageResp {
        if !self.cookies.contains_key("smartdmv_csrf") {
            self.get("/login").await;
        }
        let csrf = self.cookies["smartdmv_csrf"].clone();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.send(Method::POST, path, Some(&all)).await
    }

    /// Posts a complete form (CSRF field included) as if from a page of `origin`.
    pub async fn post_from(
        &mut self,
        origin: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> PageResp {
        let csrf = self
            .cookies
            .get("smartdmv_csrf")
            .cloned()
            .unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.send_from(Method::POST, path, Some(&all), origin).await
    }

    /// Posts a form without its CSRF field, as a forged cross-site form would arrive.
    /// Posts a `multipart/form-data` body (content type, bytes) from this host's origin, as
    /// it is: the caller puts in the `_csrf` part or leaves it out.
    pub async fn post_multipart(&mut self, path: &str, body: (String, Vec<u8>)) -> PageResp {
        let origin = format!("http://{}", self.host);
        self.send_body(Method::POST, path, Some(body), &origin)
            .await
    }

    /// The CSRF cookie's value (empty before a page set it).
    pub fn csrf(&self) -> String {
        self.cookies
            .get("smartdmv_csrf")
            .cloned()
            .unwrap_or_default()
    }

    pub async fn post_without_csrf(&mut self, path: &str, fields: &[(&str, &str)]) -> PageResp {
        self.send(Method::POST, path, Some(fields)).await
    }

    /// Follows a redirect answer and returns the page it leads to.
    pub async fn follow(&mut self, r: PageResp) -> PageResp {
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        self.get(&r.location).await
    }

    /// Signs in through the /login form and asserts the redirect.
    pub async fn sign_in(&mut self, email: &str, password: &str) {
        let r = self
            .post("/login", &[("email", email), ("password", password)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in of {email}: {}",
            r.body
        );
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }
}

fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
