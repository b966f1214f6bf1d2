//! A pet owner's self-registration: a `CLIENT` login of a practice that allows online
//! sign-up, linked to a new client record so that the practice knows who signed up and the
//! client sees their pets once staff link them.

use serde::Deserialize;
use smartdmv_domain::contact::ContactKind;
use smartdmv_domain::password::check_new_password;
use smartdmv_domain::{ClientId, ContactId, PracticeId, TenantRole, UserId};
use smartdmv_store::tenant::{client, client_contact, practice, user};

use super::{SESSION_HOURS, SignedIn, hash_password, normalize_email, open_session};
use crate::users::stored;
use crate::work::{Change, write_as};
use crate::{ConflictAs, ServiceError, ServiceResult, Tenant};

/// What a pet owner signs up with.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Registration {
    pub email: String,
    pub name: String,
    pub password: String,
    /// The practice to join; the first open to sign-up when absent.
    pub practice_id: Option<PracticeId>,
}

/// The client record of a self-registered portal user: the name split into first and last
/// at its last word, the email as the primary contact, the sign-up practice as home.
fn new_portal_client(
    u: &user::Model,
    home: PracticeId,
    now: smartdmv_store::Stamp,
) -> client::Model {
    let name = u.name.trim();
    let (first, last) = match name.rsplit_once(char::is_whitespace) {
        Some((f, l)) => (f.trim().to_owned(), l.to_owned()),
        None => (String::new(), name.to_owned()),
    };
    client::Model {
        id: ClientId::new(),
        name_key: smartdmv_domain::text::person_key(&first, &last),
        first_name: first,
        last_name: last,
        email: Some(u.email.clone()),
        phone: None,
        address: None,
        home_practice_id: Some(home),
        balance_cents: 0,
        alerts: serde_json::json!([]),
        notes: None,
        user_id: Some(u.id),
        active: true,
        deactivated_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Signs a pet owner up as a `CLIENT` of a practice that allows it, and signs them in. 403
/// `signup_disabled` when no practice (or not the one named) accepts sign-up; 409
/// `email_taken` when the company has an account with the email.
pub async fn register(
    tenant: &Tenant,
    input: Registration,
    ip: Option<String>,
) -> ServiceResult<SignedIn> {
    let db = tenant.db();
    let practices = practice::list(db).await?;
    let Some(home) = practices
        .iter()
        .find(|p| p.allow_client_signup && input.practice_id.is_none_or(|id| id == p.id))
    else {
        return Err(ServiceError::forbidden(
            "signup_disabled",
            "this practice does not accept online sign-up",
        ));
    };
    let email = normalize_email(&input.email);
    let mut errs = Vec::new();
    if !smartdmv_domain::text::is_plausible_email(&email) {
        errs.push(("email".to_owned(), "must be an email address".to_owned()));
    }
    let n = input.name.trim().chars().count();
    if n == 0 || n > 200 {
        errs.push(("name".into(), "must be 1 to 200 characters".into()));
    }
    if let Err(e) = check_new_password(&input.password) {
        errs.push(("password".into(), e.to_string()));
    }
    if !errs.is_empty() {
        return Err(ServiceError::Invalid(errs));
    }
    let hash = hash_password(input.password).await?;
    let now = smartdmv_store::now();
    let u = user::Model {
        id: UserId::new(),
        email,
        name: input.name.trim().to_owned(),
        password_hash: hash,
        role: TenantRole::Client,
        practice_id: Some(home.id),
        active: true,
        created_at: now,
        updated_at: now,
        invitation_hash: None,
        invitation_expires_at: None,
    };
    let home = home.id;
    let actor = (u.id, u.email.clone(), ip);
    let saved = write_as(db, Some(actor), |w| async move {
        let saved = user::insert(w.tx(), u).await.map_err(stored)?;
        let client = new_portal_client(&saved, home, now);
        let client_id = client.id;
        client::insert(w.tx(), client).await?;
        client_contact::insert(
            w.tx(),
            client_contact::Model {
                id: ContactId::new(),
                client_id,
                kind: ContactKind::Email,
                value: saved.email.clone(),
                normalized: saved.email.clone(),
                purpose: "home".into(),
                sms_consent: false,
                email_consent: true,
                is_primary: true,
                created_at: now,
            },
        )
        .await?;
        smartdmv_store::tenant::search::reindex_client(w.tx(), client_id).await?;
        w.audit(Change {
            action: "create",
            entity: "client",
            entity_id: Some(client_id.into()),
            practice_id: Some(home),
            before: None,
            after: Some(serde_json::json!({"userId": saved.id, "source": "self sign-up"})),
        })
        .await?;
        w.audit(Change {
            action: "register",
            entity: "user",
            entity_id: Some(saved.id.into()),
            practice_id: saved.practice_id,
            before: None,
            after: Some(serde_json::json!({"email": saved.email, "role": saved.role})),
        })
        .await?;
        Ok(saved)
    })
    .await
    .conflict_as(
        "email_taken",
        "an account with this email exists; sign in instead",
    )?;
    let (token, session) = open_session(
        db,
        tenant.company.id,
        &saved,
        None,
        false,
        SESSION_HOURS * 60,
    )
    .await?;
    Ok(SignedIn {
        token,
        session,
        user: saved,
    })
}
