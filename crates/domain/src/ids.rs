//! Typed identifiers. Every id is a UUIDv7 so that ids sort by creation time.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// An id type, with the name of what it identifies (for "room not found").
pub trait TypedId: FromStr + Copy {
    const ENTITY: &'static str;
    fn uuid(self) -> Uuid;
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $entity:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "orm", derive(sea_orm::DeriveValueType))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        /// A primary key column: never generated from an auto-increment number.
        #[cfg(feature = "orm")]
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
                Err(sea_orm::DbErr::ConvertFromU64(stringify!($name)))
            }
        }

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl TypedId for $name {
            const ENTITY: &'static str = $entity;
            fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

id_type!(
    /// A company (tenant) registered in the owner database.
    CompanyId,
    "company"
);
// The owner database's other records.
id_type!(
    /// A plan companies subscribe to.
    PlanId,
    "plan"
);
id_type!(
    /// A company's subscription to a plan.
    SubscriptionId,
    "subscription"
);
id_type!(
    /// A platform invoice to a company.
    InvoiceId,
    "invoice"
);
id_type!(
    /// A payment a provider collected that its invoice did not take.
    UnappliedPaymentId,
    "unapplied payment"
);
id_type!(
    /// A custom domain of a company.
    DomainId,
    "domain"
);
id_type!(
    /// A user of the platform (an `OWNER` or a `COMPANY_ADMIN`).
    PlatformUserId,
    "platform user"
);
id_type!(
    /// A practice (clinic) inside one company's database.
    PracticeId,
    "practice"
);
id_type!(
    /// A user inside one company's database.
    UserId,
    "user"
);
id_type!(
    /// A bookable room of a practice.
    RoomId,
    "room"
);
id_type!(
    /// A client (pet owner) of a company.
    ClientId,
    "client"
);
id_type!(
    /// A patient (pet) of a company.
    PatientId,
    "patient"
);
id_type!(
    /// An appointment.
    AppointmentId,
    "appointment"
);
id_type!(
    /// An appointment type of a practice.
    AppointmentTypeId,
    "appointment type"
);
id_type!(
    /// A custom role of a company.
    RoleId,
    "role"
);
id_type!(
    /// A per-user permission override (a grant or a denial of one permission).
    OverrideId,
    "override"
);
id_type!(
    /// A signed-in session of a company user.
    SessionId,
    "session"
);
id_type!(
    /// One phone number or email address of a client.
    ContactId,
    "contact"
);
id_type!(
    /// A client's ownership of a patient (current or ended).
    OwnershipId,
    "ownership"
);
id_type!(
    /// One weighing of a patient.
    WeightId,
    "weighing"
);
id_type!(
    /// One visit of a patient (an examination, a walk-in, a check-in).
    VisitId,
    "visit"
);
id_type!(
    /// One SOAP note of a visit.
    NoteId,
    "note"
);
id_type!(
    /// A later addition to a locked note.
    AddendumId,
    "addendum"
);
id_type!(
    /// One entry of a patient's problem list.
    ProblemId,
    "problem"
);
id_type!(
    /// A laboratory order of a patient.
    LabOrderId,
    "lab order"
);
id_type!(
    /// One posting of a lab order's results (a version).
    LabResultId,
    "lab result"
);
id_type!(
    /// A file (image or PDF) of a patient's record.
    AttachmentId,
    "attachment"
);

/// An id a request names in its body or form, as given: well formed or not. A malformed id
/// is not a malformed request: the service answers it as a field error, as it answers an id
/// it does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdInput<T> {
    Id(T),
    Malformed,
}

impl<T: TypedId> IdInput<T> {
    pub fn parse(raw: &str) -> Self {
        raw.parse().map_or(Self::Malformed, Self::Id)
    }

    /// The id of a form field or query parameter, where blank means none.
    pub fn optional(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        (!raw.is_empty()).then(|| Self::parse(raw))
    }

    /// The id, if it was well formed.
    pub fn id(self) -> Option<T> {
        match self {
            Self::Id(id) => Some(id),
            Self::Malformed => None,
        }
    }
}

impl<T> From<T> for IdInput<T> {
    fn from(id: T) -> Self {
        Self::Id(id)
    }
}

impl<'de, T: TypedId> Deserialize<'de> for IdInput<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self::parse(&s))
    }
}
