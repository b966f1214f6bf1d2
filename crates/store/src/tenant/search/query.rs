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

/// Rows whose word is one of `words`, optionally only of some records, at most `cap`.
async fn postings(
    db: &impl ConnectionTrait,
    field: &str,
    words: &[String],
    opts: &Options,
    only: Option<&[Uuid]>,
    cap: u64,
) -> Result<Vec<Posting>, DbErr> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = base(field, opts);
    q.and_where(Expr::col("word").is_in(words.iter().cloned()));
    if let Some(ids) = only {
        q.and_where(Expr::col("entity_id").is_in(ids.iter().copied()));
    }
    q.limit(cap);
    fetch(db, &q).await
}

/// Rows whose word is one of `words`.
async fn exact(
    db: &impl ConnectionTrait,
    field: &str,
    words: &[String],
    opts: &Options,
) -> Result<Vec<Posting>, DbErr> {
    postings(db, field, words, opts, None, CAP).await
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

/// Most distinct indexed words one query word may stand for (a one-letter prefix).
const WORD_CAP: u64 = 300;

/// The indexed name words a query word may mean, with how: itself (exact), words it starts
/// (prefix) and words within its typo budget (fuzzy, with the edits). Only the small
/// `search_fuzzy` table is read: every indexed word is a key of itself there.
async fn candidate_words(
    db: &impl ConnectionTrait,
    word: &str,
) -> Result<HashMap<String, (MatchKind, usize)>, DbErr> {
    let mut out = HashMap::new();
    let mut q = Query::select();
    q.column("word")
        .from("search_fuzzy")
        .and_where(Expr::col("del_key").gte(word))
        .and_where(Expr::col("del_key").eq(Expr::col("word")))
        .order_by("del_key", sea_orm::sea_query::Order::Asc)
        .limit(WORD_CAP);
    if let Some(upper) = rules::prefix_upper_bound(word) {
        q.and_where(Expr::col("del_key").lt(upper));
    }
    for r in db.query_all(&q).await? {
        let w: String = r.try_get("", "word")?;
        if w.starts_with(word) {
            let kind = if w == word {
                MatchKind::Exact
            } else {
                MatchKind::Prefix
            };
            out.insert(w, (kind, 0));
        }
    }
    for (w, d) in fuzzy_words(db, word).await? {
        out.entry(w).or_insert((MatchKind::Fuzzy, d));
    }
    Ok(out)
}

/// Index rows of these words (an upper bound of the records they find: inactive ones are
/// counted too, so that the count is read from the index alone).
async fn count_postings(
    db: &impl ConnectionTrait,
    words: &[String],
    opts: &Options,
) -> Result<i64, DbErr> {
    let mut kinds = Vec::new();
    if opts.clients {
        kinds.push(CLIENT);
    }
    if opts.patients {
        kinds.push(PATIENT);
    }
    let mut q = Query::select();
    q.expr_as(Expr::col("word").count(), "n")
        .from("search_terms")
        .and_where(Expr::col("field").eq(field::NAME))
        .and_where(Expr::col("word").is_in(words.iter().cloned()))
        .and_where(Expr::col("entity_kind").is_in(kinds));
    let row = db.query_one(&q).await?;
    Ok(row.map_or(Ok(0), |r| r.try_get::<i64>("", "n"))?)
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

/// Most index rows read for the most selective query word; a query broader than this (one
/// or two letters) is answered from the first rows in index order.
const DRIVER_CAP: u64 = 20_000;

/// Most record ids passed to the other words' lookups as a filter.
const RESTRICT_MAX: usize = 2_000;

/// Every query word must match a name word of the record. The most selective word (fewest
/// index rows, counted from the index) is read first; the other words are then looked up
/// among the records it found, so common names never truncate the answer.
async fn by_name(
    db: &impl ConnectionTrait,
    words: &[String],
    opts: &Options,
    out: &mut Vec<(String, Hit)>,
) -> Result<(), DbErr> {
    let n = words.len();
    let mut cands = Vec::with_capacity(n);
    for w in words {
        let c = candidate_words(db, w).await?;
        if c.is_empty() {
            return Ok(());
        }
        cands.push(c);
    }
    let lists: Vec<Vec<String>> = cands.iter().map(|c| c.keys().cloned().collect()).collect();
    let mut driver = 0;
    if n > 1 {
        let mut best = i64::MAX;
        for (i, l) in lists.iter().enumerate() {
            let c = count_postings(db, l, opts).await?;
            if c == 0 {
                return Ok(());
            }
            if c < best {
                (best, driver) = (c, i);
            }
        }
    }
    let mut board: Board = HashMap::new();
    let score = |i: usize, p: &Posting| {
        let (kind, d) = cands[i]
            .get(&p.word)
            .copied()
            .unwrap_or((MatchKind::Fuzzy, 2));
        (rules::word_score(kind, d), kind)
    };
    for p in postings(db, field::NAME, &lists[driver], opts, None, DRIVER_CAP).await? {
        let (s, k) = score(driver, &p);
        mark(&mut board, n, driver, p, s, k);
    }
    if board.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = board.keys().map(|(_, id)| *id).collect();
    let only = (ids.len() <= RESTRICT_MAX).then_some(ids.as_slice());
    for i in (0..n).filter(|&i| i != driver) {
        for p in postings(db, field::NAME, &lists[i], opts, only, DRIVER_CAP).await? {
            let (s, k) = score(i, &p);
            if board.contains_key(&(p.kind.clone(), p.entity_id)) {
                mark(&mut board, n, i, p, s, k);
            }
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
