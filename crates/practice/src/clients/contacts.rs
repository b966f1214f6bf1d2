//! A client's contacts (phones and emails with their purpose and consent): the checks of a
//! given list or of the `email` / `phone` shorthand, which contact is primary per kind, and
//! writing them. The primary email and phone are mirrored on the client row.

use serde::Deserialize;
use smartdmv_domain::contact::{self, ContactKind};
use smartdmv_domain::{ClientId, ContactId};
use smartdmv_store::TenantConn;
use smartdmv_store::tenant::{client, client_contact};

use super::Address;
use crate::fields::Errors;

/// One contact of a client, as given.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactIn {
    /// `phone` or `email`.
    pub kind: String,
    pub value: String,
    /// home, mobile, work, billing, emergency, other; `mobile` for phones and `home` for
    /// emails when absent.
    pub purpose: Option<String>,
    #[serde(default)]
    pub sms_consent: bool,
    #[serde(default)]
    pub email_consent: bool,
    #[serde(default)]
    pub primary: bool,
}

/// A checked contact, ready to store. `id` and `created_at` are kept when an existing
/// contact is carried over.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactDraft {
    pub id: Option<ContactId>,
    pub created_at: Option<smartdmv_store::Stamp>,
    pub kind: ContactKind,
    pub value: String,
    pub normalized: String,
    pub purpose: String,
    pub sms_consent: bool,
    pub email_consent: bool,
    pub primary: bool,
}

impl ContactDraft {
    pub fn from_row(r: &client_contact::Model) -> Self {
        Self {
            id: Some(r.id),
            created_at: Some(r.created_at),
            kind: r.kind,
            value: r.value.clone(),
            normalized: r.normalized.clone(),
            purpose: r.purpose.clone(),
            sms_consent: r.sms_consent,
            email_consent: r.email_consent,
            primary: r.is_primary,
        }
    }

    pub fn into_row(
        self,
        client_id: ClientId,
        now: smartdmv_store::Stamp,
    ) -> client_contact::Model {
        client_contact::Model {
            id: self.id.unwrap_or_default(),
            client_id,
            kind: self.kind,
            value: self.value,
            normalized: self.normalized,
            purpose: self.purpose,
            sms_consent: self.sms_consent,
            email_consent: self.email_consent,
            is_primary: self.primary,
            created_at: self.created_at.unwrap_or(now),
        }
    }
}

/// Longest value per kind (the `clients.phone` mirror holds 40 characters).
fn max_len(kind: ContactKind) -> usize {
    match kind {
        ContactKind::Phone => 40,
        ContactKind::Email => 254,
    }
}

/// Checks a list of contacts (field errors under `contacts.<i>.<field>`) and settles which
/// is primary per kind.
pub fn check_contacts(errs: &mut Errors, list: &[ContactIn]) -> Vec<ContactDraft> {
    if list.len() > 20 {
        errs.add("contacts", "at most 20 contacts");
    }
    let mut out: Vec<ContactDraft> = Vec::new();
    // Where each draft came from in `list` (contacts of an unknown kind are skipped).
    let mut origin: Vec<usize> = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let f = |x: &str| format!("contacts.{i}.{x}");
        let Some(kind) = ContactKind::parse(&c.kind) else {
            errs.add(f("kind"), "must be phone or email");
            continue;
        };
        let value = c.value.trim().to_owned();
        if value.chars().count() > max_len(kind) {
            errs.add(
                f("value"),
                format!("must be at most {} characters", max_len(kind)),
            );
        } else if let Err(m) = kind.check(&value) {
            errs.add(f("value"), m);
        }
        let purpose = c
            .purpose
            .clone()
            .unwrap_or_else(|| kind.default_purpose().to_owned());
        if !contact::is_purpose(&purpose) {
            errs.add(
                f("purpose"),
                format!("must be one of {}", contact::PURPOSES.join(", ")),
            );
        }
        if c.sms_consent && kind != ContactKind::Phone {
            errs.add(f("smsConsent"), "applies to phone contacts only");
        }
        if c.email_consent && kind != ContactKind::Email {
            errs.add(f("emailConsent"), "applies to email contacts only");
        }
        let normalized = kind.normalize(&value);
        if out
            .iter()
            .any(|o| o.kind == kind && o.normalized == normalized)
        {
            errs.add(f("value"), "is given twice");
        }
        out.push(ContactDraft {
            id: None,
            created_at: None,
            kind,
            value,
            normalized,
            purpose,
            sms_consent: c.sms_consent,
            email_consent: c.email_consent,
            primary: c.primary,
        });
        origin.push(i);
    }
    if let Err(i) = settle_primaries(&mut out) {
        errs.add(
            format!("contacts.{}.primary", origin[i]),
            format!("only one {} contact can be primary", out[i].kind.as_str()),
        );
    }
    out
}

/// Marks exactly one primary contact per kind present (the one marked, else the first).
/// `Err(i)`: the contact at `i` is a second one marked primary for its kind.
pub fn settle_primaries(list: &mut [ContactDraft]) -> Result<(), usize> {
    let marks: Vec<(ContactKind, bool)> = list.iter().map(|c| (c.kind, c.primary)).collect();
    let p = contact::resolve_primaries(&marks)?;
    list.iter_mut().zip(p).for_each(|(c, p)| c.primary = p);
    Ok(())
}

/// The shorthand `email` / `phone` of a body as one contact of that kind.
pub fn shorthand(errs: &mut Errors, kind: ContactKind, value: &str) -> Option<ContactDraft> {
    let field = kind.as_str();
    let value = value.trim().to_owned();
    if value.chars().count() > max_len(kind) {
        errs.add(
            field,
            format!("must be at most {} characters", max_len(kind)),
        );
        return None;
    }
    if let Err(m) = kind.check(&value) {
        errs.add(field, m);
        return None;
    }
    Some(ContactDraft {
        id: None,
        created_at: None,
        kind,
        normalized: kind.normalize(&value),
        value,
        purpose: kind.default_purpose().into(),
        sms_consent: false,
        email_consent: false,
        primary: true,
    })
}

/// Sets (`Some`) or removes (`None`) the primary contact of one kind in an existing list. A
/// new value for the primary keeps its purpose and consent.
pub fn set_primary(
    errs: &mut Errors,
    list: &mut Vec<ContactDraft>,
    kind: ContactKind,
    value: Option<&str>,
) {
    let at = list.iter().position(|c| c.kind == kind && c.primary);
    match (value, at) {
        (None, Some(i)) => {
            list.remove(i);
        }
        (None, None) => {}
        (Some(v), at) => {
            let Some(new) = shorthand(errs, kind, v) else {
                return;
            };
            // Another contact of that kind already holding the value becomes the primary.
            list.retain(|c| !(c.kind == kind && c.normalized == new.normalized && !c.primary));
            match at.and_then(|_| list.iter_mut().find(|c| c.kind == kind && c.primary)) {
                Some(c) => {
                    c.value = new.value;
                    c.normalized = new.normalized;
                }
                None => list.push(new),
            }
        }
    }
    // Each kind had at most one primary before and still has.
    let _ = settle_primaries(list);
}

/// Tidies an address: parts trimmed, empty parts dropped, each at most 200 characters; an
/// address without any part is none.
pub fn check_address(errs: &mut Errors, a: Address) -> Option<serde_json::Value> {
    let mut part = |name: &str, v: Option<String>| {
        errs.optional(&format!("address.{name}"), v.as_deref(), 200)
    };
    let a = Address {
        line1: part("line1", a.line1),
        line2: part("line2", a.line2),
        city: part("city", a.city),
        region: part("region", a.region),
        postal_code: part("postalCode", a.postal_code),
        country: part("country", a.country),
    };
    (a != Address::default()).then(|| serde_json::to_value(a).unwrap_or_default())
}

/// Copies the primary email and phone of `contacts` to the client's mirror columns.
pub fn mirror(c: &mut client::Model, contacts: &[ContactDraft]) {
    let primary = |k: ContactKind| {
        contacts
            .iter()
            .find(|x| x.kind == k && x.primary)
            .map(|x| x.value.clone())
    };
    c.email = primary(ContactKind::Email);
    c.phone = primary(ContactKind::Phone);
}

/// Replaces a client's contacts with `drafts` (ids of carried-over contacts are kept).
pub async fn write_contacts(
    db: &impl TenantConn,
    client_id: ClientId,
    drafts: Vec<ContactDraft>,
    now: smartdmv_store::Stamp,
) -> Result<Vec<client_contact::Model>, sea_orm::DbErr> {
    client_contact::delete_for_client(db, client_id).await?;
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        out.push(client_contact::insert(db, d.into_row(client_id, now)).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: ContactKind, v: &str, primary: bool) -> ContactDraft {
        ContactDraft {
            id: Some(ContactId::new()),
            created_at: None,
            kind,
            value: v.into(),
            normalized: kind.normalize(v),
            purpose: kind.default_purpose().into(),
            sms_consent: true,
            email_consent: false,
            primary,
        }
    }

    #[test]
    fn setting_the_primary_keeps_its_id_and_consent() {
        let mut errs = Errors::default();
        let mut list = vec![
            draft(ContactKind::Phone, "555 0100 01", true),
            draft(ContactKind::Phone, "555 0100 02", false),
        ];
        let id = list[0].id;
        set_primary(
            &mut errs,
            &mut list,
            ContactKind::Phone,
            Some("555 0100 03"),
        );
        assert!(errs.0.is_empty());
        assert_eq!(list.len(), 2);
        assert_eq!((list[0].id, list[0].sms_consent), (id, true));
        assert_eq!(list[0].normalized, "555010003");
        set_primary(&mut errs, &mut list, ContactKind::Phone, None);
        assert_eq!(list.len(), 1);
        assert!(list[0].primary, "the remaining phone becomes primary");
        set_primary(
            &mut errs,
            &mut list,
            ContactKind::Email,
            Some("a@b.example"),
        );
        assert_eq!(list.len(), 2);
        assert!(list[1].primary);
    }
}
