//! Self-service sign-up through the pages: the form on the platform host (`/signup`), the
//! company host's landing that redeems the sign-up's one-time hand-off into a session
//! (`/signup/welcome`), and the email verification page (`/signup/verify`), whose link the
//! verification message carries. Every step calls the sign-up service (through the edge the
//! JSON API shares: `crate::auth::signup`), so throttling, validation, tokens and audit are
//! the API's.

use askama::Template;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use smartdmv_platform::service::signup as svc;
use smartdmv_platform::signup::Signup;

use super::chrome::{Area, Chrome, PageCtx};
use super::csrf::{Flash, Form};
use super::display::money;
use super::error::{WebError, WebResult};
use super::login::redirect_setting;
use super::{FormErrors, form_result, html, url_encode, with_status};
use crate::auth::signin::session_cookie;
use crate::extract::{ClientIp, Tenant, resolve_company};
use crate::state::AppState;

/// Where a new administrator lands after the hand-off.
const LANDING: &str = "/administrator";

/// A request to the platform host; any other host answers 404 (sign-up lives there only).
pub struct PlatformHost;

impl FromRequestParts<AppState> for PlatformHost {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, WebError> {
        if s.is_platform_host(crate::extract::header(parts, "host")) {
            Ok(PlatformHost)
        } else {
            Err(WebError::NotFound)
        }
    }
}

/// A plan a visitor may choose.
struct PlanChoice {
    id: String,
    label: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignupForm {
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    subdomain: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    plan: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    plans: Vec<PlanChoice>,
    /// The form as sent, its password always empty.
    form: SignupForm,
    /// What a subdomain is, with an example of a company's address.
    subdomain_hint: String,
    errors: FormErrors,
}

async fn plan_choices(s: &AppState) -> WebResult<Vec<PlanChoice>> {
    let plans = svc::plans(&s.platform).await?;
    Ok(plans
        .into_iter()
        .map(|p| PlanChoice {
            label: format!(
                "{}: {} a {}",
                p.name,
                money(p.price_cents, &p.currency),
                p.per
            ),
            id: p.id,
        })
        .collect())
}

/// The sign-up page, allowed to send its form's answer on to a company's host: a sign-up
/// redirects there, which `form-action 'self'` alone would block.
async fn signup_page(
    s: &AppState,
    ctx: &PageCtx,
    form: SignupForm,
    errors: FormErrors,
) -> WebResult<Response> {
    let mut chrome = Chrome::new(ctx, Area::Public, "Start a free trial");
    chrome.app_name = "SmartDMV".into();
    let mut resp = html(&SignupPage {
        chrome,
        plans: plan_choices(s).await?,
        form: SignupForm {
            password: String::new(),
            ..form
        },
        subdomain_hint: format!(
            "Lower-case letters, digits and hyphens: your address will be like {}.",
            s.company_url("your-practice")
        ),
        errors,
    })?;
    let csp = format!(
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self' {}",
        s.company_url("*")
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert("content-security-policy", v);
    }
    Ok(resp)
}

#[derive(Deserialize)]
pub struct PlanQuery {
    plan: Option<String>,
}

/// `GET /signup` (platform host): `?plan=` preselects a plan.
pub async fn show(
    State(s): State<AppState>,
    ctx: PageCtx,
    _: PlatformHost,
    Query(q): Query<PlanQuery>,
) -> WebResult<Response> {
    let form = SignupForm {
        plan: q.plan.unwrap_or_default(),
        ..SignupForm::default()
    };
    signup_page(&s, &ctx, form, FormErrors::default()).await
}

/// `POST /signup` (platform host): the API's sign-up, then on to the new company's host,
/// where the hand-off signs the administrator in.
pub async fn submit(
    State(s): State<AppState>,
    ctx: PageCtx,
    _: PlatformHost,
    ClientIp(ip): ClientIp,
    Form(form): Form<SignupForm>,
) -> WebResult<Response> {
    let input = Signup {
        company_name: form.company_name.clone(),
        subdomain: form.subdomain.clone(),
        email: form.email.clone(),
        name: form.name.clone(),
        password: form.password.clone(),
        plan: form.plan.clone(),
    };
    match form_result(crate::auth::signup::sign_up(&s, ip, input).await)? {
        Ok(out) => {
            let to = format!(
                "{}/signup/welcome?token={}",
                out.url,
                url_encode(&out.handoff.token)
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let status = e.status;
            let retry_after = e.retry_after;
            let taken = (e.code == "subdomain_taken").then(|| e.detail.clone());
            let mut errors = FormErrors::from_api(e);
            if let Some(m) = taken {
                errors.fields.insert("subdomain".into(), m);
                errors.general = "Please correct the fields marked below.".into();
            }
            let mut resp = with_status(signup_page(&s, &ctx, form, errors).await?, status);
            if let Some(secs) = retry_after {
                resp.headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            Ok(resp)
        }
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// `GET /signup/welcome?token=` (company host): redeems the sign-up's one-time hand-off
/// (this company's tokens only, once, within minutes) and sets the
/// session cookie the way signing in does. A token that does not work here sends the
/// visitor to sign in with the password they chose.
pub async fn welcome(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<TokenQuery>,
    parts: Parts,
) -> WebResult<Response> {
    if s.is_platform_host(crate::extract::header(&parts, "host")) {
        return Err(WebError::NotFound);
    }
    let company = resolve_company(&parts, &s).await?;
    let tenant = Tenant::acquire(&s.platform.registry, company).await?;
    let secure = s.cookie_secure();
    let redeemed = crate::auth::signup::redeem_handoff(&s, ip, &tenant, &q.token).await;
    match form_result(redeemed)? {
        Ok(signed_in) => {
            let cookie = session_cookie(&s, &signed_in.token);
            let mut resp = redirect_setting([cookie], LANDING);
            let flash = Flash::success(
                "Welcome to SmartDMV: your company is ready. We sent you a link to verify \
                 your email address.",
            );
            resp.headers_mut().append(SET_COOKIE, flash.cookie(secure));
            Ok(resp)
        }
        Err(_) => {
            let mut resp = Redirect::to("/login").into_response();
            let flash = Flash::error(
                "This sign-in link has expired, was already used or is not for this company. \
                 Sign in with the email address and password you chose.",
            );
            resp.headers_mut().append(SET_COOKIE, flash.cookie(secure));
            Ok(resp)
        }
    }
}

/// What the verification page shows.
enum Verification {
    /// The link's token, waiting for the visitor's confirmation.
    Confirm(String),
    /// The address that is now verified.
    Done(String),
    Failed(String),
}

#[derive(Template)]
#[template(path = "signup_verify.html")]
struct VerifyPage {
    chrome: Chrome,
    state: Verification,
}

/// The layout of a public page on either host: the company's name on its host.
async fn public_chrome(s: &AppState, ctx: &PageCtx, parts: &Parts, title: &str) -> Chrome {
    let mut chrome = Chrome::new(ctx, Area::Public, title);
    chrome.app_name = "SmartDMV".into();
    if !s.is_platform_host(crate::extract::header(parts, "host"))
        && let Ok(c) = resolve_company(parts, s).await
    {
        chrome.app_name = c.name.clone();
    }
    chrome
}

/// `GET /signup/verify?token=` (the link of the verification message): asks to confirm, so
/// that a mail scanner fetching the link does not use the token up.
pub async fn verify_form(
    State(s): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<TokenQuery>,
    parts: Parts,
) -> WebResult<Response> {
    let chrome = public_chrome(&s, &ctx, &parts, "Verify your email address").await;
    let token = q.token.trim().to_owned();
    if token.is_empty() {
        let page = VerifyPage {
            chrome,
            state: Verification::Failed(
                "This link has no verification token: open the whole link from the email.".into(),
            ),
        };
        return Ok(with_status(html(&page)?, StatusCode::BAD_REQUEST));
    }
    html(&VerifyPage {
        chrome,
        state: Verification::Confirm(token),
    })
}

/// `POST /signup/verify`: verifies through the sign-up service and shows the outcome; an
/// unknown, used or expired token is shown with the API's status.
pub async fn verify_submit(
    State(s): State<AppState>,
    ctx: PageCtx,
    parts: Parts,
    Form(form): Form<TokenQuery>,
) -> WebResult<Response> {
    let chrome = public_chrome(&s, &ctx, &parts, "Verify your email address").await;
    let verified = svc::verify(
        &s.platform,
        Some(&form.token),
        crate::extract::header(&parts, "host"),
        crate::extract::header(&parts, "x-company-id"),
    )
    .await;
    match form_result(verified)? {
        Ok(v) => html(&VerifyPage {
            chrome,
            state: Verification::Done(v.email),
        }),
        Err(e) => {
            let status = e.status;
            let message = match e.code {
                "not_found" => "This verification link is not valid here: open the whole link \
                                from the email, on the address it names."
                    .to_owned(),
                _ => format!("{}.", capitalize(&e.detail)),
            };
            let page = VerifyPage {
                chrome,
                state: Verification::Failed(message),
            };
            Ok(with_status(html(&page)?, status))
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
