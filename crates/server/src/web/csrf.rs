//! CSRF protection and flash messages for the HTML pages.
//!
//! Every form carries a `_csrf` field that must equal the `smartdmv_csrf` cookie (a random
//! value set on the first page a browser loads: the double-submit pattern), and a
//! state-changing request must also come from the same origin (`Sec-Fetch-Site`/`Origin`).
//! A cross-site page can neither read the cookie nor set it on our host, so it cannot forge
//! the field. Flash messages ride a short cookie from a redirect to the next page.

use axum::extract::{FromRequest, Request};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;

use super::error::WebError;
use crate::auth::token;
use crate::state::AppState;

pub const CSRF_COOKIE: &str = "smartdmv_csrf";
pub const FLASH_COOKIE: &str = "smartdmv_flash";

/// The CSRF token of this request, for the forms a page renders.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The flash message a redirect left for this page, if any.
#[derive(Clone, Debug, Default)]
pub struct FlashIn(pub Option<Flash>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    /// `success`, `error` or `info` (a CSS class).
    pub kind: &'static str,
    pub message: String,
}

impl Flash {
    pub fn success(m: impl Into<String>) -> Self {
        Self {
            kind: "success",
            message: m.into(),
        }
    }

    pub fn error(m: impl Into<String>) -> Self {
        Self {
            kind: "error",
            message: m.into(),
        }
    }

    fn encode(&self) -> String {
        format!(
            "{}.{}",
            self.kind,
            URL_SAFE_NO_PAD.encode(self.message.as_bytes())
        )
    }

    fn decode(v: &str) -> Option<Self> {
        let (kind, msg) = v.split_once('.')?;
        let kind = match kind {
            "success" => "success",
            "error" => "error",
            _ => "info",
        };
        let bytes = URL_SAFE_NO_PAD.decode(msg).ok()?;
        let message: String = String::from_utf8(bytes).ok()?.chars().take(500).collect();
        Some(Self { kind, message })
    }

    /// The `Set-Cookie` value carrying this message to the next page.
    pub fn cookie(&self, secure: bool) -> HeaderValue {
        token::set_cookie(FLASH_COOKIE, &self.encode(), 60, secure)
    }
}

pub fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Middleware of every page route: hands the CSRF token and the incoming flash to the
/// handler, sets the CSRF cookie when the browser has none, and clears a flash once a page
/// has shown it.
pub async fn layer(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let existing = cookie_value(req.headers(), CSRF_COOKIE)
        .filter(|v| {
            v.len() >= 32
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned);
    let token = existing
        .clone()
        .unwrap_or_else(|| crate::config::random_token(32));
    let flash = cookie_value(req.headers(), FLASH_COOKIE).and_then(Flash::decode);
    let had_flash = flash.is_some();
    req.extensions_mut().insert(CsrfToken(token.clone()));
    req.extensions_mut().insert(FlashIn(flash));
    let mut resp = next.run(req).await;
    let secure = state.cookie_secure();
    if existing.is_none() {
        let v = format!(
            "{CSRF_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=86400{}",
            if secure { "; Secure" } else { "" }
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    let sets_flash = resp
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(FLASH_COOKIE.as_bytes()));
    if had_flash && !sets_flash && !resp.status().is_redirection() {
        resp.headers_mut()
            .append(SET_COOKIE, token::clear_cookie(FLASH_COOKIE, secure));
    }
    resp
}

/// A form body whose `_csrf` field matched the cookie, sent from our own origin.
pub struct Form<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let cookie = CsrfCookie::of(&parts)?;
        let req = Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::BadRequest("the form could not be read".into()))?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::BadRequest("the form could not be read".into()))?;
        cookie.verify(Some(&field.csrf))?;
        let value = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| WebError::BadRequest(format!("the form is not valid: {e}")))?;
        Ok(Form(value))
    }
}

/// A `multipart/form-data` form (a file upload) sent from our own origin, with the CSRF
/// cookie to check its `_csrf` part against ([`MultipartForm::verify`]) once it is read.
pub struct MultipartForm {
    pub form: axum::extract::Multipart,
    pub cookie: CsrfCookie,
}

/// The CSRF cookie a multipart form came with.
pub struct CsrfCookie(String);

impl<S: Send + Sync> FromRequest<S> for MultipartForm {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let cookie = CsrfCookie::of(&parts)?;
        let form = axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| {
                WebError::BadRequest(format!("the upload could not be read: {}", e.body_text()))
            })?;
        Ok(Self { form, cookie })
    }
}

impl CsrfCookie {
    /// The cookie of a form sent from our own origin; a form from another site is refused.
    fn of(parts: &axum::http::request::Parts) -> Result<Self, WebError> {
        if !token::same_origin(parts) {
            return Err(WebError::Forbidden(
                "this form was sent from another site and was refused".into(),
            ));
        }
        Ok(Self(
            cookie_value(&parts.headers, CSRF_COOKIE)
                .unwrap_or_default()
                .to_owned(),
        ))
    }

    /// Refuses a form whose `_csrf` part did not match the cookie.
    pub fn verify(&self, given: Option<&str>) -> Result<(), WebError> {
        match given {
            Some(g) if !self.0.is_empty() && constant_eq(g.as_bytes(), self.0.as_bytes()) => Ok(()),
            _ => Err(WebError::Status(
                StatusCode::FORBIDDEN,
                "the form has expired or did not come from this site: reload the page and try again"
                    .into(),
            )),
        }
    }
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_survives_its_cookie() {
        let f = Flash::success("Company \"Acme\" created; ready in a moment");
        assert_eq!(Flash::decode(&f.encode()), Some(f));
        assert_eq!(Flash::decode("garbage"), None);
        assert_eq!(Flash::decode("evil.!!!"), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_eq(b"abc", b"abc"));
        assert!(!constant_eq(b"abc", b"abd"));
        assert!(!constant_eq(b"abc", b"abcd"));
        assert!(!constant_eq(b"", b"a"));
    }
}
