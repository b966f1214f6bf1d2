//! Keyset pages over tables keyed by time-ordered (v7) ids, for owner and tenant lists alike.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select};

/// The start of a keyset page of a table of records: its rows in creation (`id`) order after
/// `cursor`, at most `limit`. Callers add their filters.
pub(crate) fn page_after<E: EntityTrait>(
    id: E::Column,
    cursor: Option<impl Into<sea_orm::Value>>,
    limit: u64,
) -> Select<E> {
    E::find()
        .order_by_asc(id)
        .limit(limit)
        .apply_if(cursor, |q, c| q.filter(id.gt(c)))
}

/// The same page newest first: rows created before `cursor` (an id), at most `limit`.
pub(crate) fn page_before<E: EntityTrait>(
    id: E::Column,
    cursor: Option<impl Into<sea_orm::Value>>,
    limit: u64,
) -> Select<E> {
    E::find()
        .order_by_desc(id)
        .limit(limit)
        .apply_if(cursor, |q, c| q.filter(id.lt(c)))
}
