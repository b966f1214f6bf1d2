//! The ranked lookup: every candidate comes from an index range or an exact key, never from
//! a scan of the record tables.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use smartdmv_domain::search::{self as rules, MatchKind};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

use super::{CLIENT, PATIENT, field};
use crate::tenant::{client, patient, patient_owner};

/// Most index rows read per lookup (one query word, one kind of match). A query as broad as
/// one letter is answered from the first rows in index order.
const CAP: u64 = 5000;

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub clients: bool,
    pub patients: bool,
    pub include_inactive: bool,
    pub limit: usize,
}

/// One record found, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub entity_id: Uuid,
    pub score: u32,
    /// `name`, `phone`, `email` or `microchip`.
    pub on: &'static str,
    /// The worst match among the query words (a name with one typo'd word is fuzzy).
    pub kind: MatchKind,
    /// The indexed values that matched, as stored (phones as digits).
    pub matched: Vec<String>,
    sort_key: String,
}

/// Clients and patients found, best first.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub clients: Vec<Hit>,
    pub patients: Vec<Hit>,
}

/// One index row read back.
struct Posting {
    kind: String,
    entity_id: Uuid,
    word: String,
    sort_key: String,
}

fn base(field: &str, opts: &Options) -> SelectStatement {
    let mut kinds = Vec::new();
    if opts.clients {
        kinds.push(CLIENT);
    }
    if opts.patients {
        kinds.push(PATIENT);
    }
    let mut q = Query::select();
    q.columns(["entity_kind", "entity_id", "word", "sort_key"])
        .from("search_terms")
        .and_where(Expr::col("field").eq(field))
        .and_where(Expr::col("entity_kind").is_in(kinds))
        .limit(CAP);
    if !opts.include_inactive {
        q.and_where(Expr::col("active").eq(true));
    }
    q
}

async fn fetch(db: &impl ConnectionTrait, q: &SelectStatement) -> Result<Vec<Posting>, DbErr> {
    let rows = db.query_all(q).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Posting {
                kind: r.try_get("", "entity_kind")?,
                entity_id: r.try_get("", "entity_id")?,
                word: r.try_get("", "word")?,
                sort_key: r.try_get("", "sort_key")?,
            })
        })
        .collect()
}

/// Rows whose word is one of `words`.
async fn exact(
    db: &impl ConnectionTrait,
    field: &str,
    words: &[String],
    opts: &Options,
) -> Result<Vec<Posting>, DbErr> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = base(field, opts);
    q.and_where(Expr::col("word").is_in(words.iter().cloned()));
    fetch(db, &q).await
}

/// Rows whose word starts with `prefix` (the word itself first, in index order).
async fn prefixed(
    db: &impl ConnectionTrait,
    field: &str,
    prefix: &str,
    opts: &Options,
) -> Result<Vec<Posting>, DbErr> {
    let mut q = base(field, opts);
    q.and_where(Expr::col("word").gte(prefix));
    if let Some(upper) = rules::prefix_upper_bound(prefix) {
        q.and_where(Expr::col("word").lt(upper));
    }
    q.order_by("word", sea_orm::sea_query::Order::Asc);
    let mut rows = fetch(db, &q).await?;
    rows.retain(|p| p.word.starts_with(prefix));
    Ok(rows)
}

/// Indexed name words sharing a deletion key with `word`, within its typo budget, with
/// their distance (the word itself and its extensions are exact or prefix matches instead).
async fn fuzzy_words(db: &impl ConnectionTrait, word: &str) -> Result<Vec<(String, usize)>, DbErr> {
    let budget = rules::max_edits(word.chars().count());
    if budget == 0 || word.chars().count() > rules::MAX_FUZZY_WORD {
        return Ok(Vec::new());
    }
    let keys: Vec<String> = rules::deletion_keys(word, budget).into_iter().collect();
    let mut q = Query::select();
    q.distinct()
        .column("word")
        .from("search_fuzzy")
        .and_where(Expr::col("del_key").is_in(keys))
        .limit(CAP);
    let rows = db.query_all(&q).await?;
    let mut out = Vec::new();
    for r in rows {
        let w: String = r.try_get("", "word")?;
        if w.starts_with(word) {
            continue;
        }
        let d = rules::edit_distance(word, &w);
        if d <= budget {
            out.push((w, d));
        }
    }
    Ok(out)
}

/// The best match of each query word per record: (kind, entity) -> per word (score, kind,
/// stored word).
type Board = HashMap<(String, Uuid), (String, Vec<Option<(u32, MatchKind, String)>>)>;

fn mark(board: &mut Board, n: usize, i: usize, p: Posting, score: u32, kind: MatchKind) {
    let slot = board
        .entry((p.kind, p.entity_id))
        .or_insert_with(|| (p.sort_key, vec![None; n]));
    if slot.1[i].as_ref().is_none_or(|(s, _, _)| score > *s) {
        slot.1[i] = Some((score, kind, p.word));
    }
}

async fn by_name(
    db: &impl ConnectionTrait,
    words: &[String],
    opts: &Options,
    out: &mut Vec<(String, Hit)>,
) -> Result<(), DbErr> {
    let n = words.len();
    let mut board: Board = HashMap::new();
    for (i, w) in words.iter().enumerate() {
        for p in prefixed(db, field::NAME, w, opts).await? {
            let kind = if &p.word == w {
                MatchKind::Exact
            } else {
                MatchKind::Prefix
            };
            mark(&mut board, n, i, p, rules::word_score(kind, 0), kind);
        }
        let fuzzy = fuzzy_words(db, w).await?;
        let dist: HashMap<String, usize> = fuzzy.iter().cloned().collect();
        let list: Vec<String> = fuzzy.into_iter().map(|(w, _)| w).collect();
        for p in exact(db, field::NAME, &list, opts).await? {
            let d = dist.get(&p.word).copied().unwrap_or(2);
            mark(
                &mut board,
                n,
                i,
                p,
                rules::word_score(MatchKind::Fuzzy, d),
                MatchKind::Fuzzy,
            );
        }
    }
    for ((kind, id), (sort_key, per_word)) in board {
        let Some(all) = per_word.into_iter().collect::<Option<Vec<_>>>() else {
            continue;
        };
        let mut matched: Vec<String> = Vec::new();
        for (_, _, w) in &all {
            if !matched.contains(w) {
                matched.push(w.clone());
            }
        }
        out.push((
            kind,
            Hit {
                entity_id: id,
                score: all.iter().map(|(s, _, _)| s).sum::<u32>() / n as u32,
                on: "name",
                kind: all
                    .iter()
                    .map(|(_, k, _)| *k)
                    .max()
                    .unwrap_or(MatchKind::Exact),
                matched,
                sort_key,
            },
        ));
    }
    Ok(())
}

/// A match on a contact or microchip. An email or phone prefix says more than a name
/// prefix, so it scores a little higher.
fn single(
    out: &mut Vec<(String, Hit)>,
    p: Posting,
    on: &'static str,
    kind: MatchKind,
    shown: String,
) {
    let score = match kind {
        MatchKind::Prefix => rules::word_score(kind, 0) + 5,
        _ => rules::word_score(kind, 0),
    };
    out.push((
        p.kind,
        Hit {
            entity_id: p.entity_id,
            score,
            on,
            kind,
            matched: vec![shown],
            sort_key: p.sort_key,
        },
    ));
}

async fn by_phone(
    db: &impl ConnectionTrait,
    digits: &str,
    opts: &Options,
    out: &mut Vec<(String, Hit)>,
) -> Result<(), DbErr> {
    let key = rules::phone_key(digits);
    // Stored numbers ending with the query; a national number's trunk zeros ("020 ...")
    // are also tried without them, to find the number stored with its country code.
    let trimmed = digits.trim_start_matches('0');
    let mut keys = vec![key.clone()];
    if trimmed.len() != digits.len() && trimmed.len() >= rules::MIN_PHONE_DIGITS {
        keys.push(rules::phone_key(trimmed));
    }
    for k in &keys {
        for p in prefixed(db, field::PHONE, k, opts).await? {
            let kind = if p.word == key {
                MatchKind::Exact
            } else {
                MatchKind::Suffix
            };
            let shown = rules::phone_key(&p.word);
            single(out, p, "phone", kind, shown);
        }
    }
    // Stored numbers the query ends with (the query has a country or area code more).
    let shorter: Vec<String> = (7..key.len()).map(|n| key[..n].to_owned()).collect();
    for p in exact(db, field::PHONE, &shorter, opts).await? {
        let shown = rules::phone_key(&p.word);
        single(out, p, "phone", MatchKind::Suffix, shown);
    }
    Ok(())
}

/// Finds clients and patients for a search text, ranked: exact before prefix before typo
/// matches, then by name. Phones match by digits (a suffix of at least 6), emails by
/// case-insensitive prefix, microchips exactly.
pub async fn search(db: &impl ConnectionTrait, text: &str, opts: Options) -> Result<Hits, DbErr> {
    let parts = rules::parse_query(text);
    let mut found: Vec<(String, Hit)> = Vec::new();
    if !parts.words.is_empty() {
        by_name(db, &parts.words, &opts, &mut found).await?;
    }
    if let Some(d) = &parts.phone_digits
        && opts.clients
    {
        by_phone(db, d, &opts, &mut found).await?;
    }
    if let Some(e) = &parts.email_prefix
        && opts.clients
    {
        for p in prefixed(db, field::EMAIL, e, &opts).await? {
            let kind = if &p.word == e {
                MatchKind::Exact
            } else {
                MatchKind::Prefix
            };
            let shown = p.word.clone();
            single(&mut found, p, "email", kind, shown);
        }
    }
    if let Some(chip) = &parts.microchip
        && opts.patients
    {
        for p in exact(db, field::MICROCHIP, std::slice::from_ref(chip), &opts).await? {
            let shown = p.word.clone();
            single(&mut found, p, "microchip", MatchKind::Exact, shown);
        }
    }
    // The best reason per record.
    let mut best: HashMap<(String, Uuid), Hit> = HashMap::new();
    for (kind, hit) in found {
        let e = best
            .entry((kind, hit.entity_id))
            .or_insert_with(|| hit.clone());
        if hit.score > e.score {
            *e = hit;
        }
    }
    let mut hits = Hits::default();
    for ((kind, _), hit) in best {
        if kind == CLIENT {
            hits.clients.push(hit);
        } else {
            hits.patients.push(hit);
        }
    }
    for list in [&mut hits.clients, &mut hits.patients] {
        list.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.sort_key.cmp(&b.sort_key))
                .then_with(|| a.entity_id.cmp(&b.entity_id))
        });
        list.truncate(opts.limit);
    }
    Ok(hits)
}

/// A current owner of a patient, for display.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientOwner {
    pub patient_id: Uuid,
    pub is_primary: bool,
    pub client: client::Model,
}

/// The current owners of some patients (primary first).
pub async fn current_owners(
    db: &impl ConnectionTrait,
    patients: &[Uuid],
) -> Result<Vec<PatientOwner>, DbErr> {
    if patients.is_empty() {
        return Ok(Vec::new());
    }
    let links = patient_owner::Entity::find()
        .filter(patient_owner::Column::PatientId.is_in(patients.iter().copied()))
        .filter(patient_owner::Column::EndedAt.is_null())
        .all(db)
        .await?;
    let ids: BTreeSet<Uuid> = links.iter().map(|l| l.client_id).collect();
    let clients: HashMap<Uuid, client::Model> = client::Entity::find()
        .filter(client::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut out: Vec<PatientOwner> = links
        .into_iter()
        .filter_map(|l| {
            Some(PatientOwner {
                patient_id: l.patient_id,
                is_primary: l.is_primary,
                client: clients.get(&l.client_id)?.clone(),
            })
        })
        .collect();
    out.sort_by_key(|o| (!o.is_primary, o.client.name_key.clone()));
    Ok(out)
}

/// Clients by id (those that exist).
pub async fn clients_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, client::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(client::Entity::find()
        .filter(client::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

/// Patients by id (those that exist).
pub async fn patients_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, patient::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(patient::Entity::find()
        .filter(patient::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}
