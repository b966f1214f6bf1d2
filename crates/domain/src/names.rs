//! Enums written as fixed names (`"VETERINARIAN"`, `"checked_in"`, `"soap-notes"`): the
//! names are what the database stores and answers show, so they never change.
//! [`string_enum!`] defines such an enum once: `ALL`, `as_str`, `parse`, `Display`, `FromStr`,
//! `Serialize` (as the name) and, with the `orm` feature, a SeaORM column that stores the
//! name as text.

/// A name that is not one of an enum's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a known {what}")]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
}

/// Defines an enum of fixed names (see the module docs). Attributes before the name (docs,
/// serde) go onto the enum.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $s:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "orm", derive(sea_orm::DeriveValueType), sea_orm(value_type = "String"))]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            pub const ALL: [$name; [$(stringify!($variant)),*].len()] = [$($name::$variant),*];

            /// The stored and shown name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)* _ => None }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::names::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s).ok_or_else(|| $crate::names::UnknownName {
                    what: stringify!($name),
                    name: s.to_owned(),
                })
            }
        }
    };
}

pub(crate) use string_enum;
