//! Pure domain model of lawdesk: users, roles, contacts, clients, matters, work items, and the authorization rules over them.
//!
//! Nothing here does IO or reads the clock: callers pass "now" in. Storage lives in `store`,
//! use cases that combine storage and rules live in `app`.

pub mod contact;
pub mod ids;
pub mod matter;
pub mod numbering;
pub mod policy;
pub mod user;
pub mod validate;
pub mod work;

pub use contact::{Contact, ContactKind, DuplicateHint, Relationship, RelationshipKind};
pub use ids::Id;
pub use matter::{Client, Matter, MatterParty, MatterStatus, PartyRole};
pub use policy::{Action, Actor, MatterAccess, Policy};
pub use user::{Role, User};
pub use work::{Priority, ServiceLine, Unit, WorkItem, WorkStatus};

/// Why a domain value or transition was refused. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("a work item cannot move from {from} to {to}")]
    Transition { from: WorkStatus, to: WorkStatus },
    #[error("unknown {what}: {value}")]
    Unknown { what: &'static str, value: String },
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid { field, message: message.into() }
    }
}

/// Implements `as_str`, `parse`, `ALL`, `Display` and `FromStr` for a C-like enum with stable
/// snake_case identifiers, which are what the database, the API and CSV files carry.
#[macro_export]
macro_rules! string_enum {
    ($(#[$m:meta])* $vis:vis enum $name:ident ($what:literal) { $($variant:ident = $id:literal / $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        $vis enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Stable identifier stored in the database and used by the API.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $id),+ } }
            /// Human label for pages and reports.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(s: &str) -> Result<Self, $crate::DomainError> {
                match s.trim() {
                    $($id => Ok($name::$variant),)+
                    other => Self::ALL
                        .iter()
                        .copied()
                        .find(|v| v.label().eq_ignore_ascii_case(other))
                        .ok_or_else(|| $crate::DomainError::Unknown { what: $what, value: other.to_string() }),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl std::str::FromStr for $name {
            type Err = $crate::DomainError;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::parse(s) }
        }
    };
}
