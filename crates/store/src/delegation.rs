//! Storage for delegation: providers, virtual assistants, agreements, routing decisions, batches, QC samples and SLA records.
//!
//! The store knows nothing of the delegation engine (store depends on `domain` only): contract terms are kept as
//! the JSON the app hands over, and lists that are only read whole are JSON text. Every mutation writes its audit
//! event in the same transaction.

use crate::audit::{AuditEvent, append};
use crate::sql::{RowExt, opt_id, parse_date, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Id, WorkStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;
use std::str::FromStr;

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[
    "delegation_providers",
    "delegation_rates",
    "delegation_agreements",
    "delegation_exclusions",
    "delegation_va_profiles",
    "delegation_inhouse_roles",
    "delegation_routing",
    "delegation_engagements",
    "delegation_batches",
    "delegation_deliveries",
    "delegation_qc_samples",
];

/// A security attestation as stored: kind id (`soc2_type2`, `iso27001`) and last valid day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationRow {
    pub kind: String,
    pub expires_on: NaiveDate,
}

/// One rate card line: price per unit for a service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateRow {
    pub service_line: String,
    pub unit: String,
    pub unit_price: Decimal,
}

/// An LPO provider: a contacts organization with location, capacity, attestations and a rate card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRow {
    pub organization_id: Id,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// `onshore` or `offshore`.
    pub shore: String,
    /// IANA zone name.
    pub time_zone: String,
    /// `HH:MM` local.
    pub work_start: String,
    pub work_end: String,
    pub languages: Vec<String>,
    pub service_lines: Vec<String>,
    pub capacity: BTreeMap<String, Decimal>,
    pub attestations: Vec<AttestationRow>,
    pub rates: Vec<RateRow>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A signed agreement with a provider; `terms` is the engine's agreement as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementRow {
    pub id: Id,
    pub provider_id: Id,
    pub name: String,
    /// `project` or `bulk`.
    pub kind: String,
    pub terms: serde_json::Value,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

/// A virtual assistant's profile; `terms` is the engine's `VaTerms` as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaProfileRow {
    pub user_id: Id,
    pub country: String,
    pub shore: String,
    pub time_zone: String,
    pub work_start: String,
    pub work_end: String,
    pub skills: Vec<String>,
    pub terms: serde_json::Value,
    pub hours_per_week: Decimal,
    pub updated_at: DateTime<Utc>,
}

/// An in-house role with its loaded hourly cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InHouseRoleRow {
    pub role: String,
    pub loaded_hourly_cost: Decimal,
    pub hours_per_day: Decimal,
    pub skills: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

/// A routing recommendation and, once decided, what was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingRow {
    pub id: Id,
    pub work_item_id: Id,
    pub recommended_kind: Option<String>,
    pub recommended_id: Option<String>,
    pub recommended_name: Option<String>,
    pub score: i64,
    pub estimated_cost: Option<Decimal>,
    /// The engine's full recommendation as JSON.
    pub detail: serde_json::Value,
    /// `pending`, `accepted` or `overridden`.
    pub decision: String,
    pub chosen_kind: Option<String>,
    pub chosen_id: Option<String>,
    pub override_reason: Option<String>,
    pub decided_by: Option<Id>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The engagement a routed work item runs under: who, at what price, and its SLA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementRow {
    pub work_item_id: Id,
    /// `lpo`, `virtual_assistant` or `in_house`.
    pub channel_kind: String,
    pub channel_id: String,
    pub provider_id: Option<Id>,
    pub unit: String,
    pub unit_price: Decimal,
    pub total_units: i64,
    pub turnaround_days: i64,
    pub max_error_rate: Decimal,
    pub qc_sample_rate: Decimal,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

/// A batch of units of a work item (units `first_unit..=last_unit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: Id,
    pub work_item_id: Id,
    pub number: i64,
    pub first_unit: i64,
    pub last_unit: i64,
    pub assignee: Option<Id>,
    /// `open`, `assigned`, `done`, `rework` or `accepted`.
    pub status: String,
    pub units_done: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl BatchRow {
    pub fn units(&self) -> i64 {
        self.last_unit - self.first_unit + 1
    }
}

/// Units and hours delivered on a work item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: Id,
    pub work_item_id: Id,
    pub batch_id: Option<Id>,
    pub member_id: Id,
    pub units: i64,
    pub hours: Decimal,
    pub delivered_at: DateTime<Utc>,
}

/// One sampled unit of a batch and its QC result (`pending`, `pass`, `fail`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcSampleRow {
    pub id: Id,
    pub batch_id: Id,
    /// 1 for the first sample of a batch, one more after each rework.
    pub round: i64,
    pub unit_no: i64,
    pub result: String,
    pub checked_by: Option<Id>,
    pub checked_at: Option<DateTime<Utc>>,
    pub drawn_at: DateTime<Utc>,
}

/// A checked QC sample with who did the unit and for which provider, for error rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcOutcome {
    pub sample_id: Id,
    pub batch_id: Id,
    pub work_item_id: Id,
    pub provider_id: Option<Id>,
    pub member_id: Option<Id>,
    pub passed: bool,
    pub checked_at: DateTime<Utc>,
}

/// What a routing decision changes on the work item (assignee and status at the version last read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reassignment {
    pub work_item_id: Id,
    pub assignee: Option<Id>,
    pub status: WorkStatus,
    pub expected_version: i64,
}

fn json_text<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("encoding JSON: {e}")))
}

fn json_col<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T> {
    serde_json::from_str(&r.text(col)?).map_err(|e| StoreError::Corrupt(format!("{col}: {e}")))
}

fn decimal_col(r: &AnyRow, col: &str) -> Result<Decimal> {
    let text = r.text(col)?;
    Decimal::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{col} {text:?}: {e}")))
}

fn opt_decimal_col(r: &AnyRow, col: &str) -> Result<Option<Decimal>> {
    r.opt_text(col)?
        .map(|t| {
            Decimal::from_str(&t).map_err(|e| StoreError::Corrupt(format!("{col} {t:?}: {e}")))
        })
        .transpose()
}

fn opt_time_col(r: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>> {
    r.opt_text(col)?.as_deref().map(crate::sql::parse_ts).transpose()
}

fn money_text(d: Decimal) -> String {
    d.normalize().to_string()
}

fn provider_from_row(r: &AnyRow, rates: Vec<RateRow>) -> Result<ProviderRow> {
    Ok(ProviderRow {
        organization_id: r.id("organization_id")?,
        name: r.text("name")?,
        country: r.text("country")?,
        shore: r.text("shore")?,
        time_zone: r.text("time_zone")?,
        work_start: r.text("work_start")?,
        work_end: r.text("work_end")?,
        languages: json_col(r, "languages")?,
        service_lines: json_col(r, "service_lines")?,
        capacity: json_col(r, "capacity")?,
        attestations: json_col(r, "attestations")?,
        rates,
        active: r.flag("active")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn routing_from_row(r: &AnyRow) -> Result<RoutingRow> {
    Ok(RoutingRow {
        id: r.id("id")?,
        work_item_id: r.id("work_item_id")?,
        recommended_kind: r.opt_text("recommended_kind")?,
        recommended_id: r.opt_text("recommended_id")?,
        recommended_name: r.opt_text("recommended_name")?,
        score: r.int("score")?,
        estimated_cost: opt_decimal_col(r, "estimated_cost")?,
        detail: json_col(r, "detail")?,
        decision: r.text("decision")?,
        chosen_kind: r.opt_text("chosen_kind")?,
        chosen_id: r.opt_text("chosen_id")?,
        override_reason: r.opt_text("override_reason")?,
        decided_by: opt_id(r.opt_text("decided_by")?)?,
        decided_at: opt_time_col(r, "decided_at")?,
        created_at: r.time("created_at")?,
    })
}

fn engagement_from_row(r: &AnyRow) -> Result<EngagementRow> {
    Ok(EngagementRow {
        work_item_id: r.id("work_item_id")?,
        channel_kind: r.text("channel_kind")?,
        channel_id: r.text("channel_id")?,
        provider_id: opt_id(r.opt_text("provider_id")?)?,
        unit: r.text("unit")?,
        unit_price: decimal_col(r, "unit_price")?,
        total_units: r.int("total_units")?,
        turnaround_days: r.int("turnaround_days")?,
        max_error_rate: decimal_col(r, "max_error_rate")?,
        qc_sample_rate: decimal_col(r, "qc_sample_rate")?,
        started_at: r.time("started_at")?,
        due_at: r.time("due_at")?,
    })
}

fn batch_from_row(r: &AnyRow) -> Result<BatchRow> {
    Ok(BatchRow {
        id: r.id("id")?,
        work_item_id: r.id("work_item_id")?,
        number: r.int("number")?,
        first_unit: r.int("first_unit")?,
        last_unit: r.int("last_unit")?,
        assignee: opt_id(r.opt_text("assignee")?)?,
        status: r.text("status")?,
        units_done: r.int("units_done")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn delivery_from_row(r: &AnyRow) -> Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.id("id")?,
        work_item_id: r.id("work_item_id")?,
        batch_id: opt_id(r.opt_text("batch_id")?)?,
        member_id: r.id("member_id")?,
        units: r.int("units")?,
        hours: decimal_col(r, "hours")?,
        delivered_at: r.time("delivered_at")?,
    })
}

fn sample_from_row(r: &AnyRow) -> Result<QcSampleRow> {
    Ok(QcSampleRow {
        id: r.id("id")?,
        batch_id: r.id("batch_id")?,
        round: r.int("round")?,
        unit_no: r.int("unit_no")?,
        result: r.text("result")?,
        checked_by: opt_id(r.opt_text("checked_by")?)?,
        checked_at: opt_time_col(r, "checked_at")?,
        drawn_at: r.time("drawn_at")?,
    })
}

async fn insert_engagement(tx: &mut Transaction<'static, Any>, e: &EngagementRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO delegation_engagements (work_item_id, channel_kind, channel_id, provider_id, unit, unit_price, total_units, \
         turnaround_days, max_error_rate, qc_sample_rate, started_at, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (work_item_id) DO UPDATE SET channel_kind = excluded.channel_kind, channel_id = excluded.channel_id, \
         provider_id = excluded.provider_id, unit = excluded.unit, unit_price = excluded.unit_price, total_units = excluded.total_units, \
         turnaround_days = excluded.turnaround_days, max_error_rate = excluded.max_error_rate, qc_sample_rate = excluded.qc_sample_rate, \
         started_at = excluded.started_at, due_at = excluded.due_at",
    )
    .bind(e.work_item_id.to_string())
    .bind(&e.channel_kind)
    .bind(&e.channel_id)
    .bind(e.provider_id.map(|p| p.to_string()))
    .bind(&e.unit)
    .bind(money_text(e.unit_price))
    .bind(e.total_units)
    .bind(e.turnaround_days)
    .bind(money_text(e.max_error_rate))
    .bind(money_text(e.qc_sample_rate))
    .bind(ts(e.started_at))
    .bind(ts(e.due_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    // ---- providers ------------------------------------------------------------------------------

    /// Creates or replaces a provider profile and its whole rate card.
    pub async fn upsert_provider(&self, p: &ProviderRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO delegation_providers (organization_id, name, country, shore, time_zone, work_start, work_end, languages, \
             service_lines, capacity, attestations, active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (organization_id) DO UPDATE SET name = excluded.name, country = excluded.country, shore = excluded.shore, \
             time_zone = excluded.time_zone, work_start = excluded.work_start, work_end = excluded.work_end, languages = excluded.languages, \
             service_lines = excluded.service_lines, capacity = excluded.capacity, attestations = excluded.attestations, \
             active = excluded.active, updated_at = excluded.updated_at",
        )
        .bind(p.organization_id.to_string())
        .bind(&p.name)
        .bind(&p.country)
        .bind(&p.shore)
        .bind(&p.time_zone)
        .bind(&p.work_start)
        .bind(&p.work_end)
        .bind(json_text(&p.languages)?)
        .bind(json_text(&p.service_lines)?)
        .bind(json_text(&p.capacity)?)
        .bind(json_text(&p.attestations)?)
        .bind(i64::from(p.active))
        .bind(ts(p.created_at))
        .bind(ts(p.updated_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM delegation_rates WHERE provider_id = $1")
            .bind(p.organization_id.to_string())
            .execute(&mut *tx)
            .await?;
        for rate in &p.rates {
            sqlx::query(
                "INSERT INTO delegation_rates (provider_id, service_line, unit, unit_price) VALUES ($1, $2, $3, $4)",
            )
            .bind(p.organization_id.to_string())
            .bind(&rate.service_line)
            .bind(&rate.unit)
            .bind(money_text(rate.unit_price))
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                crate::conflict_on_unique(e, || {
                    format!("the rate card prices {} twice", rate.service_line)
                })
            })?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn rates_of(&self) -> Result<BTreeMap<String, Vec<RateRow>>> {
        let rows = sqlx::query("SELECT * FROM delegation_rates ORDER BY provider_id, service_line")
            .fetch_all(&self.read)
            .await?;
        let mut out: BTreeMap<String, Vec<RateRow>> = BTreeMap::new();
        for r in &rows {
            out.entry(r.text("provider_id")?).or_default().push(RateRow {
                service_line: r.text("service_line")?,
                unit: r.text("unit")?,
                unit_price: decimal_col(r, "unit_price")?,
            });
        }
        Ok(out)
    }

    /// Every provider, by name.
    pub async fn providers(&self) -> Result<Vec<ProviderRow>> {
        let mut rates = self.rates_of().await?;
        let rows = sqlx::query("SELECT * FROM delegation_providers ORDER BY name, organization_id")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let id = r.text("organization_id")?;
                provider_from_row(r, rates.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    pub async fn provider(&self, organization: Id) -> Result<Option<ProviderRow>> {
        Ok(self.providers().await?.into_iter().find(|p| p.organization_id == organization))
    }

    pub async fn add_agreement(&self, a: &AgreementRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO delegation_agreements (id, provider_id, name, kind, terms, starts_on, ends_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id.to_string())
        .bind(a.provider_id.to_string())
        .bind(&a.name)
        .bind(&a.kind)
        .bind(json_text(&a.terms)?)
        .bind(a.starts_on.to_string())
        .bind(a.ends_on.map(|d| d.to_string()))
        .bind(ts(a.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn agreements(&self, provider: Id) -> Result<Vec<AgreementRow>> {
        let rows = sqlx::query(
            "SELECT * FROM delegation_agreements WHERE provider_id = $1 ORDER BY starts_on, id",
        )
        .bind(provider.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AgreementRow {
                    id: r.id("id")?,
                    provider_id: r.id("provider_id")?,
                    name: r.text("name")?,
                    kind: r.text("kind")?,
                    terms: json_col(r, "terms")?,
                    starts_on: parse_date(&r.text("starts_on")?)?,
                    ends_on: r.opt_text("ends_on")?.as_deref().map(parse_date).transpose()?,
                    created_at: r.time("created_at")?,
                })
            })
            .collect()
    }

    /// Excludes a provider from a matter: records the exclusion and walls every current member off the matter,
    /// in one transaction, so the platform's visibility rules (walls beat roles) hide the matter from them at once.
    /// Refuses while work on the matter is assigned to one of its members.
    pub async fn exclude_provider(
        &self,
        matter: Id,
        provider: Id,
        reason: &str,
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let (assigned,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM work_items w JOIN users u ON u.id = w.assignee \
             WHERE w.matter_id = $1 AND u.organization_id = $2 AND w.status NOT IN ('done', 'cancelled')",
        )
        .bind(matter.to_string())
        .bind(provider.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if assigned > 0 {
            return Err(StoreError::Conflict(
                "open work on this matter is assigned to the provider; reassign it first".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO delegation_exclusions (matter_id, provider_id, reason, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (matter_id, provider_id) DO UPDATE SET reason = excluded.reason",
        )
        .bind(matter.to_string())
        .bind(provider.to_string())
        .bind(reason)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ethical_walls (matter_id, user_id, reason, created_at) \
             SELECT $1, u.id, $2, $3 FROM users u WHERE u.organization_id = $4 \
             ON CONFLICT (matter_id, user_id) DO NOTHING",
        )
        .bind(matter.to_string())
        .bind(format!("provider excluded: {reason}"))
        .bind(ts(now))
        .bind(provider.to_string())
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Providers excluded from a matter, with the reason.
    pub async fn provider_exclusions(&self, matter: Id) -> Result<Vec<(Id, String)>> {
        let rows = sqlx::query(
            "SELECT provider_id, reason FROM delegation_exclusions WHERE matter_id = $1 ORDER BY provider_id",
        )
        .bind(matter.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok((r.id("provider_id")?, r.text("reason")?))).collect()
    }

    // ---- virtual assistants and in-house roles --------------------------------------------------

    pub async fn upsert_va_profile(&self, v: &VaProfileRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO delegation_va_profiles (user_id, country, shore, time_zone, work_start, work_end, skills, terms, hours_per_week, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (user_id) DO UPDATE SET country = excluded.country, \
             shore = excluded.shore, time_zone = excluded.time_zone, work_start = excluded.work_start, work_end = excluded.work_end, \
             skills = excluded.skills, terms = excluded.terms, hours_per_week = excluded.hours_per_week, updated_at = excluded.updated_at",
        )
        .bind(v.user_id.to_string())
        .bind(&v.country)
        .bind(&v.shore)
        .bind(&v.time_zone)
        .bind(&v.work_start)
        .bind(&v.work_end)
        .bind(json_text(&v.skills)?)
        .bind(json_text(&v.terms)?)
        .bind(money_text(v.hours_per_week))
        .bind(ts(v.updated_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn va_profiles(&self) -> Result<Vec<VaProfileRow>> {
        let rows = sqlx::query("SELECT * FROM delegation_va_profiles ORDER BY user_id")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(VaProfileRow {
                    user_id: r.id("user_id")?,
                    country: r.text("country")?,
                    shore: r.text("shore")?,
                    time_zone: r.text("time_zone")?,
                    work_start: r.text("work_start")?,
                    work_end: r.text("work_end")?,
                    skills: json_col(r, "skills")?,
                    terms: json_col(r, "terms")?,
                    hours_per_week: decimal_col(r, "hours_per_week")?,
                    updated_at: r.time("updated_at")?,
                })
            })
            .collect()
    }

    pub async fn va_profile(&self, user: Id) -> Result<Option<VaProfileRow>> {
        Ok(self.va_profiles().await?.into_iter().find(|v| v.user_id == user))
    }

    pub async fn upsert_inhouse_role(&self, r: &InHouseRoleRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO delegation_inhouse_roles (role, loaded_hourly_cost, hours_per_day, skills, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (role) DO UPDATE SET loaded_hourly_cost = excluded.loaded_hourly_cost, hours_per_day = excluded.hours_per_day, \
             skills = excluded.skills, updated_at = excluded.updated_at",
        )
        .bind(&r.role)
        .bind(money_text(r.loaded_hourly_cost))
        .bind(money_text(r.hours_per_day))
        .bind(json_text(&r.skills)?)
        .bind(ts(r.updated_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn inhouse_roles(&self) -> Result<Vec<InHouseRoleRow>> {
        let rows = sqlx::query("SELECT * FROM delegation_inhouse_roles ORDER BY role")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(InHouseRoleRow {
                    role: r.text("role")?,
                    loaded_hourly_cost: decimal_col(r, "loaded_hourly_cost")?,
                    hours_per_day: decimal_col(r, "hours_per_day")?,
                    skills: json_col(r, "skills")?,
                    updated_at: r.time("updated_at")?,
                })
            })
            .collect()
    }

    // ---- routing ----------------------------------------------------------------------------------

    pub async fn insert_routing(&self, r: &RoutingRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO delegation_routing (id, work_item_id, recommended_kind, recommended_id, recommended_name, score, estimated_cost, \
             detail, decision, chosen_kind, chosen_id, override_reason, decided_by, decided_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(r.id.to_string())
        .bind(r.work_item_id.to_string())
        .bind(r.recommended_kind.clone())
        .bind(r.recommended_id.clone())
        .bind(r.recommended_name.clone())
        .bind(r.score)
        .bind(r.estimated_cost.map(money_text))
        .bind(json_text(&r.detail)?)
        .bind(&r.decision)
        .bind(r.chosen_kind.clone())
        .bind(r.chosen_id.clone())
        .bind(r.override_reason.clone())
        .bind(r.decided_by.map(|u| u.to_string()))
        .bind(r.decided_at.map(ts))
        .bind(ts(r.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every recommendation for a work item, newest first.
    pub async fn routings(&self, work_item: Id) -> Result<Vec<RoutingRow>> {
        let rows = sqlx::query(
            "SELECT * FROM delegation_routing WHERE work_item_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(work_item.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(routing_from_row).collect()
    }

    /// Records the decision on a pending recommendation, moves the work item to the chosen assignee and opens
    /// (or replaces) its engagement, all in one transaction with the audit event. A decided recommendation or a
    /// work item changed since it was read is a conflict.
    pub async fn decide_routing(
        &self,
        decided: &RoutingRow,
        reassignment: Option<&Reassignment>,
        engagement: Option<&EngagementRow>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE delegation_routing SET decision = $1, chosen_kind = $2, chosen_id = $3, override_reason = $4, decided_by = $5, \
             decided_at = $6 WHERE id = $7 AND decision = 'pending'",
        )
        .bind(&decided.decision)
        .bind(decided.chosen_kind.clone())
        .bind(decided.chosen_id.clone())
        .bind(decided.override_reason.clone())
        .bind(decided.decided_by.map(|u| u.to_string()))
        .bind(decided.decided_at.map(ts))
        .bind(decided.id.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this recommendation was already decided; ask for a new one".into(),
            ));
        }
        if let Some(change) = reassignment {
            let n = sqlx::query(
                "UPDATE work_items SET assignee = $1, status = $2, updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5",
            )
            .bind(change.assignee.map(|a| a.to_string()))
            .bind(change.status.as_str())
            .bind(ts(decided.decided_at.unwrap_or(decided.created_at)))
            .bind(change.work_item_id.to_string())
            .bind(change.expected_version)
            .execute(&mut *tx)
            .await?;
            if n.rows_affected() == 0 {
                return Err(StoreError::Conflict(
                    "this work item was changed by someone else; reload and try again".into(),
                ));
            }
        }
        if let Some(e) = engagement {
            insert_engagement(&mut tx, e).await?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- engagements and SLA ------------------------------------------------------------------------

    pub async fn set_engagement(&self, e: &EngagementRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        insert_engagement(&mut tx, e).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn engagement(&self, work_item: Id) -> Result<Option<EngagementRow>> {
        let row = sqlx::query("SELECT * FROM delegation_engagements WHERE work_item_id = $1")
            .bind(work_item.to_string())
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(engagement_from_row).transpose()
    }

    pub async fn engagements(&self) -> Result<Vec<EngagementRow>> {
        let rows =
            sqlx::query("SELECT * FROM delegation_engagements ORDER BY started_at, work_item_id")
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(engagement_from_row).collect()
    }

    // ---- batches ------------------------------------------------------------------------------------

    /// Stores the batches a work item was split into; a work item is split once.
    pub async fn create_batches(
        &self,
        work_item: Id,
        batches: &[BatchRow],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let (existing,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM delegation_batches WHERE work_item_id = $1")
                .bind(work_item.to_string())
                .fetch_one(&mut *tx)
                .await?;
        if existing > 0 {
            return Err(StoreError::Conflict(
                "this work item is already split into batches".into(),
            ));
        }
        for b in batches {
            sqlx::query(
                "INSERT INTO delegation_batches (id, work_item_id, number, first_unit, last_unit, assignee, status, units_done, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(b.id.to_string())
            .bind(work_item.to_string())
            .bind(b.number)
            .bind(b.first_unit)
            .bind(b.last_unit)
            .bind(b.assignee.map(|a| a.to_string()))
            .bind(&b.status)
            .bind(b.units_done)
            .bind(ts(b.created_at))
            .bind(ts(b.updated_at))
            .execute(&mut *tx)
            .await?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn batches(&self, work_item: Id) -> Result<Vec<BatchRow>> {
        let rows =
            sqlx::query("SELECT * FROM delegation_batches WHERE work_item_id = $1 ORDER BY number")
                .bind(work_item.to_string())
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(batch_from_row).collect()
    }

    pub async fn batch(&self, id: Id) -> Result<BatchRow> {
        let row = sqlx::query("SELECT * FROM delegation_batches WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("batch"))?;
        batch_from_row(&row)
    }

    /// Batches assigned to a member, oldest work first.
    pub async fn batches_of_member(&self, member: Id) -> Result<Vec<BatchRow>> {
        let rows = sqlx::query(
            "SELECT * FROM delegation_batches WHERE assignee = $1 ORDER BY created_at, work_item_id, number",
        )
        .bind(member.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(batch_from_row).collect()
    }

    /// Saves a batch's assignee and status if its status is still `expected_status` (so two people acting on
    /// one batch at once cannot both succeed).
    pub async fn update_batch(
        &self,
        b: &BatchRow,
        expected_status: &str,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE delegation_batches SET assignee = $1, status = $2, units_done = $3, updated_at = $4 WHERE id = $5 AND status = $6",
        )
        .bind(b.assignee.map(|a| a.to_string()))
        .bind(&b.status)
        .bind(b.units_done)
        .bind(ts(b.updated_at))
        .bind(b.id.to_string())
        .bind(expected_status)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this batch was changed by someone else; reload and try again".into(),
            ));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a batch done and records the delivered units and hours, in one transaction.
    pub async fn complete_batch(
        &self,
        b: &BatchRow,
        expected_status: &str,
        delivery: &DeliveryRow,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE delegation_batches SET status = $1, units_done = $2, updated_at = $3 WHERE id = $4 AND status = $5",
        )
        .bind(&b.status)
        .bind(b.units_done)
        .bind(ts(b.updated_at))
        .bind(b.id.to_string())
        .bind(expected_status)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "this batch was changed by someone else; reload and try again".into(),
            ));
        }
        insert_delivery(&mut tx, delivery).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records units or hours delivered outside a batch (a virtual assistant's hours, say).
    pub async fn record_delivery(&self, d: &DeliveryRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        insert_delivery(&mut tx, d).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn deliveries(&self, work_item: Id) -> Result<Vec<DeliveryRow>> {
        let rows = sqlx::query(
            "SELECT * FROM delegation_deliveries WHERE work_item_id = $1 ORDER BY delivered_at, id",
        )
        .bind(work_item.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Deliveries in `[from, to)`, optionally on one matter, in time order.
    pub async fn deliveries_between(
        &self,
        matter: Option<Id>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DeliveryRow>> {
        let rows = sqlx::query(
            "SELECT d.* FROM delegation_deliveries d JOIN work_items w ON w.id = d.work_item_id \
             WHERE d.delivered_at >= $1 AND d.delivered_at < $2 AND ($3 = '' OR w.matter_id = $3) ORDER BY d.delivered_at, d.id",
        )
        .bind(ts(from))
        .bind(ts(to))
        .bind(matter.map(|m| m.to_string()).unwrap_or_default())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    // ---- QC -----------------------------------------------------------------------------------------

    /// Stores a drawn sample of a batch's units; a batch is sampled once per round.
    pub async fn draw_qc_sample(
        &self,
        batch: Id,
        round: i64,
        unit_numbers: &[i64],
        now: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<Vec<QcSampleRow>> {
        let mut tx = self.write.begin().await?;
        let mut out = Vec::new();
        for unit_no in unit_numbers {
            let s = QcSampleRow {
                id: Id::new_at(now),
                batch_id: batch,
                round,
                unit_no: *unit_no,
                result: "pending".into(),
                checked_by: None,
                checked_at: None,
                drawn_at: now,
            };
            sqlx::query(
                "INSERT INTO delegation_qc_samples (id, batch_id, round, unit_no, result, checked_by, checked_at, drawn_at) \
                 VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6)",
            )
            .bind(s.id.to_string())
            .bind(batch.to_string())
            .bind(round)
            .bind(s.unit_no)
            .bind(&s.result)
            .bind(ts(now))
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                crate::conflict_on_unique(e, || {
                    "this batch already has a QC sample for this round".into()
                })
            })?;
            out.push(s);
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn qc_samples(&self, batch: Id) -> Result<Vec<QcSampleRow>> {
        let rows = sqlx::query(
            "SELECT * FROM delegation_qc_samples WHERE batch_id = $1 ORDER BY round, unit_no",
        )
        .bind(batch.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(sample_from_row).collect()
    }

    pub async fn qc_sample(&self, id: Id) -> Result<QcSampleRow> {
        let row = sqlx::query("SELECT * FROM delegation_qc_samples WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("QC sample"))?;
        sample_from_row(&row)
    }

    /// Records a pass or fail on a pending sample.
    pub async fn record_qc(
        &self,
        sample: Id,
        passed: bool,
        by: Id,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE delegation_qc_samples SET result = $1, checked_by = $2, checked_at = $3 WHERE id = $4 AND result = 'pending'",
        )
        .bind(if passed { "pass" } else { "fail" })
        .bind(by.to_string())
        .bind(ts(at))
        .bind(sample.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict("this sample already has a result".into()));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many QC samples were ever drawn.
    pub async fn qc_sample_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM delegation_qc_samples")
            .fetch_one(&self.read)
            .await?;
        Ok(n)
    }

    /// Every checked sample with its provider and the member who did the batch.
    pub async fn qc_outcomes(&self) -> Result<Vec<QcOutcome>> {
        self.outcomes_where("").await
    }

    /// The checked samples of one work item.
    pub async fn qc_outcomes_of(&self, work_item: Id) -> Result<Vec<QcOutcome>> {
        self.outcomes_where(&work_item.to_string()).await
    }

    async fn outcomes_where(&self, work_item: &str) -> Result<Vec<QcOutcome>> {
        let rows = sqlx::query(
            "SELECT s.id, s.batch_id, s.result, s.checked_at, b.work_item_id, b.assignee, e.provider_id \
             FROM delegation_qc_samples s JOIN delegation_batches b ON b.id = s.batch_id \
             LEFT JOIN delegation_engagements e ON e.work_item_id = b.work_item_id \
             WHERE s.result <> 'pending' AND ($1 = '' OR b.work_item_id = $1) ORDER BY s.checked_at, s.id",
        )
        .bind(work_item)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QcOutcome {
                    sample_id: r.id("id")?,
                    batch_id: r.id("batch_id")?,
                    work_item_id: r.id("work_item_id")?,
                    provider_id: opt_id(r.opt_text("provider_id")?)?,
                    member_id: opt_id(r.opt_text("assignee")?)?,
                    passed: r.text("result")? == "pass",
                    checked_at: opt_time_col(r, "checked_at")?
                        .ok_or_else(|| StoreError::Corrupt("checked sample without time".into()))?,
                })
            })
            .collect()
    }
}

async fn insert_delivery(tx: &mut Transaction<'static, Any>, d: &DeliveryRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO delegation_deliveries (id, work_item_id, batch_id, member_id, units, hours, delivered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(d.id.to_string())
    .bind(d.work_item_id.to_string())
    .bind(d.batch_id.map(|b| b.to_string()))
    .bind(d.member_id.to_string())
    .bind(d.units)
    .bind(money_text(d.hours))
    .bind(ts(d.delivered_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
