//! Portable identifiers: UUIDv7 rendered as text, so both backends store and sort them the same way.

use std::fmt;

/// A UUIDv7 identifier. Time-ordered, so inserts stay local in indexes, and text-portable.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
pub struct Id(pub uuid::Uuid);

impl Id {
    /// A new id for a record created at `now` (milliseconds of `now` lead the UUID).
    pub fn new_at(now: chrono::DateTime<chrono::Utc>) -> Id {
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            now.timestamp() as u64,
            now.timestamp_subsec_nanos(),
        );
        Id(uuid::Uuid::new_v7(ts))
    }

    pub fn parse(s: &str) -> Result<Id, crate::DomainError> {
        uuid::Uuid::parse_str(s.trim())
            .map(Id)
            .map_err(|_| crate::DomainError::invalid("id", format!("{s:?} is not a valid id")))
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl std::str::FromStr for Id {
    type Err = crate::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id::parse(s)
    }
}
