//! Session tokens: random secrets handed to the client once; only their SHA-256 is stored.
//! A company session token names its company (`t.<company>.<secret>`), so a token presented
//! to another company is refused before that company's database is touched.

use axum::http::HeaderValue;
use axum::http::request::Parts;
use smartdmv_domain::CompanyId;

/// Cookie of company sessions (host-only, so never shared across company subdomains).
pub const TENANT_COOKIE: &str = "smartdmv_session";
/// Cookie of platform sessions.
pub const OWNER_COOKIE: &str = "smartdmv_owner_session";

/// SHA-256 of a token, hex.
pub use smartdmv_practice::account::token_hash as hash;

/// A new company session token.
pub use smartdmv_practice::account::new_session_token as new_tenant_token;

/// A new platform session token.
pub use smartdmv_platform::service::platform_users::new_session_token as new_owner_token;

/// The company a tenant token names, if it is shaped like one.
pub fn token_company(token: &str) -> Option<CompanyId> {
    let rest = token.strip_prefix("t.")?;
    let (company, _) = rest.split_once('.')?;
    uuid::Uuid::try_parse(company).ok().map(CompanyId)
}

/// Where a credential came from; cookie-borne credentials need CSRF checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Bearer,
    Cookie,
}

/// The bearer token, or else the named cookie.
pub fn credential(parts: &Parts, cookie: &str) -> Option<(String, Source)> {
    if let Some(v) = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    {
        return v
            .strip_prefix("Bearer ")
            .map(|t| (t.trim().to_owned(), Source::Bearer));
    }
    parts
        .headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == cookie)
        .map(|(_, v)| (v.to_owned(), Source::Cookie))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, host-only, Secure unless served on a
/// development host.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that removes the cookie.
pub fn clear_cookie(name: &str, secure: bool) -> HeaderValue {
    set_cookie(name, "", 0, secure)
}

/// Cookie-authenticated requests that change state must come from the same origin: the
/// browser's `Sec-Fetch-Site` or `Origin` must say so. Requests with a bearer token are not
/// subject to it (browsers never attach those on their own).
pub fn same_origin(parts: &Parts) -> bool {
    if parts.method.is_safe() {
        return true;
    }
    if let Some(site) = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        return site == "same-origin" || site == "none";
    }
    let host = parts.headers.get("host").and_then(|v| v.to_str().ok());
    match (
        parts.headers.get("origin").and_then(|v| v.to_str().ok()),
        host,
    ) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, h)| h.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_tokens_name_their_company() {
        let c = CompanyId::new();
        let t = new_tenant_token(c);
        assert_eq!(token_company(&t), Some(c));
        assert_eq!(token_company(&new_owner_token()), None);
        assert_eq!(token_company("t.nonsense.x"), None);
        assert_ne!(hash(&t), hash(&new_tenant_token(c)));
        assert_eq!(hash("a").len(), 64);
    }
}
