//! Work items: a piece of legal work on a matter, its service line, volume and status workflow.

use crate::{DomainError, Id, string_enum};
use chrono::{DateTime, NaiveDate, Utc};

string_enum! {
    /// The twelve service lines lawdesk serves.
    pub enum ServiceLine ("service line") {
        RecordRetrieval = "record_retrieval" / "Record retrieval",
        DocumentReview = "document_review" / "Document review",
        ClientIntake = "client_intake" / "Client intake",
        ContractManagement = "contract_management" / "Contract management",
        LitigationSupport = "litigation_support" / "Paralegal and litigation support",
        PatentResearch = "patent_research" / "IP and patent research",
        ComplianceMonitoring = "compliance_monitoring" / "Regulatory compliance monitoring",
        CalendarCommunication = "calendar_communication" / "Calendar, email and client communication",
        Drafting = "drafting" / "Drafting",
        LegalResearch = "legal_research" / "Legal research and targeted review",
        EfilingCaseAdministration = "efiling_case_administration" / "E-filing and case administration",
        BillingInvoicing = "billing_invoicing" / "Billing and invoicing",
    }
}

string_enum! {
    pub enum Unit ("unit") {
        Documents = "documents" / "Documents",
        Pages = "pages" / "Pages",
        Records = "records" / "Records",
        Hours = "hours" / "Hours",
        Filings = "filings" / "Filings",
    }
}

string_enum! {
    pub enum Priority ("priority") {
        Low = "low" / "Low",
        Normal = "normal" / "Normal",
        High = "high" / "High",
        Urgent = "urgent" / "Urgent",
    }
}

string_enum! {
    /// new → assigned → in progress → in review → done; any open state may be cancelled.
    pub enum WorkStatus ("work status") {
        New = "new" / "New",
        Assigned = "assigned" / "Assigned",
        InProgress = "in_progress" / "In progress",
        InReview = "in_review" / "In review",
        Done = "done" / "Done",
        Cancelled = "cancelled" / "Cancelled",
    }
}

impl WorkStatus {
    pub fn is_terminal(self) -> bool {
        matches!(self, WorkStatus::Done | WorkStatus::Cancelled)
    }

    /// The statuses a work item may move to from `self`. Review can send work back to progress
    /// (rework); finished or cancelled work stays finished.
    pub fn next(self) -> &'static [WorkStatus] {
        use WorkStatus::*;
        match self {
            New => &[Assigned, Cancelled],
            Assigned => &[New, InProgress, Cancelled],
            InProgress => &[Assigned, InReview, Cancelled],
            InReview => &[InProgress, Done, Cancelled],
            Done | Cancelled => &[],
        }
    }

    pub fn transition(self, to: WorkStatus) -> Result<WorkStatus, DomainError> {
        if self.next().contains(&to) {
            Ok(to)
        } else {
            Err(DomainError::Transition { from: self, to })
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkItem {
    pub id: Id,
    pub matter_id: Id,
    pub service_line: ServiceLine,
    pub title: String,
    pub description: String,
    /// How much work, in `unit`s. Decimal because hours come in tenths.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub volume: rust_decimal::Decimal,
    pub unit: Unit,
    pub due_on: Option<NaiveDate>,
    pub priority: Priority,
    pub assignee: Option<Id>,
    pub status: WorkStatus,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WorkItem {
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.title.trim().is_empty() {
            return Err(DomainError::invalid("title", "a work item needs a title"));
        }
        if self.title.chars().count() > 300 {
            return Err(DomainError::invalid("title", "use at most 300 characters"));
        }
        if self.volume.is_sign_negative() {
            return Err(DomainError::invalid("volume", "volume cannot be negative"));
        }
        if self.status == WorkStatus::Assigned && self.assignee.is_none() {
            return Err(DomainError::invalid(
                "assignee",
                "an assigned work item needs an assignee",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_allows_the_happy_path_and_rework() {
        use WorkStatus::*;
        let mut s = New;
        for next in [Assigned, InProgress, InReview, InProgress, InReview, Done] {
            s = s.transition(next).unwrap();
        }
        assert_eq!(s, Done);
        assert!(Done.transition(InProgress).is_err());
        assert!(New.transition(Done).is_err());
        assert_eq!(
            New.transition(InReview).unwrap_err().to_string(),
            "a work item cannot move from new to in_review"
        );
    }

    #[test]
    fn every_open_status_can_be_cancelled() {
        for s in WorkStatus::ALL.iter().filter(|s| !s.is_terminal()) {
            assert!(s.transition(WorkStatus::Cancelled).is_ok(), "{s}");
        }
    }

    #[test]
    fn twelve_service_lines_parse_by_id_and_label() {
        assert_eq!(ServiceLine::ALL.len(), 12);
        for line in ServiceLine::ALL {
            assert_eq!(ServiceLine::parse(line.as_str()).unwrap(), *line);
            assert_eq!(ServiceLine::parse(line.label()).unwrap(), *line);
        }
    }
}
