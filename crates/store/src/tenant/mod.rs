//! One company's database: practices, users, sessions and the tenant audit log. Practice records: clients,
//! patients and scheduling; the search index over clients and patients.

/// An entity without relations and with the default behaviour, as every tenant entity is.
macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

/// What every table of records has, in the module of its entity: [`no_relations!`], and
/// `insert`, `update` (writes every column of the model over the stored row) and `find` by
/// key (also as [`Record`]).
macro_rules! record_rows {
    ($key:ty) => {
        no_relations!();

        pub async fn insert(db: &impl $crate::TenantConn, m: Model) -> Result<Model, DbErr> {
            ActiveModel::from(m).reset_all().insert(db).await
        }

        /// Writes every column of `m` over the stored row.
        pub async fn update(db: &impl $crate::TenantConn, m: Model) -> Result<Model, DbErr> {
            ActiveModel::from(m).reset_all().update(db).await
        }

        pub async fn find(db: &impl $crate::TenantConn, key: $key) -> Result<Option<Model>, DbErr> {
            Entity::find_by_id(key).one(db).await
        }

        impl $crate::tenant::Record for Model {
            async fn insert(self, db: &impl $crate::TenantConn) -> Result<Self, DbErr> {
                insert(db, self).await
            }

            async fn update(self, db: &impl $crate::TenantConn) -> Result<Self, DbErr> {
                update(db, self).await
            }
        }
    };
}

/// `find_many`: the records of these ids (in no particular order), for naming them in
/// answers.
macro_rules! find_many {
    ($id:ty) => {
        pub async fn find_many(
            db: &impl $crate::TenantConn,
            ids: &[$id],
        ) -> Result<Vec<Model>, DbErr> {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            Entity::find()
                .filter(Column::Id.is_in(ids.iter().copied()))
                .all(db)
                .await
        }
    };
}

pub(crate) use crate::page::{of_owner, page_after, page_before};

pub mod access;
pub mod appointment;
pub mod appointment_type;
pub mod attachment;
pub mod audit;
pub mod client;
pub mod client_contact;
pub mod custom_breed;
pub mod custom_species;
pub mod import;
pub mod lab_order;
pub mod lab_result;
pub mod migration;
pub mod note_addendum;
pub mod patient;
pub mod patient_owner;
pub mod patient_weight;
pub mod practice;
pub mod problem;
pub mod room;
pub mod search;
pub mod session;
pub mod soap_note;
pub mod usage;
pub mod user;
pub mod visit;

pub use migration::TenantMigrator;

/// A model the services write whole, as a new row or over its stored row (the `insert` and
/// `update` of its module), for code that writes any kind of record the same way.
pub trait Record: Sized + Send {
    fn insert(
        self,
        db: &impl crate::TenantConn,
    ) -> impl std::future::Future<Output = Result<Self, sea_orm::DbErr>> + Send;

    fn update(
        self,
        db: &impl crate::TenantConn,
    ) -> impl std::future::Future<Output = Result<Self, sea_orm::DbErr>> + Send;
}
