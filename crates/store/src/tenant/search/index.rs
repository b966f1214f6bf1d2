//! Writing the search index: the terms of one record, re-indexing one record, bulk indexing
//! and the full rebuild.

use crate::TenantConn;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use smartdmv_domain::contact::ContactKind;
use smartdmv_domain::search as rules;
use smartdmv_domain::text;
use smartdmv_domain::{ClientId, PatientId};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

use super::{CLIENT, PATIENT, field};
use crate::tenant::{client, client_contact, patient};

/// One `search_terms` row.
#[derive(Debug, Clone, PartialEq)]
struct Term {
    field: &'static str,
    word: String,
    kind: &'static str,
    entity_id: Uuid,
    sort_key: String,
    active: bool,
}

fn push(out: &mut Vec<Term>, t: Term) {
    if !t.word.is_empty() && !out.iter().any(|o| o.field == t.field && o.word == t.word) {
        out.push(t);
    }
}

fn client_terms(c: &client::Model, contacts: &[&client_contact::Model]) -> Vec<Term> {
    let mut out = Vec::new();
    let term = |field, word: String| Term {
        field,
        word,
        kind: CLIENT,
        entity_id: c.id.0,
        sort_key: c.name_key.clone(),
        active: c.active,
    };
    let name = format!("{} {}", c.first_name, c.last_name);
    for w in rules::name_words(&name) {
        push(&mut out, term(field::NAME, w));
    }
    let phones = contacts
        .iter()
        .filter(|k| k.kind == ContactKind::Phone)
        .map(|k| text::phone_digits(&k.normalized))
        .chain(c.phone.iter().map(|p| text::phone_digits(p)));
    for digits in phones {
        push(&mut out, term(field::PHONE, rules::phone_key(&digits)));
    }
    let emails = contacts
        .iter()
        .filter(|k| k.kind == ContactKind::Email)
        .map(|k| k.normalized.trim().to_lowercase())
        .chain(c.email.iter().map(|e| e.trim().to_lowercase()));
    for e in emails {
        push(&mut out, term(field::EMAIL, e.chars().take(254).collect()));
    }
    out
}

fn patient_terms(p: &patient::Model) -> Vec<Term> {
    let mut out = Vec::new();
    let term = |field, word: String| Term {
        field,
        word,
        kind: PATIENT,
        entity_id: p.id.0,
        sort_key: p.name_key.clone(),
        active: p.active,
    };
    for w in rules::name_words(&p.name) {
        push(&mut out, term(field::NAME, w));
    }
    if let Some(chip) = &p.microchip {
        push(&mut out, term(field::MICROCHIP, chip.clone()));
    }
    out
}

/// Rows per multi-row INSERT: far below SQLite's and PostgreSQL's bind limits.
const CHUNK: usize = 500;

async fn insert_terms(db: &impl ConnectionTrait, terms: &[Term]) -> Result<(), DbErr> {
    for chunk in terms.chunks(CHUNK) {
        let mut q = Query::insert();
        q.into_table("search_terms").columns([
            "field",
            "word",
            "entity_kind",
            "entity_id",
            "sort_key",
            "active",
        ]);
        for t in chunk {
            q.values_panic([
                t.field.into(),
                t.word.clone().into(),
                t.kind.into(),
                t.entity_id.into(),
                t.sort_key.clone().into(),
                t.active.into(),
            ]);
        }
        q.on_conflict(
            OnConflict::columns(["field", "word", "entity_kind", "entity_id"])
                .do_nothing()
                .to_owned(),
        );
        db.execute(&q).await?;
    }
    Ok(())
}

/// Adds the deletion keys of name words not indexed yet (existing ones are left alone).
async fn insert_fuzzy(db: &impl ConnectionTrait, words: BTreeSet<String>) -> Result<(), DbErr> {
    let mut rows: Vec<(String, String)> = Vec::new();
    for w in words {
        if w.chars().count() > 120 {
            continue;
        }
        for k in rules::stored_keys(&w) {
            rows.push((k, w.clone()));
        }
    }
    for chunk in rows.chunks(CHUNK) {
        let mut q = Query::insert();
        q.into_table("search_fuzzy").columns(["del_key", "word"]);
        for (k, w) in chunk {
            q.values_panic([k.clone().into(), w.clone().into()]);
        }
        q.on_conflict(
            OnConflict::columns(["del_key", "word"])
                .do_nothing()
                .to_owned(),
        );
        db.execute(&q).await?;
    }
    Ok(())
}

async fn write(db: &impl ConnectionTrait, terms: Vec<Term>) -> Result<(), DbErr> {
    let words: BTreeSet<String> = terms
        .iter()
        .filter(|t| t.field == field::NAME)
        .map(|t| t.word.clone())
        .collect();
    insert_terms(db, &terms).await?;
    insert_fuzzy(db, words).await
}

async fn delete_terms(db: &impl ConnectionTrait, kind: &str, id: Uuid) -> Result<(), DbErr> {
    let mut q = Query::delete();
    q.from_table("search_terms")
        .and_where(Expr::col("entity_id").eq(id))
        .and_where(Expr::col("entity_kind").eq(kind));
    db.execute(&q).await?;
    Ok(())
}

/// Brings the index of one client up to date with its row and contacts (or removes it when
/// the client no longer exists). Call it in the transaction of every write of a client or
/// of its contacts.
pub async fn reindex_client(db: &impl TenantConn, id: ClientId) -> Result<(), DbErr> {
    delete_terms(db, CLIENT, id.0).await?;
    let Some(c) = client::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let contacts = client_contact::Entity::find()
        .filter(client_contact::Column::ClientId.eq(id))
        .all(db)
        .await?;
    let refs: Vec<&client_contact::Model> = contacts.iter().collect();
    write(db, client_terms(&c, &refs)).await
}

/// Brings the index of one patient up to date (or removes it when it no longer exists).
/// Call it in the transaction of every write of a patient.
pub async fn reindex_patient(db: &impl TenantConn, id: PatientId) -> Result<(), DbErr> {
    delete_terms(db, PATIENT, id.0).await?;
    let Some(p) = patient::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    write(db, patient_terms(&p)).await
}

/// Indexes records that have no index rows yet (a bulk load such as an import), in a few
/// multi-row statements. `contacts` may hold contacts of other clients; they are matched by
/// client id.
pub async fn index_records(
    db: &impl TenantConn,
    clients: &[client::Model],
    contacts: &[client_contact::Model],
    patients: &[patient::Model],
) -> Result<(), DbErr> {
    index_records_in(db, clients, contacts, patients).await
}

async fn index_records_in(
    db: &impl ConnectionTrait,
    clients: &[client::Model],
    contacts: &[client_contact::Model],
    patients: &[patient::Model],
) -> Result<(), DbErr> {
    let mut by_client: HashMap<ClientId, Vec<&client_contact::Model>> = HashMap::new();
    for k in contacts {
        by_client.entry(k.client_id).or_default().push(k);
    }
    let mut terms = Vec::new();
    for c in clients {
        let ks = by_client.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        terms.extend(client_terms(c, ks));
    }
    for p in patients {
        terms.extend(patient_terms(p));
    }
    write(db, terms).await
}

/// What a rebuild indexed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RebuildStats {
    pub clients: usize,
    pub patients: usize,
}

/// Empties the index and indexes every client and patient again.
pub async fn rebuild(db: &impl TenantConn) -> Result<RebuildStats, DbErr> {
    rebuild_in(db).await
}

/// [`rebuild`] on any connection: the tenant migrations call it on theirs.
pub(crate) async fn rebuild_in(db: &impl ConnectionTrait) -> Result<RebuildStats, DbErr> {
    for t in ["search_terms", "search_fuzzy"] {
        let mut q = Query::delete();
        q.from_table(t);
        db.execute(&q).await?;
    }
    let clients = client::Entity::find().all(db).await?;
    let contacts = client_contact::Entity::find().all(db).await?;
    let patients = patient::Entity::find().all(db).await?;
    index_records_in(db, &clients, &contacts, &patients).await?;
    Ok(RebuildStats {
        clients: clients.len(),
        patients: patients.len(),
    })
}
