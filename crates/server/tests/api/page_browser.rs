//! A minimal browser for the page tests: carries cookies by hand, reads the CSRF field of
//! the last page, signs in through the /login form and sends forms as a browser would
//! (form-encoded, with the page's Origin).

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;

use crate::helpers::{PASSWORD, TestApp};

pub struct Browser<'a> {
    app: &'a TestApp,
    pub host: String,
    cookies: BTreeMap<String, String>,
    csrf: String,
}

/// A page as the browser got it.
pub struct Page {
    pub status: StatusCode,
    pub body: String,
    pub location: String,
}

impl Page {
    pub fn has(&self, text: &str) -> bool {
        self.body.contains(text)
    }
}

impl<'a> Browser<'a> {
    /// A browser on a company's host, signed out.
    pub fn new(app: &'a TestApp, subdomain: &str) -> Self {
        Self {
            app,
            host: format!("{subdomain}.localhost:{}", app.addr.port()),
            cookies: BTreeMap::new(),
            csrf: String::new(),
        }
    }

    /// Signs in through the login form; panics unless it redirects.
    pub async fn signed_in(app: &'a TestApp, subdomain: &str, email: &str) -> Self {
        let mut b = Self::new(app, subdomain);
        b.get("/login").await;
        let r = b
            .post("/login", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{email}: {}", r.body);
        assert!(b.cookies.contains_key("smartdmv_session"), "session cookie");
        b
    }

    /// The same browser pointed at another host (its cookies go along, as a stolen cookie
    /// would).
    pub fn on_host(&mut self, subdomain: &str) {
        self.host = format!("{subdomain}.localhost:{}", self.app.addr.port());
    }

    fn absorb(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all(SET_COOKIE) {
            let v = v.to_str().unwrap_or_default();
            let Some((name, rest)) = v.split_once('=') else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or_default();
            if value.is_empty() || v.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let r = req
            .header("host", &self.host)
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.absorb(&r);
        let status = r.status();
        let location = r
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = r.text().await.unwrap();
        if let Some(t) = csrf_of(&body) {
            self.csrf = t;
        }
        Page {
            status,
            body,
            location,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let url = format!("http://{}{path}", self.app.addr);
        let req = self.app.client.request(Method::GET, url);
        self.send(req).await
    }

    /// Sends a form with the CSRF field of the last page that had one.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let url = format!("http://{}{path}", self.app.addr);
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        all.push(("_csrf", &csrf));
        let body = serde_urlencoded::to_string(&all).unwrap();
        let req = self
            .app
            .client
            .request(Method::POST, url)
            .header("origin", format!("http://{}", self.host))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(req).await
    }
}

fn csrf_of(body: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

/// The id at the end of a redirect such as `/practice/clients/<id>`.
pub fn last_segment(location: &str) -> String {
    location
        .split('?')
        .next()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}
