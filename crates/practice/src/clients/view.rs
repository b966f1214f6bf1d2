//! A client as answers, pages and audit entries show it.

use serde::{Deserialize, Serialize};
use smartdmv_store::tenant::{client, client_contact};

use crate::rfc3339;

/// A postal address; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactOut {
    pub id: String,
    pub kind: String,
    pub value: String,
    pub purpose: String,
    pub sms_consent: bool,
    pub email_consent: bool,
    pub primary: bool,
}

impl From<&client_contact::Model> for ContactOut {
    fn from(c: &client_contact::Model) -> Self {
        Self {
            id: c.id.to_string(),
            kind: c.kind.as_str().into(),
            value: c.value.clone(),
            purpose: c.purpose.clone(),
            sms_consent: c.sms_consent,
            email_consent: c.email_consent,
            primary: c.is_primary,
        }
    }
}

/// A client with their contacts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientOut {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// The primary email contact's value.
    pub email: Option<String>,
    /// The primary phone contact's value.
    pub phone: Option<String>,
    pub contacts: Vec<ContactOut>,
    pub address: Option<serde_json::Value>,
    /// Staff-facing alerts; not shown to the client themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<serde_json::Value>,
    /// Staff notes; not shown to the client themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub balance_cents: i64,
    pub home_practice_id: Option<String>,
    /// The portal account (a `CLIENT` user), when there is one.
    pub user_id: Option<String>,
    pub active: bool,
    pub deactivated_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl ClientOut {
    /// `contacts` may hold contacts of other clients too (a page's worth).
    pub fn new(c: &client::Model, contacts: &[client_contact::Model]) -> Self {
        Self {
            id: c.id.to_string(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
            contacts: contacts
                .iter()
                .filter(|x| x.client_id == c.id)
                .map(ContactOut::from)
                .collect(),
            address: c.address.clone(),
            alerts: Some(c.alerts.clone()),
            notes: c.notes.clone(),
            balance_cents: c.balance_cents,
            home_practice_id: c.home_practice_id.map(|x| x.to_string()),
            user_id: c.user_id.map(|x| x.to_string()),
            active: c.active,
            deactivated_at: c.deactivated_at.map(rfc3339),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }

    /// What the client themselves may read of their record: no staff alerts or notes.
    pub fn for_client(mut self) -> Self {
        self.alerts = None;
        self.notes = None;
        self
    }

    /// For audit entries.
    pub fn snapshot(c: &client::Model, contacts: &[client_contact::Model]) -> serde_json::Value {
        serde_json::to_value(Self::new(c, contacts)).unwrap_or_default()
    }
}
