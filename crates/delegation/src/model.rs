//! The delegation domain model: service lines, units, LPO providers, virtual assistants and in-house staff.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cost::{BulkAgreement, ProjectAgreement, VaTerms};

/// The twelve service lines lawdesk can route. The snake_case ids are stable: they appear in TOML profiles,
/// the database and the API, so never rename a variant's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceLine {
    RecordRetrieval,
    DocumentReview,
    ClientIntake,
    ContractManagement,
    ParalegalLitigationSupport,
    IpPatentResearch,
    RegulatoryComplianceMonitoring,
    CalendarEmailCommunication,
    Drafting,
    LegalResearch,
    EFilingCaseAdministration,
    BillingInvoicing,
}

impl ServiceLine {
    /// Every service line, in display order.
    pub const ALL: [ServiceLine; 12] = [
        ServiceLine::RecordRetrieval,
        ServiceLine::DocumentReview,
        ServiceLine::ClientIntake,
        ServiceLine::ContractManagement,
        ServiceLine::ParalegalLitigationSupport,
        ServiceLine::IpPatentResearch,
        ServiceLine::RegulatoryComplianceMonitoring,
        ServiceLine::CalendarEmailCommunication,
        ServiceLine::Drafting,
        ServiceLine::LegalResearch,
        ServiceLine::EFilingCaseAdministration,
        ServiceLine::BillingInvoicing,
    ];

    /// The stable snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            ServiceLine::RecordRetrieval => "record_retrieval",
            ServiceLine::DocumentReview => "document_review",
            ServiceLine::ClientIntake => "client_intake",
            ServiceLine::ContractManagement => "contract_management",
            ServiceLine::ParalegalLitigationSupport => "paralegal_litigation_support",
            ServiceLine::IpPatentResearch => "ip_patent_research",
            ServiceLine::RegulatoryComplianceMonitoring => "regulatory_compliance_monitoring",
            ServiceLine::CalendarEmailCommunication => "calendar_email_communication",
            ServiceLine::Drafting => "drafting",
            ServiceLine::LegalResearch => "legal_research",
            ServiceLine::EFilingCaseAdministration => "e_filing_case_administration",
            ServiceLine::BillingInvoicing => "billing_invoicing",
        }
    }

    /// A human label for tables and charts.
    pub fn label(self) -> &'static str {
        match self {
            ServiceLine::RecordRetrieval => "Record retrieval",
            ServiceLine::DocumentReview => "Document review",
            ServiceLine::ClientIntake => "Client intake",
            ServiceLine::ContractManagement => "Contract management",
            ServiceLine::ParalegalLitigationSupport => "Paralegal & litigation support",
            ServiceLine::IpPatentResearch => "IP & patent research",
            ServiceLine::RegulatoryComplianceMonitoring => "Regulatory compliance monitoring",
            ServiceLine::CalendarEmailCommunication => "Calendar, email & client communication",
            ServiceLine::Drafting => "Drafting",
            ServiceLine::LegalResearch => "Legal research & targeted review",
            ServiceLine::EFilingCaseAdministration => "E-filing & case administration",
            ServiceLine::BillingInvoicing => "Billing & invoicing",
        }
    }
}

impl fmt::Display for ServiceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An id that names no service line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service line id {0:?}")]
pub struct UnknownServiceLine(pub String);

impl FromStr for ServiceLine {
    type Err = UnknownServiceLine;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceLine::ALL
            .into_iter()
            .find(|line| line.id() == s)
            .ok_or_else(|| UnknownServiceLine(s.to_owned()))
    }
}

/// What a volume is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Documents,
    Pages,
    Records,
    Hours,
    Filings,
}

impl Unit {
    /// The stable snake_case id, which doubles as the plural label.
    pub fn id(self) -> &'static str {
        match self {
            Unit::Documents => "documents",
            Unit::Pages => "pages",
            Unit::Records => "records",
            Unit::Hours => "hours",
            Unit::Filings => "filings",
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Low / medium / high, used for repetitiveness and for the need for personal collaboration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Low,
    Medium,
    High,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        })
    }
}

/// Whether work leaves the client's home country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shore {
    Onshore,
    Offshore,
}

/// Where a provider or assistant performs the work (and so where the data is processed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// ISO 3166-1 alpha-2 country code, e.g. "US", "IN", "PH".
    pub country: String,
    pub shore: Shore,
}

/// Daily working window in the worker's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    pub time_zone: Tz,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Recognised security attestations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationKind {
    Soc2Type2,
    Iso27001,
}

impl fmt::Display for AttestationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AttestationKind::Soc2Type2 => "SOC 2 Type II",
            AttestationKind::Iso27001 => "ISO 27001",
        })
    }
}

/// A security attestation and the last day it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityAttestation {
    pub kind: AttestationKind,
    pub expires_on: NaiveDate,
}

impl SecurityAttestation {
    /// Valid through its expiry date inclusive.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        date <= self.expires_on
    }
}

/// One entry of an LPO rate card: the list price for a service line in a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCardEntry {
    pub service_line: ServiceLine,
    pub unit: Unit,
    pub unit_price: Decimal,
}

/// A legal process outsourcing provider: a team, often offshore, for high-volume repetitive work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LpoProvider {
    pub id: String,
    pub organization: String,
    pub location: Location,
    pub working_hours: WorkingHours,
    pub languages: Vec<String>,
    pub specialties: BTreeSet<ServiceLine>,
    /// Units (in the rate card's unit) the provider can complete per calendar day, per service line.
    pub capacity_per_day: BTreeMap<ServiceLine, Decimal>,
    pub attestations: Vec<SecurityAttestation>,
    pub rate_card: Vec<RateCardEntry>,
    /// Signed project agreements, if any, which override the rate card for costing.
    #[serde(default)]
    pub project_agreements: Vec<ProjectAgreement>,
    /// Signed long-term bulk agreements, if any.
    #[serde(default)]
    pub bulk_agreements: Vec<BulkAgreement>,
}

impl LpoProvider {
    /// The rate card entry for a service line, if the provider prices it.
    pub fn rate_for(&self, service_line: ServiceLine) -> Option<&RateCardEntry> {
        self.rate_card.iter().find(|entry| entry.service_line == service_line)
    }
}

/// A virtual legal assistant: one remote professional working closely with one attorney.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualAssistant {
    pub id: String,
    pub name: String,
    pub location: Location,
    pub working_hours: WorkingHours,
    pub skills: BTreeSet<ServiceLine>,
    pub terms: VaTerms,
    /// Hours a week the assistant can give to new work.
    pub hours_per_week_available: Decimal,
}

/// An in-house role (paralegal, associate, legal secretary …) with its fully loaded hourly cost
/// (salary, benefits, overhead, seat).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InHouseRole {
    pub id: String,
    pub role: String,
    pub loaded_hourly_cost: Decimal,
    pub working_hours: WorkingHours,
    pub skills: BTreeSet<ServiceLine>,
    /// Hours a day the team in this role can give to new work.
    pub hours_per_day_available: Decimal,
    /// Country of the office; in-house work never leaves it.
    pub country: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_line_ids_round_trip_and_match_serde() {
        for line in ServiceLine::ALL {
            assert_eq!(line.id().parse::<ServiceLine>(), Ok(line));
            let json = format!("\"{}\"", line.id());
            let via_serde: ServiceLine =
                toml::Value::String(line.id().to_owned()).try_into().expect("serde id");
            assert_eq!(via_serde, line, "{json}");
        }
        assert!("paralegal".parse::<ServiceLine>().is_err());
    }
}
