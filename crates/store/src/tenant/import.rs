//! Writing a planned client/patient import (`smartdmv_domain::import`) in bulk: clients with
//! their contacts, patients with their owner links and first weights, and their search
//! index. The caller runs it in one transaction with its audit entry.

use crate::TenantConn;
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use smartdmv_domain::contact::ContactKind;
use smartdmv_domain::import::{Address, Catalog, Plan};
use smartdmv_domain::patient::WeightUnit;
use smartdmv_domain::text;
use smartdmv_domain::{ClientId, ContactId, OwnershipId, PatientId, PracticeId, UserId, WeightId};

use crate::tenant::{
    client, client_contact, custom_breed, custom_species, patient, patient_owner, patient_weight,
    search,
};

/// The company's own species and breeds, for checking rows.
pub async fn catalog(db: &impl TenantConn) -> Result<Catalog, DbErr> {
    let species = custom_species::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.code, s.name))
        .collect();
    let breeds = custom_breeds(db).await?;
    Ok(Catalog { species, breeds })
}

async fn custom_breeds(db: &impl TenantConn) -> Result<Vec<(String, String)>, DbErr> {
    Ok(custom_breed::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.species, b.name))
        .collect())
}

/// Patients already holding any of these microchips: (code, patient name).
pub async fn existing_microchips(
    db: &impl TenantConn,
    codes: &[String],
) -> Result<Vec<(String, String)>, DbErr> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        for p in patient::Entity::find()
            .filter(patient::Column::Microchip.is_in(chunk.iter().cloned()))
            .all(db)
            .await?
        {
            out.push((p.microchip.unwrap_or_default(), p.name));
        }
    }
    Ok(out)
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub clients: usize,
    pub contacts: usize,
    pub patients: usize,
    pub weights: usize,
}

fn address_json(a: &Address) -> serde_json::Value {
    json!({
        "line1": a.line1, "line2": a.line2, "city": a.city, "region": a.region,
        "postalCode": a.postal_code, "country": a.country,
    })
}

/// Rows per multi-row INSERT (16 columns at most: well within the bind limits).
const CHUNK: usize = 200;

macro_rules! insert_all {
    ($db:expr, $module:ident, $rows:expr) => {
        for chunk in $rows.chunks(CHUNK) {
            $module::Entity::insert_many(
                chunk
                    .iter()
                    .cloned()
                    .map(|m| $module::ActiveModel::from(m).reset_all()),
            )
            .exec_without_returning($db)
            .await?;
        }
    };
}

/// Writes every client and patient of `plan` (rejected rows are the caller's business: it
/// must not call this when there are any). `practice` becomes the clients' home practice;
/// `actor` is recorded as who linked the owners and took the weights.
pub async fn write(
    db: &impl TenantConn,
    plan: &Plan,
    practice: Option<PracticeId>,
    actor: Option<UserId>,
    now: crate::Stamp,
) -> Result<Written, DbErr> {
    let (mut clients, mut contacts, mut patients) = (Vec::new(), Vec::new(), Vec::new());
    let (mut owners, mut weights) = (Vec::new(), Vec::new());
    for c in &plan.clients {
        let id = ClientId::new();
        clients.push(client::Model {
            id,
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            name_key: text::person_key(&c.first_name, &c.last_name),
            email: c.emails.first().cloned(),
            phone: c.phones.first().cloned(),
            address: c.address.as_ref().map(address_json),
            home_practice_id: practice,
            balance_cents: 0,
            alerts: json!([]),
            notes: None,
            user_id: None,
            active: true,
            deactivated_at: None,
            created_at: now,
            updated_at: now,
        });
        let emails = c
            .emails
            .iter()
            .map(|e| (ContactKind::Email, e.clone(), e.clone()));
        let phones = c
            .phones
            .iter()
            .map(|p| (ContactKind::Phone, p.clone(), text::phone_digits(p)));
        let mut primary = [true, true];
        for (kind, value, normalized) in emails.chain(phones) {
            let slot = usize::from(kind == ContactKind::Phone);
            contacts.push(client_contact::Model {
                id: ContactId::new(),
                client_id: id,
                kind,
                value,
                normalized,
                purpose: "home".into(),
                sms_consent: false,
                email_consent: false,
                is_primary: std::mem::replace(&mut primary[slot], false),
                created_at: now,
            });
        }
        for p in &c.patients {
            let pid = PatientId::new();
            patients.push(patient::Model {
                id: pid,
                name: p.name.clone(),
                name_key: text::fold_name(&p.name),
                species: p.species.clone(),
                breed: p.breed.clone(),
                sex: p.sex.into(),
                neutered: p.neutered,
                date_of_birth: p.date_of_birth.map(crate::Day),
                dob_estimated: false,
                colour: p.colour.clone(),
                microchip: p.microchip.as_ref().map(|m| m.code.clone()),
                microchip_type: p.microchip.as_ref().map(|m| m.kind.to_owned()),
                alerts: json!([]),
                deceased_on: None,
                notes: None,
                active: true,
                created_at: now,
                updated_at: now,
            });
            owners.push(patient_owner::Model {
                id: OwnershipId::new(),
                patient_id: pid,
                client_id: id,
                is_primary: true,
                started_at: now,
                ended_at: None,
                end_reason: None,
                created_by: actor,
            });
            if let Some(kg) = p.weight_kg {
                weights.push(patient_weight::Model {
                    id: WeightId::new(),
                    patient_id: pid,
                    value: kg,
                    unit: WeightUnit::Kg,
                    measured_at: now,
                    recorded_by: actor,
                });
            }
        }
    }
    insert_all!(db, client, clients);
    insert_all!(db, client_contact, contacts);
    insert_all!(db, patient, patients);
    insert_all!(db, patient_owner, owners);
    insert_all!(db, patient_weight, weights);
    search::index_records(db, &clients, &contacts, &patients).await?;
    Ok(Written {
        clients: clients.len(),
        contacts: contacts.len(),
        patients: patients.len(),
        weights: weights.len(),
    })
}
