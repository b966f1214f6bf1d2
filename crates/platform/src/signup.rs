//! Self-service sign-up: a company created on a trial of a chosen plan with its first
//! administrator, the verification of the address it signed up with (a one-time token sent
//! through the email outbox), and the one-time login hand-off that lands the new
//! administrator signed in on the company's host.
//!
//! Until the address is verified the company's settings hold `signup.verifiedAt = null`;
//! the tenant API lets the administrator work but not add users (see the server's limits).

use crate::PlatformError;
use smartdmv_domain::CompanyId;
use smartdmv_store::owner::signup_token::{self, Kind};
use smartdmv_store::owner::{company, outbox};
use smartdmv_tenancy::resolve::SIGNUP_SETTINGS;

use crate::Platform;
use crate::company::{Actor, NewAdmin, NewCompany, create_with_settings};
use crate::service::rfc3339;

/// How long an email verification link works.
pub const VERIFICATION_HOURS: i64 = 72;
/// How long the login hand-off of a sign-up works.
pub const HANDOFF_MINUTES: i64 = 5;

/// What the sign-up form sends.
#[derive(Debug, Clone)]
pub struct Signup {
    pub company_name: String,
    pub subdomain: String,
    pub email: String,
    pub name: String,
    pub password: String,
    /// The id of an active plan.
    pub plan: String,
}

/// A company created by sign-up, with the one-time tokens only its caller sees.
#[derive(Debug, Clone)]
pub struct SignedUp {
    pub company: company::Model,
    /// Redeemed on the company's host to land signed in (within [`HANDOFF_MINUTES`]).
    pub handoff_token: String,
    pub handoff_expires_at: smartdmv_store::Stamp,
    /// The verification link that was queued, for a development log line; it carries a
    /// secret and goes to the address owner only.
    pub verification_link: String,
}

/// A sign-up form's fields under the names of company creation.
const FIELD_NAMES: [(&str, &str); 5] = [
    ("name", "companyName"),
    ("contactEmail", "email"),
    ("admin.email", "email"),
    ("admin.name", "name"),
    ("admin.password", "password"),
];

fn rename_fields(e: PlatformError) -> PlatformError {
    let PlatformError::Invalid(fields) = e else {
        return e;
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for (f, m) in fields {
        let f = FIELD_NAMES
            .iter()
            .find(|(from, _)| *from == f)
            .map_or(f, |(_, to)| (*to).to_owned());
        if !out.contains(&(f.clone(), m.clone())) {
            out.push((f, m));
        }
    }
    PlatformError::Invalid(out)
}

use crate::token::hash as token_hash;
use crate::token::random as new_token;

/// Creates and provisions a company on a trial of the chosen plan, its first administrator,
/// the verification message in the outbox (its link made by `verify_link` from the
/// company's subdomain and the token) and a login hand-off. Input is validated like company
/// creation, under the form's field names, before anything is written.
pub async fn sign_up(
    p: &Platform,
    form: Signup,
    ip: Option<String>,
    verify_link: impl Fn(&str, &str) -> String,
) -> Result<SignedUp, PlatformError> {
    if form.plan.trim().is_empty() {
        return Err(PlatformError::invalid("plan", "is required: choose a plan"));
    }
    let email = form.email.trim().to_ascii_lowercase();
    let actor = Actor {
        label: format!("signup:{email}"),
        ip,
    };
    let mut settings = serde_json::Map::new();
    settings.insert(
        SIGNUP_SETTINGS.into(),
        serde_json::json!({"email": email, "verifiedAt": null}),
    );
    let input = NewCompany {
        name: form.company_name,
        subdomain: form.subdomain,
        contact_email: email.clone(),
        contact_phone: None,
        database_url: None,
        plan: Some(form.plan.trim().to_owned()),
        admin: Some(NewAdmin {
            email: email.clone(),
            name: form.name,
            password: form.password,
        }),
    };
    // A company created on a plan starts its subscription on the configured trial.
    let company = create_with_settings(p, input, settings, &actor)
        .await
        .map_err(rename_fields)?;
    let id = company.id;

    let verification = new_token();
    let handoff = new_token();
    let now = smartdmv_store::now();
    let handoff_expires_at = now + jiff::SignedDuration::from_mins(HANDOFF_MINUTES);
    let link = verify_link(&company.subdomain, &verification);
    let body = format!(
        "Welcome to SmartDMV, {}.\n\nConfirm that this is your address by opening \
         this link within {VERIFICATION_HOURS} hours:\n\n{link}\n\nUntil then you can \
         work in your company, but not add users.\n",
        company.name
    );
    let plan = company.plan.clone();
    let handoff_hash = token_hash(&handoff);
    let email = email.as_str();
    crate::work::write(p.owner.conn(), &actor, |w| async move {
        signup_token::insert(
            w.tx(),
            Kind::EmailVerification,
            id,
            email,
            &token_hash(&verification),
            now + jiff::SignedDuration::from_hours(VERIFICATION_HOURS),
        )
        .await?;
        outbox::enqueue(
            w.tx(),
            outbox::Message {
                company: Some(id),
                kind: "email_verification",
                to: email,
                subject: "Verify your email address for SmartDMV",
                body,
            },
        )
        .await?;
        signup_token::insert(
            w.tx(),
            Kind::LoginHandoff,
            id,
            email,
            &handoff_hash,
            handoff_expires_at,
        )
        .await?;
        w.audit(
            "company.signup",
            Some(id),
            serde_json::json!({"email": email, "plan": plan}),
        )
        .await
    })
    .await?;
    Ok(SignedUp {
        company,
        handoff_token: handoff,
        handoff_expires_at,
        verification_link: link,
    })
}

/// Marks the address of a sign-up verified. The token works once: unknown tokens (and, when
/// `on_host_of` names the company whose host the link was opened on, another company's) are
/// 404, used or expired ones 409.
pub async fn verify_email(
    p: &Platform,
    token: &str,
    on_host_of: Option<CompanyId>,
) -> Result<company::Model, PlatformError> {
    let db = p.owner.conn();
    let found = signup_token::find(db, Kind::EmailVerification, &token_hash(token.trim()))
        .await?
        .filter(|t| on_host_of.is_none_or(|c| c == t.company_id))
        .ok_or(PlatformError::NotFound("verification token"))?;
    let now = smartdmv_store::now();
    let actor = Actor::new(format!("signup:{}", found.email));
    let c = crate::work::write(db, &actor, |w| async move {
        if !signup_token::consume(w.tx(), Kind::EmailVerification, found.id, now).await? {
            let (code, message) = if found.used_at.is_some() || found.expires_at > now {
                ("token_used", "this verification link was already used")
            } else {
                (
                    "token_expired",
                    "this verification link has expired; ask for a new one",
                )
            };
            return Err(PlatformError::conflict(code, message));
        }
        let mut settings = company::get(w.tx(), found.company_id).await?.settings;
        if let Some(obj) = settings.as_object_mut() {
            obj.insert(
                SIGNUP_SETTINGS.into(),
                serde_json::json!({"email": found.email, "verifiedAt": rfc3339(now)}),
            );
        }
        company::set_settings(w.tx(), found.company_id, settings).await?;
        let c = company::get(w.tx(), found.company_id).await?;
        w.audit(
            "company.email_verified",
            Some(found.company_id),
            serde_json::json!({"email": found.email}),
        )
        .await?;
        Ok(c)
    })
    .await?;
    p.resolver.invalidate();
    Ok(c)
}

/// Uses a login hand-off of `company`; answers the email of the administrator to sign in.
/// Unknown, used, expired and other companies' tokens are all 404 alike.
pub async fn redeem_handoff(
    p: &Platform,
    company: CompanyId,
    token: &str,
) -> Result<String, PlatformError> {
    let db = p.owner.conn();
    let found = signup_token::find(db, Kind::LoginHandoff, &token_hash(token.trim()))
        .await?
        .filter(|t| t.company_id == company)
        .ok_or(PlatformError::NotFound("hand-off"))?;
    if signup_token::consume(db, Kind::LoginHandoff, found.id, smartdmv_store::now()).await? {
        Ok(found.email)
    } else {
        Err(PlatformError::NotFound("hand-off"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_errors_take_the_forms_field_names() {
        let e = rename_fields(PlatformError::Invalid(vec![
            ("name".into(), "is required".into()),
            ("contactEmail".into(), "must be an email address".into()),
            ("admin.email".into(), "must be an email address".into()),
            ("admin.password".into(), "is too short".into()),
            ("subdomain".into(), "is reserved".into()),
        ]));
        let PlatformError::Invalid(f) = e else {
            panic!("still a validation error")
        };
        let names: Vec<&str> = f.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["companyName", "email", "password", "subdomain"]);
    }
}
