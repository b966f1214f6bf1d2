//! Registering and changing a client. `contacts` gives the whole list; the `email` / `phone`
//! shorthand sets (or removes) the primary contact of its kind.

use serde::Deserialize;
use smartdmv_domain::contact::ContactKind;
use smartdmv_domain::{ClientId, IdInput, PracticeId};
use smartdmv_store::tenant::{client, client_contact, search};

use super::contacts::{self, ContactDraft, ContactIn, write_contacts};
use super::{Address, ClientOut, audit_practice, check_home_practice, get};
use crate::fields::{Errors, double_option};
use crate::work::Change;
use crate::{ServiceResult, TenantPrincipal};

/// A new client.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewClient {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Shorthand for one primary email contact.
    pub email: Option<String>,
    /// Shorthand for one primary phone contact.
    pub phone: Option<String>,
    pub contacts: Option<Vec<ContactIn>>,
    pub address: Option<Address>,
    #[serde(default)]
    pub alerts: Vec<String>,
    pub notes: Option<String>,
    /// Defaults to the registering user's home practice.
    pub home_practice_id: Option<IdInput<PracticeId>>,
}

/// Changes to a client; absent fields stay as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Sets (or with `null` removes) the primary email contact.
    #[serde(default, deserialize_with = "double_option")]
    pub email: Option<Option<String>>,
    /// Sets (or with `null` removes) the primary phone contact.
    #[serde(default, deserialize_with = "double_option")]
    pub phone: Option<Option<String>>,
    /// Replaces every contact.
    pub contacts: Option<Vec<ContactIn>>,
    #[serde(default, deserialize_with = "double_option")]
    pub address: Option<Option<Address>>,
    pub alerts: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub home_practice_id: Option<Option<IdInput<PracticeId>>>,
    /// `true` reactivates a deactivated client; deactivation is [`super::remove`].
    pub active: Option<bool>,
}

const BOTH: &str = "give contacts or the email/phone shorthand, not both";

/// Registers a client with their contacts.
pub async fn create(cx: &TenantPrincipal, b: NewClient) -> ServiceResult<ClientOut> {
    let mut errs = Errors::default();
    let first = errs.required("firstName", b.first_name.as_deref(), 200);
    let last = errs.required("lastName", b.last_name.as_deref(), 200);
    let drafts = match (&b.contacts, &b.email, &b.phone) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            errs.add("contacts", BOTH);
            Vec::new()
        }
        (Some(list), None, None) => contacts::check_contacts(&mut errs, list),
        (None, email, phone) => {
            let mut out = Vec::new();
            out.extend(
                email
                    .as_deref()
                    .and_then(|e| contacts::shorthand(&mut errs, ContactKind::Email, e)),
            );
            out.extend(
                phone
                    .as_deref()
                    .and_then(|p| contacts::shorthand(&mut errs, ContactKind::Phone, p)),
            );
            out
        }
    };
    let address = b
        .address
        .and_then(|a| contacts::check_address(&mut errs, a));
    let alerts = errs.alerts("alerts", &b.alerts);
    let notes = errs.optional("notes", b.notes.as_deref(), 10_000);
    let home = match b.home_practice_id {
        Some(given) => check_home_practice(cx, &mut errs, given).await?,
        // Where the client registers, by default: the registering user's home practice.
        None => cx.user.practice_id,
    };
    errs.finish()?;

    let now = smartdmv_store::now();
    let mut m = client::Model {
        id: ClientId::new(),
        name_key: smartdmv_domain::text::person_key(&first, &last),
        first_name: first,
        last_name: last,
        email: None,
        phone: None,
        address,
        home_practice_id: home,
        balance_cents: 0,
        alerts,
        notes,
        user_id: None,
        active: true,
        deactivated_at: None,
        created_at: now,
        updated_at: now,
    };
    contacts::mirror(&mut m, &drafts);
    let practice_id = audit_practice(cx);
    cx.write(|w| async move {
        let saved = client::insert(w.tx(), m).await?;
        let rows = write_contacts(w.tx(), saved.id, drafts, now).await?;
        search::reindex_client(w.tx(), saved.id).await?;
        w.audit(Change {
            action: "create",
            entity: "client",
            entity_id: Some(saved.id.into()),
            practice_id,
            before: None,
            after: Some(ClientOut::snapshot(&saved, &rows)),
        })
        .await?;
        Ok(ClientOut::new(&saved, &rows))
    })
    .await
}

/// Changes a client: `contacts` replaces every contact; `email` / `phone` set or remove the
/// primary contact of their kind. Deactivation is [`super::remove`]; `active: true`
/// reactivates.
pub async fn update(
    cx: &TenantPrincipal,
    id: ClientId,
    b: ClientChanges,
) -> ServiceResult<ClientOut> {
    let before = get(cx, id).await?;
    let old_rows = client_contact::for_client(cx.db(), before.id).await?;
    let mut errs = Errors::default();
    let mut m = before.clone();
    if let Some(f) = &b.first_name {
        m.first_name = errs.required("firstName", Some(f), 200);
    }
    if let Some(l) = &b.last_name {
        m.last_name = errs.required("lastName", Some(l), 200);
    }
    m.name_key = smartdmv_domain::text::person_key(&m.first_name, &m.last_name);
    let drafts = match (&b.contacts, &b.email, &b.phone) {
        (None, None, None) => None,
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            errs.add("contacts", BOTH);
            None
        }
        (Some(list), None, None) => Some(contacts::check_contacts(&mut errs, list)),
        (None, email, phone) => {
            let mut list: Vec<ContactDraft> = old_rows.iter().map(ContactDraft::from_row).collect();
            if let Some(e) = email {
                contacts::set_primary(&mut errs, &mut list, ContactKind::Email, e.as_deref());
            }
            if let Some(p) = phone {
                contacts::set_primary(&mut errs, &mut list, ContactKind::Phone, p.as_deref());
            }
            Some(list)
        }
    };
    if let Some(c) = &drafts {
        contacts::mirror(&mut m, c);
    }
    if let Some(a) = b.address {
        m.address = a.and_then(|a| contacts::check_address(&mut errs, a));
    }
    if let Some(a) = &b.alerts {
        m.alerts = errs.alerts("alerts", a);
    }
    if let Some(n) = &b.notes {
        m.notes = errs.optional("notes", n.as_deref(), 10_000);
    }
    if let Some(h) = b.home_practice_id {
        m.home_practice_id = match h {
            Some(given) => check_home_practice(cx, &mut errs, given).await?,
            None => None,
        };
    }
    match b.active {
        Some(true) => {
            m.active = true;
            m.deactivated_at = None;
        }
        Some(false) if before.active => {
            errs.add(
                "active",
                "deactivate a client with DELETE /api/clients/{id}",
            );
        }
        _ => {}
    }
    errs.finish()?;
    let now = smartdmv_store::now();
    m.updated_at = now;
    let practice_id = audit_practice(cx);
    cx.write(|w| async move {
        let saved = client::update(w.tx(), m).await?;
        let rows = match drafts {
            Some(c) => write_contacts(w.tx(), saved.id, c, now).await?,
            None => old_rows.clone(),
        };
        search::reindex_client(w.tx(), saved.id).await?;
        w.audit(Change {
            action: "update",
            entity: "client",
            entity_id: Some(saved.id.into()),
            practice_id,
            before: Some(ClientOut::snapshot(&before, &old_rows)),
            after: Some(ClientOut::snapshot(&saved, &rows)),
        })
        .await?;
        Ok(ClientOut::new(&saved, &rows))
    })
    .await
}
