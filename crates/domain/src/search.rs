//! The rules of record search: which words a name is indexed under, how many typing errors a
//! query word may carry, the deletion keys that find those errors with exact index lookups
//! (the symmetric-deletion method: two words within `d` edits share a key made by deleting at
//! most `d` characters from each), and how matches are ranked.

use std::collections::BTreeSet;

/// Longest name word indexed for typo tolerance; longer words are found exactly or by prefix.
pub const MAX_FUZZY_WORD: usize = 24;

/// The searchable words of a name: folded (`text::fold_name`), split on spaces, without
/// duplicates, in order.
pub fn name_words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in crate::text::fold_name(name).split(' ') {
        if !w.is_empty() && !out.iter().any(|o| o == w) {
            out.push(w.chars().take(120).collect());
        }
    }
    out
}

/// How many edits (insertions, deletions, substitutions, adjacent transpositions) a word of
/// `len` characters may differ by and still match: none up to 2 characters, one up to 4,
/// two from 5 on.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=4 => 1,
        _ => 2,
    }
}

/// The word itself and every string made by deleting up to `max` of its characters (never
/// down to an empty string).
pub fn deletion_keys(word: &str, max: usize) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = word.chars().collect();
    out.insert(word.to_owned());
    let mut frontier = vec![chars];
    for _ in 0..max {
        let mut next = Vec::new();
        for w in &frontier {
            if w.len() <= 1 {
                continue;
            }
            for i in 0..w.len() {
                let mut v = w.clone();
                v.remove(i);
                let s: String = v.iter().collect();
                if out.insert(s) {
                    next.push(v);
                }
            }
        }
        frontier = next;
    }
    out
}

/// The keys an indexed word is stored under (none beyond itself for long words).
pub fn stored_keys(word: &str) -> BTreeSet<String> {
    let len = word.chars().count();
    if len > MAX_FUZZY_WORD {
        return BTreeSet::from([word.to_owned()]);
    }
    deletion_keys(word, max_edits(len))
}

/// Edit distance with adjacent transpositions counted as one edit (optimal string
/// alignment): "jonh" is one edit from "john".
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// How a query word matched an indexed word, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    Exact,
    Prefix,
    /// Phone numbers: the query is the end of the stored number or the other way round.
    Suffix,
    Fuzzy,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Prefix => "prefix",
            Self::Suffix => "suffix",
            Self::Fuzzy => "fuzzy",
        }
    }
}

/// The score of one matched query word: exact beats prefix beats any typo; fewer edits beat
/// more.
pub fn word_score(kind: MatchKind, edits: usize) -> u32 {
    match kind {
        MatchKind::Exact => 100,
        MatchKind::Prefix => 70,
        MatchKind::Suffix => 80,
        MatchKind::Fuzzy => 50u32.saturating_sub(15 * edits as u32),
    }
}

/// The smallest string greater than every string starting with `prefix`, for an index range
/// scan (`word >= prefix AND word < upper`); `None` when there is none.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = char::from_u32(last as u32 + 1) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// A phone number as indexed: its digits reversed, so that "ends with" is a prefix scan.
pub fn phone_key(digits: &str) -> String {
    digits.chars().rev().collect()
}

/// Fewest digits a phone query needs.
pub const MIN_PHONE_DIGITS: usize = 6;

/// What a search text may be, beyond a name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct QueryParts {
    /// Folded name words (empty when the text is a phone number or an email).
    pub words: Vec<String>,
    /// Digits, when the text looks like a phone number (at least 6 digits and only phone
    /// punctuation).
    pub phone_digits: Option<String>,
    /// Lower-cased text, when it could be the start of an email address.
    pub email_prefix: Option<String>,
    /// The code as microchips are stored, when the text could be one.
    pub microchip: Option<String>,
}

/// Splits a search text into what it could mean. At most 5 name words are kept.
pub fn parse_query(q: &str) -> QueryParts {
    let q = q.trim();
    let mut out = QueryParts::default();
    let digits = crate::text::phone_digits(q);
    let phone_like = !digits.is_empty()
        && q.chars()
            .all(|c| c.is_ascii_digit() || " -().+/".contains(c));
    if phone_like && digits.len() >= MIN_PHONE_DIGITS {
        out.phone_digits = Some(digits);
    }
    let no_space = !q.chars().any(char::is_whitespace);
    if no_space && q.chars().count() >= 3 && !phone_like {
        out.email_prefix = Some(q.to_lowercase());
    }
    let chip: String = q
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '*'))
        .flat_map(char::to_uppercase)
        .collect();
    if (6..=16).contains(&chip.len())
        && chip.chars().all(|c| c.is_ascii_alphanumeric())
        && chip.chars().any(|c| c.is_ascii_digit())
    {
        out.microchip = Some(chip);
    }
    if !phone_like && !q.contains('@') {
        out.words = name_words(q).into_iter().take(5).collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_transpositions_as_one() {
        assert_eq!(edit_distance("jonh", "john"), 1);
        assert_eq!(edit_distance("smiht", "smith"), 1);
        assert_eq!(edit_distance("bela", "bella"), 1);
        assert_eq!(edit_distance("smth", "smith"), 1);
        assert_eq!(edit_distance("smyht", "smith"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn words_within_the_allowed_edits_share_a_key() {
        let pairs = [
            ("jonh", "john"),
            ("smiht", "smith"),
            ("bela", "bella"),
            ("smth", "smith"),
            ("mxller", "muller"),
            ("thompsn", "thompson"),
            ("thomsn", "thompson"),
            ("catherine", "katharine"),
            ("jhon", "john"),
        ];
        for (q, w) in pairs {
            let d = max_edits(q.chars().count());
            assert!(edit_distance(q, w) <= d, "{q} {w}");
            let qk = deletion_keys(q, d);
            let wk = stored_keys(w);
            assert!(qk.intersection(&wk).next().is_some(), "{q} ~ {w}");
        }
    }

    #[test]
    fn short_words_are_not_fuzzy() {
        assert_eq!(max_edits(2), 0);
        assert_eq!(deletion_keys("al", 0), BTreeSet::from(["al".to_owned()]));
        let keys = deletion_keys("bella", 2);
        assert!(keys.contains("bella") && keys.contains("bla") && keys.contains("ella"));
        assert!(keys.iter().all(|k| k.chars().count() >= 3));
    }

    #[test]
    fn prefix_bounds_and_phone_keys() {
        assert_eq!(prefix_upper_bound("smi").as_deref(), Some("smj"));
        assert_eq!(prefix_upper_bound("az").as_deref(), Some("a{"));
        assert_eq!(phone_key("5551234"), "4321555");
    }

    #[test]
    fn queries_split_into_their_meanings() {
        let p = parse_query("Jonh Smiht");
        assert_eq!(p.words, vec!["jonh", "smiht"]);
        assert_eq!(p.phone_digits, None);
        assert_eq!(p.microchip, None);
        let p = parse_query("(555) 123-4567");
        assert_eq!(p.phone_digits.as_deref(), Some("5551234567"));
        assert!(p.words.is_empty() && p.email_prefix.is_none());
        let p = parse_query("J.Smith@Example");
        assert_eq!(p.email_prefix.as_deref(), Some("j.smith@example"));
        assert!(p.words.is_empty());
        let p = parse_query("985 112 003 456 789");
        assert_eq!(p.microchip.as_deref(), Some("985112003456789"));
        assert_eq!(p.phone_digits.as_deref(), Some("985112003456789"));
        let p = parse_query("0A12B3C4D");
        assert_eq!(p.microchip.as_deref(), Some("0A12B3C4D"));
        assert_eq!(p.words, vec!["0a12b3c4d"]);
        assert_eq!(name_words("Mary-Anne  mary"), vec!["mary", "anne"]);
    }
}
