//! Keyset pages of the owner lists: a requested size and cursor in, items and the next cursor
//! out.

use crate::{PlatformError, PlatformResult};

/// What a caller asks of a list: at most `limit` items after `cursor`.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The page size: 1 to 200, 50 when not given.
    pub fn limit(&self) -> PlatformResult<u64> {
        match self.limit {
            None => Ok(50),
            Some(n @ 1..=200) => Ok(n),
            Some(_) => Err(PlatformError::bad_request(
                "invalid_query",
                "limit must be between 1 and 200",
            )),
        }
    }

    /// The cursor as the key it carries.
    pub fn cursor<T: std::str::FromStr>(&self) -> PlatformResult<Option<T>> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => c
                .parse()
                .map(Some)
                .map_err(|_| PlatformError::bad_request("invalid_query", "cursor is not valid")),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
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
