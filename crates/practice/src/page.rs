//! Keyset pages of lists: a requested size and cursor in, items and the next cursor out.

use crate::{ServiceError, ServiceResult};

/// The largest page a list answers.
pub const MAX_LIMIT: u64 = 200;
/// The page size when none is asked for.
pub const DEFAULT_LIMIT: u64 = 50;

/// What a caller asks of a list: at most `limit` items after `cursor`.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl PageRequest {
    /// The page size: 1 to 200, 50 when not given.
    pub fn limit(&self) -> ServiceResult<u64> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ServiceError::bad_request(
                "invalid_query",
                "limit must be between 1 and 200",
            )),
        }
    }

    /// The cursor as the key it carries (an id, or a list's own composite key).
    pub fn cursor<T: std::str::FromStr>(&self) -> ServiceResult<Option<T>> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => c
                .parse()
                .map(Some)
                .map_err(|_| ServiceError::bad_request("invalid_query", "cursor is not valid")),
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

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}
