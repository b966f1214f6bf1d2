//! Keyset pages of lists: a requested size and cursor in, items and the next cursor out. The
//! tenant services, the owner services and the API's answers share these.

use serde::{Deserialize, Serialize};

/// The largest page a list answers.
pub const MAX_LIMIT: u64 = 200;
/// The page size when none is asked for.
pub const DEFAULT_LIMIT: u64 = 50;

/// A page request that cannot be served: 400 `invalid_query` with this detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PageError(pub &'static str);

/// What a caller asks of a list: at most `limit` items after `cursor` (the query parameters
/// of list routes).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageRequest {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The page size: 1 to 200, 50 when not given.
    pub fn limit(&self) -> Result<u64, PageError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(PageError("limit must be between 1 and 200")),
        }
    }

    /// The cursor as the key it carries (an id, or a list's own composite key).
    pub fn cursor<T: std::str::FromStr>(&self) -> Result<Option<T>, PageError> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => c
                .parse()
                .map(Some)
                .map_err(|_| PageError("cursor is not valid")),
        }
    }
}

/// One page of a list: `{"items": [...], "nextCursor": "..." | null}` in answers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page from `limit + 1` fetched rows: the extra row, if any, only says there is more,
    /// and the last row kept gives the cursor.
    pub fn from_rows(mut rows: Vec<T>, limit: u64, key: impl Fn(&T) -> String) -> Self {
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let next_cursor = if more { rows.last().map(key) } else { None };
        Self {
            items: rows,
            next_cursor,
        }
    }

    /// The whole list as one page.
    pub fn all(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_and_stay_in_range() {
        let req = |limit| PageRequest {
            limit,
            cursor: None,
        };
        assert_eq!(req(None).limit(), Ok(50));
        assert_eq!(req(Some(1)).limit(), Ok(1));
        assert_eq!(req(Some(200)).limit(), Ok(200));
        assert!(req(Some(0)).limit().is_err());
        assert!(req(Some(201)).limit().is_err());
    }

    #[test]
    fn an_extra_row_gives_the_cursor_of_the_last_kept() {
        let p = Page::from_rows(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_cursor.as_deref(), Some("2"));
        let last = Page::from_rows(vec![1, 2], 2, |n| n.to_string());
        assert_eq!(last.next_cursor, None);
    }

    #[test]
    fn a_bad_cursor_is_refused_and_an_empty_one_ignored() {
        let req = |c: &str| PageRequest {
            limit: None,
            cursor: Some(c.to_owned()),
        };
        assert_eq!(req("").cursor::<u32>(), Ok(None));
        assert_eq!(req("7").cursor::<u32>(), Ok(Some(7)));
        assert!(req("x").cursor::<u32>().is_err());
    }
}
