//! What the owner and the tenant migration sets are written with: the [`migration!`] macro
//! (name, transaction, `apply`/`revert`), a [`table`] builder that creates a table together
//! with its foreign keys and indexes, and the alter/drop steps both sets use.
//!
//! Migrations are history: these helpers only spell out the same SeaORM schema statements the
//! migrations always ran, in the same order, so a database migrated before and after them has
//! the same schema.

use sea_orm::DbErr;
use sea_orm_migration::prelude::*;

/// One migration: its name (recorded in the migration table, never to change), run in a
/// transaction, `apply` and `revert` in the type's own `impl` block.
macro_rules! migration {
    ($(#[$meta:meta])* $vis:vis $ty:ident, $name:literal) => {
        $(#[$meta])*
        $vis struct $ty;

        impl sea_orm_migration::MigrationName for $ty {
            fn name(&self) -> &str {
                $name
            }
        }

        #[async_trait::async_trait]
        impl sea_orm_migration::MigrationTrait for $ty {
            fn use_transaction(&self) -> Option<bool> {
                Some(true)
            }

            async fn up(
                &self,
                m: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm::DbErr> {
                $ty::apply(m).await
            }

            async fn down(
                &self,
                m: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm::DbErr> {
                $ty::revert(m).await
            }
        }
    };
}
pub(crate) use migration;

/// A `CREATE TABLE` being written, with the indexes created right after it.
pub(crate) struct NewTable {
    name: &'static str,
    table: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
}

/// A table whose first column is the UUID primary key `id`.
pub(crate) fn table(name: &'static str) -> NewTable {
    bare_table(name).col(sea_orm_migration::schema::uuid("id").primary_key())
}

/// A table with no columns yet (its key is set with [`NewTable::primary_key`] or on a column).
pub(crate) fn bare_table(name: &'static str) -> NewTable {
    NewTable {
        name,
        table: Table::create().table(name).to_owned(),
        indexes: Vec::new(),
    }
}

impl NewTable {
    /// The next column.
    pub(crate) fn col(mut self, col: impl IntoColumnDef) -> Self {
        self.table.col(col);
        self
    }

    /// `created_at` and `updated_at`, both required.
    pub(crate) fn timestamps(self) -> Self {
        use sea_orm_migration::schema::timestamp_with_time_zone;
        self.col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
    }

    /// A composite primary key over `cols`.
    pub(crate) fn primary_key(mut self, cols: &[&'static str]) -> Self {
        let mut key = Index::create();
        for c in cols {
            key.col(*c);
        }
        self.table.primary_key(&mut key);
        self
    }

    /// `FOREIGN KEY (col) REFERENCES to (id)`.
    pub(crate) fn references(mut self, col: &'static str, to: &'static str) -> Self {
        self.table
            .foreign_key(ForeignKey::create().from(self.name, col).to(to, "id"));
        self
    }

    /// `CREATE INDEX name ON this table (cols)`, run after the table is created.
    pub(crate) fn index(mut self, name: &str, cols: &[&str]) -> Self {
        self.indexes
            .push(index_statement(name, self.name, cols, false));
        self
    }

    /// `CREATE UNIQUE INDEX name ON this table (cols)`, run after the table is created.
    pub(crate) fn unique_index(mut self, name: &str, cols: &[&str]) -> Self {
        self.indexes
            .push(index_statement(name, self.name, cols, true));
        self
    }

    /// Creates the table, then its indexes in the order they were added.
    pub(crate) async fn create(self, m: &SchemaManager<'_>) -> Result<(), DbErr> {
        m.create_table(self.table).await?;
        for i in self.indexes {
            m.create_index(i).await?;
        }
        Ok(())
    }
}

fn index_statement(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// `CREATE INDEX name ON table (cols)`.
pub(crate) async fn index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
    cols: &[&str],
) -> Result<(), DbErr> {
    m.create_index(index_statement(name, table, cols, false))
        .await
}

/// `DROP INDEX name` (on `table`).
pub(crate) async fn drop_index(
    m: &SchemaManager<'_>,
    name: &str,
    table: &str,
) -> Result<(), DbErr> {
    m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
        .await
}

/// `ALTER TABLE table ADD COLUMN col`.
pub(crate) async fn add_column(
    m: &SchemaManager<'_>,
    table: &str,
    col: impl IntoColumnDef,
) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(Alias::new(table))
            .add_column(col)
            .to_owned(),
    )
    .await
}

/// `ALTER TABLE table DROP COLUMN col` for each of `cols`, in order.
pub(crate) async fn drop_columns(
    m: &SchemaManager<'_>,
    table: &str,
    cols: &[&str],
) -> Result<(), DbErr> {
    for col in cols {
        m.alter_table(
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(*col))
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// `DROP TABLE` of each of `tables`, in order.
pub(crate) async fn drop_tables(m: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    for t in tables {
        m.drop_table(Table::drop().table(Alias::new(*t)).to_owned())
            .await?;
    }
    Ok(())
}

/// A table of people who sign in, tenant `users` and owner `platform_users`: unique email,
/// name, password hash, a role name of up to `role_len` characters, the optional scope the
/// account is tied to (`scope`: a practice or a company), active, timestamps.
pub(crate) fn account_table(name: &'static str, role_len: u32, scope: &'static str) -> NewTable {
    use sea_orm_migration::schema::{boolean, string_len, string_len_uniq, text, uuid_null};
    table(name)
        .col(string_len_uniq("email", 254))
        .col(string_len("name", 200))
        .col(text("password_hash"))
        .col(string_len("role", role_len))
        .col(uuid_null(scope))
        .col(boolean("active"))
        .timestamps()
}

/// A table of login sessions, tenant `sessions` and owner `owner_sessions`: the user, the
/// unique hash of the session token, when it was created, expires and was revoked.
pub(crate) fn session_table(name: &'static str) -> NewTable {
    use sea_orm_migration::schema::{
        string_len_uniq, timestamp_with_time_zone, timestamp_with_time_zone_null, uuid,
    };
    table(name)
        .col(uuid("user_id"))
        .col(string_len_uniq("token_hash", 64))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("expires_at"))
        .col(timestamp_with_time_zone_null("revoked_at"))
}
