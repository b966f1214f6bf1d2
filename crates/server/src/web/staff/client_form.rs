//! The client form: its fields, and the service inputs it becomes.

use serde::Deserialize;

use smartdmv_practice::clients::{Address, ClientChanges, ClientOut, NewClient};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientForm {
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub notes: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn part(a: Option<&serde_json::Value>, key: &str) -> String {
    a.and_then(|a| a.get(key))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// A stored address on one line.
pub fn address_line(a: Option<&serde_json::Value>) -> String {
    ["line1", "line2", "city", "region", "postalCode", "country"]
        .iter()
        .map(|k| part(a, k))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

impl ClientForm {
    pub fn from_client(c: &ClientOut) -> Self {
        let a = c.address.as_ref();
        Self {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            line1: part(a, "line1"),
            line2: part(a, "line2"),
            city: part(a, "city"),
            region: part(a, "region"),
            postal_code: part(a, "postalCode"),
            country: part(a, "country"),
            notes: c.notes.clone().unwrap_or_default(),
        }
    }

    fn address(&self) -> Option<Address> {
        let a = Address {
            line1: opt(&self.line1),
            line2: opt(&self.line2),
            city: opt(&self.city),
            region: opt(&self.region),
            postal_code: opt(&self.postal_code),
            country: opt(&self.country),
        };
        (a != Address::default()).then_some(a)
    }

    pub fn to_create(&self) -> NewClient {
        NewClient {
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            email: opt(&self.email),
            phone: opt(&self.phone),
            contacts: None,
            address: self.address(),
            alerts: Vec::new(),
            notes: opt(&self.notes),
            home_practice_id: None,
        }
    }

    pub fn to_update(&self) -> ClientChanges {
        ClientChanges {
            first_name: Some(self.first_name.clone()),
            last_name: Some(self.last_name.clone()),
            email: Some(opt(&self.email)),
            phone: Some(opt(&self.phone)),
            contacts: None,
            address: Some(self.address()),
            alerts: None,
            notes: Some(opt(&self.notes)),
            home_practice_id: None,
            active: None,
        }
    }
}
