//! Signing in and out of both hosts, the start page that sends each user to their area,
//! and changing one's password. On a company host the forms call the account service and
//! the sign-in edge the API calls too, so the pages and the API share every rule
//! (throttling, audit, session cookies); on the platform host, the platform users' service
//! and its sign-in edge.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use smartdmv_practice::account;

use super::chrome::{Area, Chrome, PageCtx};
use super::csrf::{Flash, Form};
use super::error::{WebError, WebResult};
use super::session::{PlatformUser, landing, platform_landing, tenant_user};
use super::{FormErrors, html};
use crate::auth::owner as platform_signin;
use crate::auth::signin::{clear_session_cookie, session_cookie, sign_in};
use crate::error::ApiResult;
use crate::extract::{ClientIp, Tenant, resolve_company};
use crate::state::AppState;
use crate::web::{form_result, rerender};
use smartdmv_platform::service::platform_users;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    heading: &'static str,
    company: Option<String>,
    email: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path on this host may follow a sign-in (never `//evil` or an absolute URL).
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(str::to_owned)
}

async fn login_page(
    state: &AppState,
    ctx: &PageCtx,
    headers: &HeaderMap,
    email: String,
    next: String,
    errors: FormErrors,
) -> WebResult<LoginPage> {
    let mut chrome = Chrome::new(ctx, Area::Public, "Sign in");
    let platform = state.is_platform_host(headers.get("host").and_then(|v| v.to_str().ok()));
    let (heading, company) = if platform {
        chrome.app_name = "SmartDMV Platform".into();
        ("Platform sign in", None)
    } else {
        let mut parts = axum::http::Request::new(());
        *parts.headers_mut() = headers.clone();
        let (parts, ()) = parts.into_parts();
        let c = resolve_company(&parts, state).await?;
        chrome.app_name = c.name.clone();
        ("Sign in", Some(c.name.clone()))
    };
    Ok(LoginPage {
        chrome,
        heading,
        company,
        email,
        next,
        errors,
    })
}

/// `GET /login`
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> WebResult<Response> {
    let next = safe_next(q.next.as_deref()).unwrap_or_default();
    let page = login_page(
        &state,
        &ctx,
        &headers,
        String::new(),
        next,
        FormErrors::default(),
    )
    .await?;
    html(&page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// A redirect that sets the given cookies.
pub(super) fn redirect_setting(
    cookies: impl IntoIterator<Item = HeaderValue>,
    to: &str,
) -> Response {
    let mut resp = Redirect::to(to).into_response();
    for v in cookies {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

/// `POST /login`: the platform host signs in platform users, a company host its users.
pub async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    let platform = state.is_platform_host(headers.get("host").and_then(|v| v.to_str().ok()));
    let result: ApiResult<Vec<HeaderValue>> = if platform {
        let ClientIp(ip) = ip;
        platform_signin::sign_in(&state, ip, &form.email, form.password)
            .await
            .map(|s| vec![platform_signin::session_cookie(&state, &s.token)])
    } else {
        let mut req = axum::http::Request::new(());
        *req.headers_mut() = headers.clone();
        let (parts, ()) = req.into_parts();
        let company = resolve_company(&parts, &state).await?;
        let tenant = Tenant::acquire(&state.platform.registry, company).await?;
        let ClientIp(ip) = ip;
        sign_in(&state, ip, &tenant, &form.email, form.password)
            .await
            .map(|s| vec![session_cookie(&state, &s.token)])
    };
    match form_result(result)? {
        Ok(cookies) => {
            // The start page knows each role's area; `next` wins when it was given.
            let to = safe_next(Some(&form.next)).unwrap_or_else(|| "/".into());
            Ok(redirect_setting(cookies, &to))
        }
        Err(e) => {
            rerender(e, async |errors| {
                let page =
                    login_page(&state, &ctx, &headers, form.email, form.next, errors).await?;
                html(&page)
            })
            .await
        }
    }
}

/// `POST /logout` on either host.
pub async fn logout(
    State(state): State<AppState>,
    mut parts: axum::http::request::Parts,
) -> WebResult<Response> {
    let platform = state.is_platform_host(crate::extract::header(&parts, "host"));
    // Same-origin only, like every form (a cross-site page must not sign a user out).
    if !crate::auth::token::same_origin(&parts) {
        return Err(WebError::Forbidden(
            "sign-out from another site refused".into(),
        ));
    }
    let cookies = if platform {
        use axum::extract::FromRequestParts;
        let PlatformUser(p) = PlatformUser::from_request_parts(&mut parts, &state).await?;
        platform_users::logout(&state.owner(&p)).await?;
        vec![platform_signin::clear_session_cookie(&state)]
    } else {
        let p = tenant_user(&mut parts, &state).await?;
        account::logout(&p).await?;
        vec![clear_session_cookie(&state)]
    };
    let mut out = redirect_setting(cookies, "/login");
    out.headers_mut().append(
        SET_COOKIE,
        Flash::success("You are signed out.").cookie(state.cookie_secure()),
    );
    Ok(out)
}

/// `GET /`: each user's area, or the sign-in page.
pub async fn start(
    State(state): State<AppState>,
    mut parts: axum::http::request::Parts,
) -> Response {
    use axum::extract::FromRequestParts;
    let to = if state.is_platform_host(crate::extract::header(&parts, "host")) {
        match PlatformUser::from_request_parts(&mut parts, &state).await {
            Ok(PlatformUser(p)) => platform_landing(&p),
            Err(WebError::SignIn { .. }) => "/login".into(),
            Err(e) => return e.into_response(),
        }
    } else {
        match tenant_user(&mut parts, &state).await {
            Ok(p) => landing(&p).into(),
            Err(WebError::SignIn { .. }) => "/login".into(),
            Err(e) => return e.into_response(),
        }
    };
    Redirect::to(&to).into_response()
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FormErrors,
}

fn password_chrome(ctx: &PageCtx, p: &crate::auth::TenantPrincipal) -> Chrome {
    let area = if p.is_client() {
        Area::Client
    } else {
        Area::Staff
    };
    Chrome::tenant(ctx, area, "Change password", p)
}

/// `GET /account/password`: any signed-in user, on the platform host or a company's.
pub async fn password_form(
    State(state): State<AppState>,
    ctx: PageCtx,
    mut parts: axum::http::request::Parts,
) -> WebResult<Response> {
    use axum::extract::FromRequestParts;
    let chrome = if state.is_platform_host(crate::extract::header(&parts, "host")) {
        let PlatformUser(p) = PlatformUser::from_request_parts(&mut parts, &state).await?;
        Chrome::platform(&ctx, "Change password", &p)
    } else {
        let p = tenant_user(&mut parts, &state).await?;
        password_chrome(&ctx, &p)
    };
    html(&PasswordPage {
        chrome,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default, rename = "currentPassword")]
    current_password: String,
    #[serde(default, rename = "newPassword")]
    new_password: String,
}

/// `POST /account/password`: through the API's change-password of the host's kind of user.
pub async fn password_submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    req: axum::extract::Request,
) -> WebResult<Response> {
    use axum::extract::{FromRequest, FromRequestParts};
    let (mut parts, body) = req.into_parts();
    let platform = state.is_platform_host(crate::extract::header(&parts, "host"));
    let (chrome, to, result) = if platform {
        let PlatformUser(p) = PlatformUser::from_request_parts(&mut parts, &state).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let Form(form) = Form::<PasswordForm>::from_request(req, &state).await?;
        let chrome = Chrome::platform(&ctx, "Change password", &p);
        let to = platform_landing(&p);
        let r = platform_users::change_password(
            &state.owner(&p),
            &state.password_checks,
            form.current_password,
            form.new_password,
        )
        .await
        .map_err(crate::error::ApiError::from);
        (chrome, to, r)
    } else {
        let p = tenant_user(&mut parts, &state).await?;
        let req = axum::extract::Request::from_parts(parts, body);
        let Form(form) = Form::<PasswordForm>::from_request(req, &state).await?;
        let chrome = password_chrome(&ctx, &p);
        let to = landing(&p).to_owned();
        let r = account::change_password(
            &p,
            &state.password_checks,
            form.current_password,
            form.new_password,
        )
        .await
        .map_err(Into::into);
        (chrome, to, r)
    };
    match form_result(result)? {
        Ok(_) => Ok(super::redirect_flash(
            &state,
            &to,
            Flash::success("Your password was changed."),
        )),
        Err(e) => rerender(e, async |errors| html(&PasswordPage { chrome, errors })).await,
    }
}

#[derive(Deserialize)]
pub struct HandoffQuery {
    #[serde(default)]
    token: String,
}

/// `GET /session/handoff?token=`: the company host's end of an impersonation opened from the
/// owner dashboard. Cookies belong to one host, so the owner's page sends the new session
/// here to be set as this host's cookie. Only impersonation sessions of this company that are
/// still live are accepted (they are short-lived and audited); a user's own sessions never
/// travel in a URL.
pub async fn handoff(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HandoffQuery>,
) -> WebResult<Response> {
    let mut req = axum::http::Request::new(());
    *req.headers_mut() = headers;
    let (parts, ()) = req.into_parts();
    if state.is_platform_host(crate::extract::header(&parts, "host")) {
        return Err(WebError::NotFound);
    }
    let company = resolve_company(&parts, &state).await?;
    if crate::auth::token::token_company(&q.token) != Some(company.id) {
        return Err(WebError::Forbidden(
            "this session belongs to another company".into(),
        ));
    }
    let tenant = Tenant::acquire(&state.platform.registry, company).await?;
    let now = smartdmv_store::now();
    let session = smartdmv_store::tenant::session::find_live(
        tenant.db(),
        &crate::auth::token::hash(&q.token),
        now,
    )
    .await
    .map_err(|e| tenant.db_error(e))?
    .filter(|s| s.impersonator.is_some())
    .ok_or_else(|| {
        WebError::Status(
            axum::http::StatusCode::UNAUTHORIZED,
            "the impersonation session has expired or is not valid".into(),
        )
    })?;
    let secs = (session.expires_at - now).as_secs().max(1);
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        SET_COOKIE,
        crate::auth::token::set_cookie(
            crate::auth::token::TENANT_COOKIE,
            &q.token,
            secs,
            state.cookie_secure(),
        ),
    );
    Ok(resp)
}
