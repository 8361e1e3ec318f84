//! Use cases for providers, virtual assistants and agreements; routing work items to a channel; LPO batches, reviewer queues, SLAs, QC and the dashboard.
//!
//! The pure engine (`crates/delegation`) decides; this module feeds it from storage, enforces the hard rules on
//! every path that assigns work (routing, the API, manual reassignment through `check_assignee`) and records each
//! change with its audit event.

mod demo;
mod insight;
mod lpo;

pub use insight::{
    AdviceReport, AdvisorInput, ChannelSpend, Dashboard, DeliveredUnits, Escalation, MonthSpend,
    ProviderStats, derive_profile,
};
pub use lpo::{AgendaEntry, BatchView, IncomingItem, QcView, SlaView, VaAgenda};

pub(crate) use demo::demo;

use crate::auth::actor_of;
use crate::{App, AppError, Result};
use ::delegation as engine;
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use domain::policy::WorkAccess;
use domain::{Action, Actor, Id, Matter, Role, ServiceLine, Unit, User, WorkStatus};
use engine::model::{
    AttestationKind, InHouseRole, Level, Location, LpoProvider, RateCardEntry, SecurityAttestation,
    Shore, VirtualAssistant, WorkingHours,
};
use engine::routing::{Candidate, Channel, MatterConstraints, Recommendation};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use store::WorkItemRow;
use store::delegation::{
    AgreementRow, AttestationRow, EngagementRow, InHouseRoleRow, ProviderRow, RateRow,
    Reassignment, RoutingRow, VaProfileRow,
};

/// Setting holding the supervising attorneys' working day, e.g. `America/New_York 09:00-17:00`.
pub const FIRM_HOURS_KEY: &str = "delegation.firm_hours";
/// Setting holding the monthly delegation budget (decimal text) the dashboard compares spend with.
pub const BUDGET_KEY: &str = "delegation.monthly_budget";
const DEFAULT_FIRM_HOURS: &str = "America/New_York 09:00-17:00";

/// The one mapping between the platform's service lines and the engine's (their ids differ in spelling).
pub fn engine_line(line: ServiceLine) -> engine::model::ServiceLine {
    use engine::model::ServiceLine as E;
    match line {
        ServiceLine::RecordRetrieval => E::RecordRetrieval,
        ServiceLine::DocumentReview => E::DocumentReview,
        ServiceLine::ClientIntake => E::ClientIntake,
        ServiceLine::ContractManagement => E::ContractManagement,
        ServiceLine::LitigationSupport => E::ParalegalLitigationSupport,
        ServiceLine::PatentResearch => E::IpPatentResearch,
        ServiceLine::ComplianceMonitoring => E::RegulatoryComplianceMonitoring,
        ServiceLine::CalendarCommunication => E::CalendarEmailCommunication,
        ServiceLine::Drafting => E::Drafting,
        ServiceLine::LegalResearch => E::LegalResearch,
        ServiceLine::EfilingCaseAdministration => E::EFilingCaseAdministration,
        ServiceLine::BillingInvoicing => E::BillingInvoicing,
    }
}

/// The inverse of [`engine_line`].
pub fn platform_line(line: engine::model::ServiceLine) -> ServiceLine {
    *ServiceLine::ALL
        .iter()
        .find(|l| engine_line(**l) == line)
        .expect("engine_line is a bijection over the twelve lines")
}

pub fn engine_unit(unit: Unit) -> engine::model::Unit {
    use engine::model::Unit as E;
    match unit {
        Unit::Documents => E::Documents,
        Unit::Pages => E::Pages,
        Unit::Records => E::Records,
        Unit::Hours => E::Hours,
        Unit::Filings => E::Filings,
    }
}

/// How repetitive a service line's work is and how much day-to-day attorney contact it needs.
pub fn line_profile(line: ServiceLine) -> (Level, Level) {
    use Level::*;
    match line {
        ServiceLine::RecordRetrieval | ServiceLine::DocumentReview => (High, Low),
        ServiceLine::ComplianceMonitoring => (High, Low),
        ServiceLine::EfilingCaseAdministration | ServiceLine::BillingInvoicing => (High, Medium),
        ServiceLine::ClientIntake | ServiceLine::ContractManagement => (Medium, Medium),
        ServiceLine::PatentResearch => (Medium, Low),
        ServiceLine::LitigationSupport | ServiceLine::CalendarCommunication => (Medium, High),
        ServiceLine::Drafting => (Low, High),
        ServiceLine::LegalResearch => (Low, Medium),
    }
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid { field: field.into(), message: message.into() }
}

fn parse_decimal(field: &str, text: &str) -> Result<Decimal> {
    Decimal::from_str(text.trim().replace(',', "").as_str())
        .map_err(|_| invalid(field, format!("{:?} is not a number", text.trim())))
}

fn parse_time(field: &str, text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| invalid(field, "use a time like 09:30"))
}

fn parse_tz(field: &str, text: &str) -> Result<Tz> {
    text.trim().parse::<Tz>().map_err(|_| invalid(field, "use a time zone like Asia/Kolkata"))
}

fn parse_shore(field: &str, text: &str) -> Result<Shore> {
    match text.trim() {
        "onshore" => Ok(Shore::Onshore),
        "offshore" => Ok(Shore::Offshore),
        _ => Err(invalid(field, "choose onshore or offshore")),
    }
}

fn parse_lines(field: &str, text: &str) -> Result<Vec<ServiceLine>> {
    domain::validate::list(&text.replace(',', "\n"))
        .iter()
        .map(|s| ServiceLine::parse(s).map_err(|e| invalid(field, e.to_string())))
        .collect()
}

fn working_hours(tz: &str, start: &str, end: &str) -> Result<WorkingHours> {
    Ok(WorkingHours {
        time_zone: parse_tz("time_zone", tz)?,
        start: parse_time("work_start", start)?,
        end: parse_time("work_end", end)?,
    })
}

fn stored_lines(lines: &[String]) -> Result<BTreeSet<engine::model::ServiceLine>> {
    lines
        .iter()
        .map(|l| {
            ServiceLine::parse(l)
                .map(engine_line)
                .map_err(|e| AppError::Internal(format!("stored service line: {e}")))
        })
        .collect()
}

/// The engine's view of a stored provider, with its agreements.
pub(crate) fn lpo_of(p: &ProviderRow, agreements: &[AgreementRow]) -> Result<LpoProvider> {
    let corrupt = |e: String| AppError::Internal(format!("provider {}: {e}", p.name));
    let mut capacity = BTreeMap::new();
    for (line, units) in &p.capacity {
        let line = ServiceLine::parse(line).map_err(|e| corrupt(e.to_string()))?;
        capacity.insert(engine_line(line), *units);
    }
    let mut rate_card = Vec::new();
    for r in &p.rates {
        rate_card.push(RateCardEntry {
            service_line: engine_line(
                ServiceLine::parse(&r.service_line).map_err(|e| corrupt(e.to_string()))?,
            ),
            unit: engine_unit(Unit::parse(&r.unit).map_err(|e| corrupt(e.to_string()))?),
            unit_price: r.unit_price,
        });
    }
    let attestations = p
        .attestations
        .iter()
        .map(|a| {
            Ok(SecurityAttestation {
                kind: attestation_kind(&a.kind).map_err(|e| corrupt(e.to_string()))?,
                expires_on: a.expires_on,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut project_agreements = Vec::new();
    let mut bulk_agreements = Vec::new();
    for a in agreements {
        match a.kind.as_str() {
            "project" => project_agreements
                .push(serde_json::from_value(a.terms.clone()).map_err(|e| corrupt(e.to_string()))?),
            "bulk" => bulk_agreements
                .push(serde_json::from_value(a.terms.clone()).map_err(|e| corrupt(e.to_string()))?),
            other => return Err(corrupt(format!("agreement kind {other}"))),
        }
    }
    Ok(LpoProvider {
        id: p.organization_id.to_string(),
        organization: p.name.clone(),
        location: Location { country: p.country.clone(), shore: parse_shore("shore", &p.shore)? },
        working_hours: working_hours(&p.time_zone, &p.work_start, &p.work_end)?,
        languages: p.languages.clone(),
        specialties: stored_lines(&p.service_lines)?,
        capacity_per_day: capacity,
        attestations,
        rate_card,
        project_agreements,
        bulk_agreements,
    })
}

fn attestation_kind(kind: &str) -> Result<AttestationKind> {
    serde_json::from_value(serde_json::Value::String(kind.trim().to_string())).map_err(|_| {
        invalid("attestations", format!("unknown attestation {kind:?}; use soc2_type2 or iso27001"))
    })
}

/// The engine's view of a virtual assistant.
pub(crate) fn va_of(user: &User, p: &VaProfileRow) -> Result<VirtualAssistant> {
    Ok(VirtualAssistant {
        id: user.id.to_string(),
        name: user.display_name.clone(),
        location: Location { country: p.country.clone(), shore: parse_shore("shore", &p.shore)? },
        working_hours: working_hours(&p.time_zone, &p.work_start, &p.work_end)?,
        skills: stored_lines(&p.skills)?,
        terms: serde_json::from_value(p.terms.clone())
            .map_err(|e| AppError::Internal(format!("VA terms of {}: {e}", user.display_name)))?,
        hours_per_week_available: p.hours_per_week,
    })
}

fn inhouse_of(r: &InHouseRoleRow, firm: &WorkingHours) -> Result<InHouseRole> {
    Ok(InHouseRole {
        id: format!("in_house:{}", r.role),
        role: r.role.clone(),
        loaded_hourly_cost: r.loaded_hourly_cost,
        working_hours: firm.clone(),
        skills: stored_lines(&r.skills)?,
        hours_per_day_available: r.hours_per_day,
        country: "US".into(),
    })
}

/// Form for creating or replacing a provider profile. Lists are comma- or newline-separated;
/// capacity is `line=units`, attestations `kind:YYYY-MM-DD`, rates `line:unit:price`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProviderForm {
    pub organization_id: String,
    pub country: String,
    pub shore: String,
    pub time_zone: String,
    pub work_start: String,
    pub work_end: String,
    pub languages: String,
    pub service_lines: String,
    pub capacity: String,
    pub attestations: String,
    pub rates: String,
}

/// Form for a virtual assistant's profile; `terms` is the engine's terms as JSON or TOML-free fields below.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VaProfileForm {
    pub user_id: String,
    pub country: String,
    pub shore: String,
    pub time_zone: String,
    pub work_start: String,
    pub work_end: String,
    pub skills: String,
    /// hourly | part_time_block | retainer
    pub terms_kind: String,
    pub rate: String,
    pub hours_per_week: String,
    pub monthly_fee: String,
    pub included_hours: String,
    pub overage_rate: String,
    /// Banked hours cap for a retainer's rollover (empty: no rollover).
    pub rollover_max_hours: String,
    pub rollover_months: String,
}

fn pairs<'a>(text: &'a str, sep: char) -> impl Iterator<Item = Vec<&'a str>> + 'a {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(move |s| s.split(sep).map(str::trim).collect())
}

/// A routing decision: accept the recommendation, or override it with another channel and a reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RouteDecisionForm {
    /// accept | override
    pub decision: String,
    /// The chosen channel's id (an override): a provider's organization id, a virtual assistant's user id or
    /// `in_house:<role>`.
    pub channel_id: String,
    pub reason: String,
    /// SLA for the engagement; blank takes the defaults (due date or 14 days, 2% errors, 5% sample).
    pub turnaround_days: String,
    pub max_error_rate: String,
    pub qc_sample_rate: String,
}

/// Everything the routing page of a work item shows.
#[derive(Debug, Clone, Serialize)]
pub struct RouteView {
    pub row: WorkItemRow,
    pub matter: Matter,
    pub current: Option<RoutingRow>,
    pub recommendation: Option<Recommendation>,
    /// Candidate id → display name.
    pub names: BTreeMap<String, String>,
    pub engagement: Option<EngagementRow>,
    pub sla: Option<SlaView>,
    pub batches: Vec<BatchView>,
    /// Members the viewer may assign batches to.
    pub members: Vec<User>,
    pub history: Vec<RoutingRow>,
    pub can_decide: bool,
    pub can_split: bool,
    pub can_qc: bool,
}

impl App {
    pub(crate) fn require_firm_staff(&self, actor: &Actor) -> Result<()> {
        // Providers are organizations in the contact book; the people who edit the contact book manage them.
        self.require(actor, Action::EditContacts)
    }

    pub(crate) async fn firm_hours(&self) -> Result<WorkingHours> {
        let text = self.store.setting(FIRM_HOURS_KEY).await?;
        let text = text.as_deref().unwrap_or(DEFAULT_FIRM_HOURS);
        let (tz, window) = text.split_once(' ').unwrap_or((text, "09:00-17:00"));
        let (start, end) = window.split_once('-').unwrap_or(("09:00", "17:00"));
        working_hours(tz, start, end)
    }

    // ---- providers, assistants, in-house ---------------------------------------------------------

    pub async fn providers(&self, actor: &Actor) -> Result<Vec<ProviderRow>> {
        self.require(actor, Action::ViewContacts)?;
        Ok(self.store.providers().await?)
    }

    /// Creates or replaces a provider profile (the organization must exist in the contact book).
    pub async fn save_provider(&self, actor: &Actor, f: &ProviderForm) -> Result<ProviderRow> {
        self.require_firm_staff(actor)?;
        let org_id = Id::parse(&f.organization_id)
            .map_err(|_| invalid("organization_id", "choose an organization"))?;
        let org = self
            .store
            .contact(org_id)
            .await
            .map_err(|_| invalid("organization_id", "choose an organization"))?;
        if org.kind != domain::ContactKind::Organization {
            return Err(invalid("organization_id", "a provider is an organization"));
        }
        let country = f.country.trim().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(invalid("country", "use a two-letter country code like IN or US"));
        }
        parse_shore("shore", &f.shore)?;
        let hours = working_hours(
            if f.time_zone.trim().is_empty() { "UTC" } else { &f.time_zone },
            if f.work_start.trim().is_empty() { "09:00" } else { &f.work_start },
            if f.work_end.trim().is_empty() { "17:00" } else { &f.work_end },
        )?;
        let lines = parse_lines("service_lines", &f.service_lines)?;
        if lines.is_empty() {
            return Err(invalid("service_lines", "list at least one service line"));
        }
        let mut capacity = BTreeMap::new();
        for pair in pairs(&f.capacity, '=') {
            let [line, units] = pair.as_slice() else {
                return Err(invalid(
                    "capacity",
                    "write line=units per day, e.g. document_review=6000",
                ));
            };
            let line = ServiceLine::parse(line).map_err(|e| invalid("capacity", e.to_string()))?;
            capacity.insert(line.as_str().to_string(), parse_decimal("capacity", units)?);
        }
        let mut attestations = Vec::new();
        for pair in pairs(&f.attestations, ':') {
            let [kind, date] = pair.as_slice() else {
                return Err(invalid(
                    "attestations",
                    "write kind:YYYY-MM-DD, e.g. iso27001:2027-06-30",
                ));
            };
            attestation_kind(kind)?;
            let expires_on = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| invalid("attestations", "use a date like 2027-06-30"))?;
            attestations.push(AttestationRow { kind: kind.to_string(), expires_on });
        }
        let mut rates = Vec::new();
        for triple in pairs(&f.rates, ':') {
            let [line, unit, price] = triple.as_slice() else {
                return Err(invalid(
                    "rates",
                    "write line:unit:price, e.g. document_review:documents:0.45",
                ));
            };
            let line = ServiceLine::parse(line).map_err(|e| invalid("rates", e.to_string()))?;
            let unit = Unit::parse(unit).map_err(|e| invalid("rates", e.to_string()))?;
            let price = parse_decimal("rates", price)?;
            if price.is_sign_negative() {
                return Err(invalid("rates", "prices cannot be negative"));
            }
            if rates.iter().any(|r: &RateRow| r.service_line == line.as_str()) {
                return Err(invalid("rates", format!("{} is priced twice", line.label())));
            }
            rates.push(RateRow {
                service_line: line.as_str().into(),
                unit: unit.as_str().into(),
                unit_price: price,
            });
        }
        let now = self.now();
        let existing = self.store.provider(org_id).await?;
        let row = ProviderRow {
            organization_id: org_id,
            name: org.name.clone(),
            country,
            shore: f.shore.trim().to_string(),
            time_zone: hours.time_zone.name().to_string(),
            work_start: hours.start.format("%H:%M").to_string(),
            work_end: hours.end.format("%H:%M").to_string(),
            languages: domain::validate::list(&f.languages.replace(',', "\n")),
            service_lines: lines.iter().map(|l| l.as_str().to_string()).collect(),
            capacity,
            attestations,
            rates,
            active: true,
            created_at: existing.as_ref().map_or(now, |p| p.created_at),
            updated_at: now,
        };
        let ev = self.event(actor, "delegation.provider_save", "provider", org_id).with(
            serde_json::json!({"name": row.name, "shore": row.shore, "country": row.country, "rates": row.rates}),
        );
        self.store.upsert_provider(&row, ev).await?;
        Ok(row)
    }

    /// Records a project or bulk agreement with a provider; `terms` is the engine's agreement as JSON.
    pub async fn add_agreement(
        &self,
        actor: &Actor,
        provider: Id,
        name: &str,
        kind: &str,
        terms: serde_json::Value,
        starts_on: chrono::NaiveDate,
    ) -> Result<AgreementRow> {
        self.require_firm_staff(actor)?;
        self.store.provider(provider).await?.ok_or(AppError::NotFound("provider"))?;
        let check = match kind {
            "project" => serde_json::from_value::<engine::cost::ProjectAgreement>(terms.clone())
                .map(engine::cost::Arrangement::Project),
            "bulk" => serde_json::from_value::<engine::cost::BulkAgreement>(terms.clone())
                .map(engine::cost::Arrangement::Bulk),
            _ => return Err(invalid("kind", "choose project or bulk")),
        }
        .map_err(|e| invalid("terms", e.to_string()))?;
        // Cost one month at zero volume so invalid tiers or negative prices are refused now, not at billing time.
        check.cost(&[Decimal::ZERO]).map_err(|e| invalid("terms", e.to_string()))?;
        let row = AgreementRow {
            id: Id::new_at(self.now()),
            provider_id: provider,
            name: domain::validate::required("name", name, 200)?,
            kind: kind.into(),
            terms,
            starts_on,
            ends_on: None,
            created_at: self.now(),
        };
        let ev = self.event(actor, "delegation.agreement_add", "provider", provider).with(
            serde_json::json!({"agreement": row.id.to_string(), "kind": kind, "terms": row.terms}),
        );
        self.store.add_agreement(&row, ev).await?;
        Ok(row)
    }

    pub async fn agreements(&self, actor: &Actor, provider: Id) -> Result<Vec<AgreementRow>> {
        self.require(actor, Action::ViewContacts)?;
        Ok(self.store.agreements(provider).await?)
    }

    /// Creates or replaces a virtual assistant's profile and terms.
    pub async fn save_va_profile(&self, actor: &Actor, f: &VaProfileForm) -> Result<VaProfileRow> {
        self.require_firm_staff(actor)?;
        let user_id =
            Id::parse(&f.user_id).map_err(|_| invalid("user_id", "choose a virtual assistant"))?;
        let user =
            self.store.user(user_id).await.map_err(|_| invalid("user_id", "unknown user"))?;
        if user.role != Role::VirtualAssistant {
            return Err(invalid("user_id", "this user is not a virtual assistant"));
        }
        let country = f.country.trim().to_uppercase();
        if country.len() != 2 {
            return Err(invalid("country", "use a two-letter country code like US or PH"));
        }
        parse_shore("shore", &f.shore)?;
        let hours = working_hours(&f.time_zone, &f.work_start, &f.work_end)?;
        let dec = |field: &str, text: &str| parse_decimal(field, text);
        let terms = match f.terms_kind.as_str() {
            "hourly" => engine::cost::VaTerms::Hourly { rate: dec("rate", &f.rate)? },
            "part_time_block" => engine::cost::VaTerms::PartTimeBlock {
                hours_per_week: dec("hours_per_week", &f.hours_per_week)?,
                rate: dec("rate", &f.rate)?,
                additional_hourly_rate: dec("overage_rate", &f.overage_rate)?,
            },
            "retainer" => engine::cost::VaTerms::Retainer {
                monthly_fee: dec("monthly_fee", &f.monthly_fee)?,
                included_hours: dec("included_hours", &f.included_hours)?,
                overage_rate: dec("overage_rate", &f.overage_rate)?,
                rollover: if f.rollover_max_hours.trim().is_empty() {
                    engine::cost::RolloverPolicy::None
                } else {
                    engine::cost::RolloverPolicy::Capped {
                        max_banked_hours: dec("rollover_max_hours", &f.rollover_max_hours)?,
                        expires_after_months: f
                            .rollover_months
                            .trim()
                            .parse()
                            .map_err(|_| invalid("rollover_months", "enter whole months"))?,
                    }
                },
            },
            _ => return Err(invalid("terms_kind", "choose hourly, part_time_block or retainer")),
        };
        engine::cost::Arrangement::VirtualAssistant(terms.clone())
            .cost(&[Decimal::ZERO])
            .map_err(|e| invalid("terms_kind", e.to_string()))?;
        let available = if f.hours_per_week.trim().is_empty() {
            Decimal::from(40)
        } else {
            dec("hours_per_week", &f.hours_per_week)?
        };
        let row = VaProfileRow {
            user_id,
            country,
            shore: f.shore.trim().into(),
            time_zone: hours.time_zone.name().into(),
            work_start: hours.start.format("%H:%M").to_string(),
            work_end: hours.end.format("%H:%M").to_string(),
            skills: parse_lines("skills", &f.skills)?.iter().map(|l| l.as_str().into()).collect(),
            terms: serde_json::to_value(&terms).map_err(|e| AppError::Internal(e.to_string()))?,
            hours_per_week: available,
            updated_at: self.now(),
        };
        let ev = self
            .event(actor, "delegation.va_profile_save", "user", user_id)
            .with(serde_json::json!({"terms": row.terms, "shore": row.shore}));
        self.store.upsert_va_profile(&row, ev).await?;
        Ok(row)
    }

    pub async fn va_profiles(&self, actor: &Actor) -> Result<Vec<(User, VaProfileRow)>> {
        self.require(actor, Action::ViewContacts)?;
        let mut out = Vec::new();
        for p in self.store.va_profiles().await? {
            out.push((self.store.user(p.user_id).await?, p));
        }
        Ok(out)
    }

    /// Sets the loaded hourly cost of an in-house role.
    pub async fn save_inhouse_role(
        &self,
        actor: &Actor,
        role: &str,
        loaded_hourly_cost: &str,
        hours_per_day: &str,
        skills: &str,
    ) -> Result<InHouseRoleRow> {
        self.require_firm_staff(actor)?;
        let row = InHouseRoleRow {
            role: domain::validate::required("role", role, 80)?,
            loaded_hourly_cost: parse_decimal("loaded_hourly_cost", loaded_hourly_cost)?,
            hours_per_day: parse_decimal("hours_per_day", hours_per_day)?,
            skills: parse_lines("skills", skills)?.iter().map(|l| l.as_str().into()).collect(),
            updated_at: self.now(),
        };
        if row.loaded_hourly_cost.is_sign_negative() {
            return Err(invalid("loaded_hourly_cost", "cannot be negative"));
        }
        let ev = self
            .event(actor, "delegation.inhouse_save", "inhouse_role", &row.role)
            .with(serde_json::json!({"loaded_hourly_cost": row.loaded_hourly_cost}));
        self.store.upsert_inhouse_role(&row, ev).await?;
        Ok(row)
    }

    pub async fn inhouse_roles(&self, actor: &Actor) -> Result<Vec<InHouseRoleRow>> {
        self.require(actor, Action::ViewContacts)?;
        Ok(self.store.inhouse_roles().await?)
    }

    /// Excludes a provider from a matter (a conflict or an ethical wall on the whole organization): routing
    /// rejects it and its members are walled off the matter.
    pub async fn exclude_provider(
        &self,
        actor: &Actor,
        matter: Id,
        provider: Id,
        reason: &str,
    ) -> Result<()> {
        let access = self.store.matter_access(actor, matter).await?;
        self.require(actor, Action::ManageMatterTeam(access))?;
        self.store.provider(provider).await?.ok_or(AppError::NotFound("provider"))?;
        let reason = domain::validate::required("reason", reason, 500)?;
        let ev = self
            .event(actor, "delegation.provider_exclude", "matter", matter)
            .with(serde_json::json!({"provider": provider.to_string(), "reason": reason}));
        Ok(self.store.exclude_provider(matter, provider, &reason, self.now(), ev).await?)
    }

    // ---- the hard rules ------------------------------------------------------------------------------

    /// The matter's hard constraints for routing: onshore-only, and the providers and assistants excluded from it.
    pub(crate) async fn constraints_for(&self, matter: &Matter) -> Result<MatterConstraints> {
        let mut excluded: BTreeSet<String> = self
            .store
            .provider_exclusions(matter.id)
            .await?
            .into_iter()
            .map(|(p, _)| p.to_string())
            .collect();
        for (user, _) in self.store.walls(matter.id).await? {
            excluded.insert(user.id.to_string());
        }
        // The firm's monthly delegation budget bounds what one engagement should cost, so cost counts in routing.
        let budget = self.store.setting(BUDGET_KEY).await?.and_then(|b| b.parse::<Decimal>().ok());
        Ok(MatterConstraints {
            onshore_only: matter.onshore_only,
            excluded,
            sensitive: false,
            budget,
            data_residency: None,
            attorney_hours: self.firm_hours().await?,
        })
    }

    /// The channel an external user works through: their provider (LPO members) or their own assistant profile.
    /// `None` for the firm's own people, who are onshore and bound by the platform's team and wall rules.
    async fn channel_of_user(
        &self,
        user: &User,
    ) -> Result<Option<std::result::Result<Channel, String>>> {
        match user.role {
            Role::LpoManager | Role::LpoReviewer => {
                let Some(org) = user.organization_id else {
                    return Ok(Some(Err(format!("{} belongs to no provider", user.display_name))));
                };
                Ok(Some(match self.store.provider(org).await? {
                    Some(p) => Ok(Channel::Lpo(lpo_of(&p, &self.store.agreements(org).await?)?)),
                    None => Err(format!(
                        "{}'s organization has no provider profile, so where it works is unknown",
                        user.display_name
                    )),
                }))
            }
            Role::VirtualAssistant => Ok(Some(match self.store.va_profile(user.id).await? {
                Some(p) => Ok(Channel::VirtualAssistant(va_of(user, &p)?)),
                None => Err(format!(
                    "{} has no assistant profile, so where they work is unknown",
                    user.display_name
                )),
            })),
            _ => Ok(None),
        }
    }

    /// Enforces "an onshore-only matter is never assigned offshore" and "an excluded provider never sees the
    /// matter" for assigning work to `user`. Called from every assignment path (`check_assignee`, routing).
    pub(crate) async fn check_channel_rules(&self, matter: &Matter, user: &User) -> Result<()> {
        let Some(channel) = self.channel_of_user(user).await? else { return Ok(()) };
        let constraints = self.constraints_for(matter).await?;
        match channel {
            Ok(channel) => engine::routing::check_assignment(&channel, &constraints, self.now())
                .map_err(|v| invalid("assignee", named(&v.to_string(), &channel))),
            // Fail closed: work whose location is unknown may not go to an onshore-only matter.
            Err(unknown) if matter.onshore_only => {
                Err(invalid("assignee", format!("{unknown}; this matter is onshore only")))
            }
            Err(_) => Ok(()),
        }
    }

    // ---- routing ------------------------------------------------------------------------------------

    async fn work_access_checked(&self, actor: &Actor, id: Id) -> Result<(Id, WorkAccess)> {
        Ok(self.store.work_access(actor, id).await?)
    }

    /// Builds the routing input for a work item from stored providers, assistants, in-house roles and current
    /// load, the matter's onshore flag and walls; returns the engine's candidates and their display names.
    async fn routing_input(
        &self,
        row: &WorkItemRow,
        matter: &Matter,
    ) -> Result<(
        engine::routing::WorkItem,
        Vec<Candidate>,
        MatterConstraints,
        BTreeMap<String, String>,
    )> {
        let now = self.now();
        let item = &row.item;
        let firm = self.firm_hours().await?;
        let rates = engine::advisor::MarketRates::builtin()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let line = engine_line(item.service_line);
        let reference = rates.service_lines.get(&line);
        let hours_per_unit = match (item.unit, reference) {
            (Unit::Hours, _) => Decimal::ONE,
            (_, Some(r)) => r.hours_per_unit,
            (_, None) => Decimal::ONE,
        };
        let (repetitiveness, collaboration) = line_profile(item.service_line);
        let due = match item.due_on {
            Some(d) => firm
                .time_zone
                .from_local_datetime(&d.and_time(firm.end))
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or(now + Duration::days(30)),
            None => now + Duration::days(30),
        };
        let work = engine::routing::WorkItem {
            id: item.id.to_string(),
            service_line: line,
            unit: engine_unit(item.unit),
            volume: item.volume,
            hours_per_unit,
            repetitiveness,
            collaboration,
            due,
        };
        let mut names = BTreeMap::new();
        let mut candidates = Vec::new();
        let engagements = self.store.engagements().await?;
        for p in self.store.providers().await?.into_iter().filter(|p| p.active) {
            let mut backlog = Decimal::ZERO;
            for e in engagements.iter().filter(|e| e.provider_id == Some(p.organization_id)) {
                let delivered: i64 =
                    self.store.deliveries(e.work_item_id).await?.iter().map(|d| d.units).sum();
                backlog += Decimal::from((e.total_units - delivered).max(0));
            }
            names.insert(p.organization_id.to_string(), p.name.clone());
            let agreements = self.store.agreements(p.organization_id).await?;
            candidates.push(Candidate { channel: Channel::Lpo(lpo_of(&p, &agreements)?), backlog });
        }
        for profile in self.store.va_profiles().await? {
            let user = self.store.user(profile.user_id).await?;
            if !user.active {
                continue;
            }
            let (open, _) = self
                .store
                .list_work_items(
                    &actor_of(&user),
                    &store::WorkFilter::default(),
                    store::Page::new(1, 200),
                )
                .await?;
            let backlog: Decimal = open
                .iter()
                .filter(|w| !w.item.status.is_terminal())
                .map(|w| if w.item.unit == Unit::Hours { w.item.volume } else { Decimal::ONE })
                .sum();
            names.insert(user.id.to_string(), user.display_name.clone());
            candidates.push(Candidate {
                channel: Channel::VirtualAssistant(va_of(&user, &profile)?),
                backlog,
            });
        }
        for role in self.store.inhouse_roles().await? {
            let channel = inhouse_of(&role, &firm)?;
            names.insert(channel.id.clone(), format!("In-house {}", role.role));
            candidates
                .push(Candidate { channel: Channel::InHouse(channel), backlog: Decimal::ZERO });
        }
        let constraints = self.constraints_for(matter).await?;
        Ok((work, candidates, constraints, names))
    }

    /// Recommends a channel and provider for a work item with reasons per factor, and records the
    /// recommendation (pending a decision).
    pub async fn recommend_route(&self, actor: &Actor, work_item: Id) -> Result<RoutingRow> {
        let (matter_id, access) = self.work_access_checked(actor, work_item).await?;
        self.require(actor, Action::ManageWorkItem(access))?;
        if actor.role.is_external() {
            return Err(AppError::Forbidden);
        }
        let row = self.store.work_item(work_item).await?;
        let matter = self.store.matter(matter_id).await?;
        let (work, candidates, constraints, names) = self.routing_input(&row, &matter).await?;
        let recommendation =
            engine::routing::recommend(&work, &candidates, &constraints, self.now());
        let best = recommendation.best();
        let kind_of = |kind: &str| match kind {
            "LPO" => "lpo",
            "virtual assistant" => "virtual_assistant",
            _ => "in_house",
        };
        let routing = RoutingRow {
            id: Id::new_at(self.now()),
            work_item_id: work_item,
            recommended_kind: best.map(|b| kind_of(&b.kind).to_string()),
            recommended_id: best.map(|b| b.candidate_id.clone()),
            recommended_name: best.and_then(|b| names.get(&b.candidate_id).cloned()),
            score: best.map_or(0, |b| i64::from(b.score)),
            estimated_cost: best.map(|b| b.estimated_cost),
            detail: serde_json::json!({"recommendation": recommendation, "names": names}),
            decision: "pending".into(),
            chosen_kind: None,
            chosen_id: None,
            override_reason: None,
            decided_by: None,
            decided_at: None,
            created_at: self.now(),
        };
        let ev = self.event(actor, "delegation.route_recommend", "work_item", work_item).with(
            serde_json::json!({
                "recommended": routing.recommended_id,
                "score": routing.score,
                "rejected": recommendation.rejected.iter().map(|r| (&r.candidate_id, &r.reason)).collect::<Vec<_>>(),
            }),
        );
        self.store.insert_routing(&routing, ev).await?;
        Ok(routing)
    }

    /// Accepts the pending recommendation or overrides it (a reason is required and kept in the audit log).
    /// The chosen channel must pass the hard rules; the work item is assigned (an LPO: to its manager) and an
    /// engagement with its SLA opens.
    pub async fn decide_route(
        &self,
        actor: &Actor,
        work_item: Id,
        f: &RouteDecisionForm,
    ) -> Result<RoutingRow> {
        let (matter_id, access) = self.work_access_checked(actor, work_item).await?;
        self.require(actor, Action::ManageWorkItem(access))?;
        if actor.role.is_external() {
            return Err(AppError::Forbidden);
        }
        let pending = self
            .store
            .routings(work_item)
            .await?
            .into_iter()
            .find(|r| r.decision == "pending")
            .ok_or_else(|| invalid("decision", "ask for a recommendation first"))?;
        let (decision, channel_id, reason) = match f.decision.as_str() {
            "accept" => (
                "accepted",
                pending.recommended_id.clone().ok_or_else(|| {
                    invalid("decision", "nothing was recommended; override instead")
                })?,
                None,
            ),
            "override" => {
                let reason = f.reason.trim();
                if reason.is_empty() {
                    return Err(invalid("reason", "say why you override the recommendation"));
                }
                if f.channel_id.trim().is_empty() {
                    return Err(invalid("channel_id", "choose a channel"));
                }
                (
                    "overridden",
                    f.channel_id.trim().to_string(),
                    Some(reason.chars().take(1000).collect::<String>()),
                )
            }
            _ => return Err(invalid("decision", "accept or override")),
        };
        let row = self.store.work_item(work_item).await?;
        let matter = self.store.matter(matter_id).await?;
        let (_, candidates, constraints, names) = self.routing_input(&row, &matter).await?;
        let candidate = candidates
            .iter()
            .find(|c| c.channel.id() == channel_id)
            .ok_or_else(|| invalid("channel_id", "unknown channel"))?;
        engine::routing::check_assignment(&candidate.channel, &constraints, self.now())
            .map_err(|v| invalid("channel_id", named(&v.to_string(), &candidate.channel)))?;
        let now = self.now();
        let (kind, assignee, provider_id, unit, unit_price) = match &candidate.channel {
            Channel::Lpo(p) => {
                let org = Id::parse(&p.id).map_err(|e| AppError::Internal(e.to_string()))?;
                let members =
                    self.store.users_with_roles(&[Role::LpoManager, Role::LpoReviewer]).await?;
                let mut members: Vec<&User> =
                    members.iter().filter(|u| u.active && u.organization_id == Some(org)).collect();
                // Work already with one of the provider's members stays with them; otherwise it goes to the manager.
                members
                    .sort_by_key(|u| (Some(u.id) != row.item.assignee, u.role != Role::LpoManager));
                // A provider without lawdesk users works off-platform: the engagement is tracked, the assignee stays.
                let assignee = members.first().map(|m| m.id).or(row.item.assignee);
                let rate = p.rate_for(engine_line(row.item.service_line));
                (
                    "lpo",
                    assignee,
                    Some(org),
                    rate.map_or(row.item.unit.as_str().to_string(), |r| r.unit.id().to_string()),
                    rate.map_or(Decimal::ZERO, |r| r.unit_price),
                )
            }
            Channel::VirtualAssistant(va) => {
                let user = Id::parse(&va.id).map_err(|e| AppError::Internal(e.to_string()))?;
                (
                    "virtual_assistant",
                    Some(user),
                    None,
                    "hours".to_string(),
                    va.terms.effective_hourly_rate(),
                )
            }
            Channel::InHouse(role) => {
                ("in_house", row.item.assignee, None, "hours".to_string(), role.loaded_hourly_cost)
            }
        };
        if let Some(a) = assignee {
            let user = self.store.user(a).await?;
            if self.store.matter_access(&actor_of(&user), matter_id).await?.walled {
                return Err(invalid(
                    "channel_id",
                    format!("{} is walled off this matter", user.display_name),
                ));
            }
            self.check_channel_rules(&matter, &user).await?;
        }
        let today = now.date_naive();
        let turnaround_days = if f.turnaround_days.trim().is_empty() {
            row.item.due_on.map_or(14, |d| (d - today).num_days().max(1))
        } else {
            f.turnaround_days
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| invalid("turnaround_days", "enter whole days between 1 and 3650"))?
        };
        let rate = |field: &str, text: &str, default: Decimal| -> Result<Decimal> {
            if text.trim().is_empty() {
                return Ok(default);
            }
            let r = parse_decimal(field, text.trim_end_matches('%'))?;
            let r = if text.trim().ends_with('%') { r / Decimal::from(100) } else { r };
            if r < Decimal::ZERO || r > Decimal::ONE {
                return Err(invalid(field, "enter a share between 0 and 1 (or a percentage)"));
            }
            Ok(r)
        };
        let engagement = EngagementRow {
            work_item_id: work_item,
            channel_kind: kind.into(),
            channel_id: channel_id.clone(),
            provider_id,
            unit,
            unit_price,
            total_units: row.item.volume.ceil().to_i64().unwrap_or(i64::MAX),
            turnaround_days,
            max_error_rate: rate("max_error_rate", &f.max_error_rate, Decimal::new(2, 2))?,
            qc_sample_rate: rate("qc_sample_rate", &f.qc_sample_rate, Decimal::new(5, 2))?,
            started_at: now,
            due_at: now + Duration::days(turnaround_days),
        };
        let reassignment = (assignee != row.item.assignee).then_some(Reassignment {
            work_item_id: work_item,
            assignee,
            status: match (row.item.status, assignee) {
                (WorkStatus::New, Some(_)) => WorkStatus::Assigned,
                (s, _) => s,
            },
            expected_version: row.version,
        });
        let decided = RoutingRow {
            decision: decision.into(),
            chosen_kind: Some(kind.into()),
            chosen_id: Some(channel_id.clone()),
            override_reason: reason.clone(),
            decided_by: Some(actor.user_id),
            decided_at: Some(now),
            ..pending.clone()
        };
        let ev = self
            .event(
                actor,
                if decision == "accepted" { "delegation.route_accept" } else { "delegation.route_override" },
                "work_item",
                work_item,
            )
            .with(serde_json::json!({
                "recommended": pending.recommended_id,
                "chosen": channel_id,
                "chosen_name": names.get(&channel_id),
                "reason": reason,
                "assignee": {"from": row.item.assignee.map(|a| a.to_string()), "to": assignee.map(|a| a.to_string())},
                "sla": {"turnaround_days": engagement.turnaround_days, "max_error_rate": engagement.max_error_rate, "qc_sample_rate": engagement.qc_sample_rate},
            }));
        self.store.decide_routing(&decided, reassignment.as_ref(), Some(&engagement), ev).await?;
        Ok(decided)
    }

    /// The routing page of a work item: the latest recommendation, the engagement, SLA, batches and QC.
    pub async fn route_view(&self, actor: &Actor, work_item: Id) -> Result<RouteView> {
        let (matter_id, access) = self.work_access_checked(actor, work_item).await?;
        self.require(actor, Action::ViewWorkItem(access))?;
        let can_manage = domain::Policy::allows(actor, Action::ManageWorkItem(access));
        let row = self.store.work_item(work_item).await?;
        let matter = self.store.matter(matter_id).await?;
        let history =
            if actor.role.is_external() { vec![] } else { self.store.routings(work_item).await? };
        let current = history.first().cloned();
        let (recommendation, names) = match &current {
            Some(r) => (
                serde_json::from_value::<Recommendation>(r.detail["recommendation"].clone()).ok(),
                serde_json::from_value::<BTreeMap<String, String>>(r.detail["names"].clone())
                    .unwrap_or_default(),
            ),
            None => (None, BTreeMap::new()),
        };
        let engagement = self.store.engagement(work_item).await?;
        let sla = match &engagement {
            Some(e) => Some(self.sla_of(e).await?),
            None => None,
        };
        let batches = self.batch_views(work_item, actor).await?;
        let members = if can_manage {
            self.assignable_members(actor, engagement.as_ref()).await?
        } else {
            vec![]
        };
        Ok(RouteView {
            can_decide: can_manage && !actor.role.is_external(),
            can_split: can_manage && batches.is_empty() && row.item.volume >= Decimal::ONE,
            can_qc: can_manage,
            row,
            matter,
            current,
            recommendation,
            names,
            engagement,
            sla,
            batches,
            members,
            history,
        })
    }
}

/// The engine names candidates by id; put the display name in front for people.
fn named(message: &str, channel: &Channel) -> String {
    let name = match channel {
        Channel::Lpo(p) => p.organization.clone(),
        Channel::VirtualAssistant(v) => v.name.clone(),
        Channel::InHouse(r) => format!("In-house {}", r.role),
    };
    message.replacen(channel.id(), &name, 1)
}

/// The start of the UTC month containing `at`, and of the next one.
pub(crate) fn month_bounds(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    use chrono::Datelike;
    let start = Utc
        .with_ymd_and_hms(at.year(), at.month(), 1, 0, 0, 0)
        .single()
        .expect("the first of a month at midnight UTC exists");
    let (y, m) = if at.month() == 12 { (at.year() + 1, 1) } else { (at.year(), at.month() + 1) };
    let end = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single().expect("first of next month exists");
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_service_line_maps_to_a_distinct_engine_line_and_back() {
        let mapped: BTreeSet<_> = ServiceLine::ALL.iter().map(|l| engine_line(*l)).collect();
        assert_eq!(mapped.len(), 12);
        assert_eq!(mapped, engine::model::ServiceLine::ALL.into_iter().collect());
        for line in ServiceLine::ALL {
            assert_eq!(platform_line(engine_line(*line)), *line);
        }
        // The spellings that differ, explicitly.
        assert_eq!(
            engine_line(ServiceLine::LitigationSupport).id(),
            "paralegal_litigation_support"
        );
        assert_eq!(
            engine_line(ServiceLine::EfilingCaseAdministration).id(),
            "e_filing_case_administration"
        );
        assert_eq!(
            engine_line(ServiceLine::CalendarCommunication).id(),
            "calendar_email_communication"
        );
    }

    #[test]
    fn month_bounds_roll_over_the_year() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap();
        let (start, end) = month_bounds(at);
        assert_eq!(
            (start.to_rfc3339(), end.to_rfc3339()),
            ("2026-12-01T00:00:00+00:00".into(), "2027-01-01T00:00:00+00:00".into())
        );
    }
}
