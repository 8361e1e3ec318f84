//! Clients, matters, the parties to a matter and their roles.

use crate::{DomainError, Id, string_enum};
use chrono::{DateTime, NaiveDate, Utc};

string_enum! {
    pub enum MatterStatus ("matter status") {
        Open = "open" / "Open",
        Closed = "closed" / "Closed",
        Reopened = "reopened" / "Reopened",
    }
}

impl MatterStatus {
    pub fn is_active(self) -> bool {
        !matches!(self, MatterStatus::Closed)
    }
}

string_enum! {
    /// The role a contact plays in a matter. Conflict checks group hits by these.
    pub enum PartyRole ("party role") {
        Client = "client" / "Client",
        AdverseParty = "adverse_party" / "Adverse party",
        OpposingCounsel = "opposing_counsel" / "Opposing counsel",
        CoCounsel = "co_counsel" / "Co-counsel",
        Judge = "judge" / "Judge",
        Witness = "witness" / "Witness",
        Expert = "expert" / "Expert",
        Insurer = "insurer" / "Insurer",
        RelatedParty = "related_party" / "Related party",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Client {
    pub id: Id,
    /// The client's contact record (person or organization).
    pub contact_id: Id,
    pub name: String,
    /// Short code used in matter numbers, e.g. "ACME".
    pub code: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Matter {
    pub id: Id,
    /// Assigned from the firm's numbering scheme; unique.
    pub number: String,
    pub client_id: Id,
    pub title: String,
    pub practice_area: String,
    pub court: String,
    pub case_number: String,
    pub status: MatterStatus,
    pub responsible_attorney: Option<Id>,
    pub originating_attorney: Option<Id>,
    /// Data residency: work on this matter may never go to an offshore provider.
    pub onshore_only: bool,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl Matter {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.title.trim().is_empty() {
            return Err(DomainError::invalid("title", "a matter needs a title"));
        }
        if self.title.chars().count() > 300 {
            return Err(DomainError::invalid("title", "use at most 300 characters"));
        }
        if let Some(closed) = self.closed_on
            && closed < self.opened_on
        {
            return Err(DomainError::invalid("closed_on", "a matter cannot close before it opens"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatterParty {
    pub id: Id,
    pub matter_id: Id,
    pub contact_id: Id,
    pub contact_name: String,
    pub role: PartyRole,
}
