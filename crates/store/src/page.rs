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

/// Every row whose `col` is `value` (a patient's, a visit's records) in creation order:
/// `created_at` then id, oldest first or newest first.
pub(crate) fn of_owner<E: EntityTrait>(
    col: E::Column,
    value: impl Into<sea_orm::Value>,
    created: E::Column,
    id: E::Column,
    newest_first: bool,
) -> Select<E> {
    let order = if newest_first {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    E::find()
        .filter(col.eq(value))
        .order_by(created, order.clone())
        .order_by(id, order)
}
