//! The ranked lookup: every candidate comes from an index range or an exact key, never from
//! a scan of the record tables.

use crate::TenantConn;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ColumnTrait, DbBackend, DbErr, EntityTrait, QueryFilter, Statement};
use smartdmv_domain::search::{self as rules, MatchKind};
use smartdmv_domain::{ClientId, PatientId};
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

async fn fetch(db: &impl TenantConn, q: &SelectStatement) -> Result<Vec<Posting>, DbErr> {
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
    db: &impl TenantConn,
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
    db: &impl TenantConn,
    field: &str,
    words: &[String],
    opts: &Options,
) -> Result<Vec<Posting>, DbErr> {
    postings(db, field, words, opts, None, CAP).await
}

/// Rows whose word starts with `prefix` (the word itself first, in index order).
async fn prefixed(
    db: &impl TenantConn,
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

/// Most distinct indexed words one query word may stand for by prefix (a one-letter
/// prefix).
const WORD_CAP: u64 = 300;

/// Binds values for raw SQL, numbering PostgreSQL's placeholders.
struct Binds {
    backend: DbBackend,
    values: Vec<sea_orm::Value>,
}

impl Binds {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    fn one(&mut self, v: impl Into<sea_orm::Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".into(),
        }
    }

    /// An `IN` list, padded to a power of two by repeating its last value, so that the
    /// statement text takes few shapes and stays in the connection's prepared-statement
    /// cache (PostgreSQL would otherwise parse and plan most searches anew).
    fn list(&mut self, words: &[String]) -> String {
        let Some(last) = words.last() else {
            return "NULL".into();
        };
        let padded = words.len().next_power_of_two();
        let ph: Vec<String> = words
            .iter()
            .chain(std::iter::repeat_n(last, padded - words.len()))
            .map(|w| self.one(w.clone()))
            .collect();
        ph.join(", ")
    }

    fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// Per query word, the indexed name words it may mean, with how: itself (exact), words it
/// starts (prefix) and words within its typo budget (fuzzy, with the edits). One statement
/// over the small `search_fuzzy` table, where every indexed word is a key of itself.
async fn candidate_words(
    db: &impl TenantConn,
    words: &[String],
) -> Result<Vec<HashMap<String, (MatchKind, usize)>>, DbErr> {
    let mut b = Binds::new(db.get_database_backend());
    let mut parts = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let mut range = format!("del_key >= {}", b.one(w.clone()));
        if let Some(upper) = rules::prefix_upper_bound(w) {
            range.push_str(&format!(" AND del_key < {}", b.one(upper)));
        }
        parts.push(format!(
            "SELECT qi, word FROM (SELECT {i} AS qi, word FROM search_fuzzy WHERE {range} \
             AND del_key = word ORDER BY del_key LIMIT {WORD_CAP}) AS p{i}"
        ));
        let budget = rules::max_edits(w.chars().count());
        if budget > 0 && w.chars().count() <= rules::MAX_FUZZY_WORD {
            let keys: Vec<String> = rules::deletion_keys(w, budget).into_iter().collect();
            parts.push(format!(
                "SELECT {i} AS qi, word FROM search_fuzzy WHERE del_key IN ({})",
                b.list(&keys)
            ));
        }
    }
    let rows = db
        .query_all_raw(b.statement(parts.join(" UNION ALL ")))
        .await?;
    let mut out: Vec<HashMap<String, (MatchKind, usize)>> = vec![HashMap::new(); words.len()];
    for r in rows {
        let i: i32 = r.try_get("", "qi")?;
        let found: String = r.try_get("", "word")?;
        let (Some(q), Some(map)) = (words.get(i as usize), out.get_mut(i as usize)) else {
            continue;
        };
        let how = if found == *q {
            (MatchKind::Exact, 0)
        } else if found.starts_with(q.as_str()) {
            (MatchKind::Prefix, 0)
        } else {
            let d = rules::edit_distance(q, &found);
            if d > rules::max_edits(q.chars().count()) {
                continue;
            }
            (MatchKind::Fuzzy, d)
        };
        let e = map.entry(found).or_insert(how);
        *e = (*e).min(how);
    }
    Ok(out)
}

/// Index rows of each list of words, in one statement (an upper bound of the records they
/// find: inactive ones are counted too, so that the counts are read from the index alone).
async fn count_postings(
    db: &impl TenantConn,
    lists: &[Vec<String>],
    opts: &Options,
) -> Result<Vec<i64>, DbErr> {
    let mut b = Binds::new(db.get_database_backend());
    let cols: Vec<String> = lists
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "(SELECT count(*) FROM search_terms WHERE field = 'n' AND entity_kind IN {} \
                 AND word IN ({})) AS c{i}",
                kinds_sql(opts),
                b.list(l)
            )
        })
        .collect();
    let row = db
        .query_one_raw(b.statement(format!("SELECT {}", cols.join(", "))))
        .await?;
    let mut out = Vec::with_capacity(lists.len());
    for i in 0..lists.len() {
        out.push(match &row {
            Some(r) => r.try_get::<i64>("", &format!("c{i}"))?,
            None => 0,
        });
    }
    Ok(out)
}

/// Most rows read for a query of several words; a query broader than this (several one-
/// or two-letter words) is answered from the first rows found.
const JOIN_CAP: u64 = 20_000;

fn kinds_sql(opts: &Options) -> &'static str {
    match (opts.clients, opts.patients) {
        (true, true) => "('c', 'p')",
        (true, false) => "('c')",
        (false, true) => "('p')",
        (false, false) => "('-')",
    }
}

/// One word: the best `limit` records of each kind in one statement, ordered by how the
/// word matched (exact, prefix, one typo, two typos) and then by name, so that a name shared
/// by thousands of records sends `limit` rows.
async fn one_word(
    db: &impl TenantConn,
    cands: &HashMap<String, (MatchKind, usize)>,
    opts: &Options,
    out: &mut Vec<(String, Hit)>,
) -> Result<(), DbErr> {
    let mut words: Vec<(&String, &(MatchKind, usize))> = cands.iter().collect();
    words.sort_by_key(|(w, how)| (**how, (*w).clone()));
    let mut b = Binds::new(db.get_database_backend());
    let mut parts = Vec::new();
    for (kind, wanted) in [(CLIENT, opts.clients), (PATIENT, opts.patients)] {
        if !wanted {
            continue;
        }
        let list: Vec<String> = words.iter().map(|(w, _)| (*w).clone()).collect();
        let mut rank = String::from("CASE word");
        let pad = words.len().next_power_of_two() - words.len();
        let last = words.last().copied();
        // Padded like the IN lists (a repeated branch never matches first).
        for (w, how) in words
            .iter()
            .copied()
            .chain(last.into_iter().cycle().take(pad))
        {
            let tier = match how.0 {
                MatchKind::Exact => 0,
                MatchKind::Prefix => 1,
                _ => 1 + how.1,
            };
            rank.push_str(&format!(" WHEN {} THEN {tier}", b.one(w.clone())));
        }
        rank.push_str(" ELSE 9 END");
        let active = if opts.include_inactive {
            ""
        } else {
            " AND active = TRUE"
        };
        parts.push(format!(
            "SELECT entity_kind, entity_id, word, sort_key FROM (SELECT entity_kind, entity_id, \
             word, sort_key FROM search_terms WHERE field = 'n' AND entity_kind = '{kind}' \
             AND word IN ({}){active} ORDER BY {rank}, sort_key, entity_id LIMIT {}) AS k{kind}",
            b.list(&list),
            opts.limit * 2 + 5
        ));
    }
    if parts.is_empty() {
        return Ok(());
    }
    let rows = db
        .query_all_raw(b.statement(parts.join(" UNION ALL ")))
        .await?;
    let mut seen: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    for r in rows {
        let p = Posting {
            kind: r.try_get("", "entity_kind")?,
            entity_id: r.try_get("", "entity_id")?,
            word: r.try_get("", "word")?,
            sort_key: r.try_get("", "sort_key")?,
        };
        if !seen.insert(p.entity_id) {
            continue;
        }
        let (how, edits) = cands.get(&p.word).copied().unwrap_or((MatchKind::Fuzzy, 2));
        out.push((
            p.kind,
            Hit {
                entity_id: p.entity_id,
                score: rules::word_score(how, edits),
                on: "name",
                kind: how,
                matched: vec![p.word],
                sort_key: p.sort_key,
            },
        ));
    }
    Ok(())
}

/// How one query word matched: score, kind, the stored word.
type WordMatch = (u32, MatchKind, String);

/// Several words: every query word must match a name word of the record. One statement
/// joins the index with itself once per word, starting from the most selective word (fewest
/// index rows, counted from the index), so only records matching every word leave the
/// database.
async fn by_name(
    db: &impl TenantConn,
    words: &[String],
    opts: &Options,
    out: &mut Vec<(String, Hit)>,
) -> Result<(), DbErr> {
    let n = words.len();
    let cands = candidate_words(db, words).await?;
    if cands.iter().any(HashMap::is_empty) {
        return Ok(());
    }
    if n == 1 {
        return one_word(db, &cands[0], opts, out).await;
    }
    let lists: Vec<Vec<String>> = cands.iter().map(|c| c.keys().cloned().collect()).collect();
    let counts = count_postings(db, &lists, opts).await?;
    if counts.contains(&0) {
        return Ok(());
    }
    let mut counted: Vec<(i64, usize)> = counts.into_iter().zip(0..n).collect();
    // Most selective first: SQLite keeps the order of a CROSS JOIN; PostgreSQL plans freely.
    counted.sort();
    let order: Vec<usize> = counted.into_iter().map(|(_, i)| i).collect();
    let mut b = Binds::new(db.get_database_backend());
    let cols: Vec<String> = (0..n).map(|j| format!("t{j}.word AS w{j}")).collect();
    let mut sql = format!(
        "SELECT t0.entity_kind, t0.entity_id, t0.sort_key, {} FROM search_terms t0",
        cols.join(", ")
    );
    for j in 1..n {
        sql.push_str(&format!(" CROSS JOIN search_terms t{j}"));
    }
    let mut conds = vec![
        "t0.field = 'n'".to_owned(),
        format!("t0.entity_kind IN {}", kinds_sql(opts)),
        format!("t0.word IN ({})", b.list(&lists[order[0]])),
    ];
    if !opts.include_inactive {
        conds.push("t0.active = TRUE".into());
    }
    for (j, &i) in order.iter().enumerate().skip(1) {
        conds.push(format!("t{j}.entity_id = t0.entity_id"));
        conds.push(format!("t{j}.entity_kind = t0.entity_kind"));
        conds.push(format!("t{j}.field = 'n'"));
        conds.push(format!("t{j}.word IN ({})", b.list(&lists[i])));
    }
    sql.push_str(&format!(" WHERE {} LIMIT {JOIN_CAP}", conds.join(" AND ")));
    let rows = db.query_all_raw(b.statement(sql)).await?;
    // Per record, the best match of each query word.
    let mut board: HashMap<(String, Uuid), (String, Vec<WordMatch>)> = HashMap::new();
    for r in rows {
        let kind: String = r.try_get("", "entity_kind")?;
        let id: Uuid = r.try_get("", "entity_id")?;
        let sort_key: String = r.try_get("", "sort_key")?;
        let mut per: Vec<(u32, MatchKind, String)> = vec![(0, MatchKind::Fuzzy, String::new()); n];
        for (j, &i) in order.iter().enumerate() {
            let w: String = r.try_get("", &format!("w{j}"))?;
            let (how, d) = cands[i].get(&w).copied().unwrap_or((MatchKind::Fuzzy, 2));
            per[i] = (rules::word_score(how, d), how, w);
        }
        let total: u32 = per.iter().map(|(s, _, _)| s).sum();
        match board.get(&(kind.clone(), id)) {
            Some((_, old)) if old.iter().map(|(s, _, _)| s).sum::<u32>() >= total => {}
            _ => {
                board.insert((kind, id), (sort_key, per));
            }
        }
    }
    for ((kind, id), (sort_key, all)) in board {
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
    db: &impl TenantConn,
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
pub async fn search(db: &impl TenantConn, text: &str, opts: Options) -> Result<Hits, DbErr> {
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
    pub patient_id: PatientId,
    pub is_primary: bool,
    pub client: client::Model,
}

/// The current owners of some patients (primary first).
pub async fn current_owners(
    db: &impl TenantConn,
    patients: &[PatientId],
) -> Result<Vec<PatientOwner>, DbErr> {
    if patients.is_empty() {
        return Ok(Vec::new());
    }
    let links = patient_owner::Entity::find()
        .filter(patient_owner::Column::PatientId.is_in(patients.iter().copied()))
        .filter(patient_owner::Column::EndedAt.is_null())
        .all(db)
        .await?;
    let ids: Vec<ClientId> = links
        .iter()
        .map(|l| l.client_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let clients = clients_by_id(db, &ids).await?;
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
    db: &impl TenantConn,
    ids: &[ClientId],
) -> Result<HashMap<ClientId, client::Model>, DbErr> {
    let rows = client::find_many(db, ids).await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// Patients by id (those that exist).
pub async fn patients_by_id(
    db: &impl TenantConn,
    ids: &[PatientId],
) -> Result<HashMap<PatientId, patient::Model>, DbErr> {
    let rows = patient::find_many(db, ids).await?;
    Ok(rows.into_iter().map(|p| (p.id, p)).collect())
}
