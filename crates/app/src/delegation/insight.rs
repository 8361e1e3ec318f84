//! The delegation dashboard (spend by channel against budget, throughput, SLA attainment and quality per provider),
//! escalations for responsible attorneys, the advisor over stored work, and delivered units for billing.

use super::{engine_line, invalid, line_profile, month_bounds};
use crate::{App, AppError, Result};
use ::delegation as engine;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use domain::{Action, Actor, Id, Role, Unit};
use engine::advisor::{Advice, WorkloadLine, WorkloadProfile};
use engine::charts::{Bar, svg_bars};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use store::delegation::{DeliveryRow, EngagementRow};
use store::{Page, WorkFilter, WorkItemRow};

/// Spend in one channel.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelSpend {
    pub channel: String,
    pub amount: Decimal,
}

/// One month's spend and delivered volume.
#[derive(Debug, Clone, Serialize)]
pub struct MonthSpend {
    pub month: String,
    pub spend: Decimal,
    pub units: i64,
    pub hours: Decimal,
}

/// SLA attainment and quality of one provider (or assistant).
#[derive(Debug, Clone, Serialize)]
pub struct ProviderStats {
    pub name: String,
    pub engagements: usize,
    pub units: i64,
    pub sla_met: usize,
    pub sla_missed: usize,
    pub at_risk: usize,
    pub checked: u64,
    pub errors: u64,
    pub error_rate: Decimal,
}

/// A work item whose SLA is predicted to breach (or has), for the responsible attorney.
#[derive(Debug, Clone, Serialize)]
pub struct Escalation {
    pub row: WorkItemRow,
    pub provider: String,
    pub status: String,
    pub error_rate: Decimal,
    pub yours: bool,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub month: String,
    pub budget: Option<Decimal>,
    pub spend: Vec<ChannelSpend>,
    pub total_spend: Decimal,
    pub months: Vec<MonthSpend>,
    pub providers: Vec<ProviderStats>,
    /// Member name → (checked, errors, rate).
    pub members: Vec<(String, u64, u64, Decimal)>,
    pub escalations: Vec<Escalation>,
    pub qc_samples_drawn: usize,
    pub spend_chart: String,
    pub monthly_chart: String,
    pub throughput_chart: String,
    pub quality_chart: String,
}

/// Units and hours delivered on one work item in a period, with the price they are billed at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveredUnits {
    pub work_item_id: Id,
    pub title: String,
    pub channel_kind: String,
    pub provider_id: Option<Id>,
    pub provider_name: Option<String>,
    pub unit: String,
    pub units: i64,
    pub hours: Decimal,
    pub unit_price: Decimal,
    pub amount: Decimal,
}

fn channel_label(kind: &str, shore: Option<&str>) -> String {
    match (kind, shore) {
        ("lpo", Some("offshore")) => "LPO offshore".into(),
        ("lpo", _) => "LPO onshore".into(),
        ("virtual_assistant", _) => "Virtual assistant".into(),
        _ => "In-house".into(),
    }
}

/// What a delivery costs under its engagement: per unit, or per hour for hourly channels.
fn delivery_amount(e: &EngagementRow, d: &DeliveryRow) -> Decimal {
    let quantity = if e.unit == "hours" { d.hours } else { Decimal::from(d.units) };
    engine::cost::money(quantity * e.unit_price)
}

/// A workload profile from stored work items: volume per service line per month over the last `months`, in the
/// advisor's reference unit (items in another unit are converted from hours, or left out when they cannot be).
pub fn derive_profile(
    rows: &[WorkItemRow],
    months: u32,
    now: DateTime<Utc>,
) -> Result<WorkloadProfile> {
    let months = months.clamp(1, 36);
    let since = now - Duration::days(i64::from(months) * 30);
    let rates =
        engine::advisor::MarketRates::builtin().map_err(|e| AppError::Internal(e.to_string()))?;
    let mut volumes: BTreeMap<engine::model::ServiceLine, (Decimal, domain::ServiceLine)> =
        BTreeMap::new();
    for row in rows
        .iter()
        .filter(|r| r.item.created_at >= since && r.item.status != domain::WorkStatus::Cancelled)
    {
        let line = engine_line(row.item.service_line);
        let Some(reference) = rates.service_lines.get(&line) else { continue };
        let volume = if super::engine_unit(row.item.unit) == reference.unit {
            row.item.volume
        } else if row.item.unit == Unit::Hours && !reference.hours_per_unit.is_zero() {
            row.item.volume / reference.hours_per_unit
        } else {
            continue;
        };
        volumes.entry(line).or_insert((Decimal::ZERO, row.item.service_line)).0 += volume;
    }
    let lines = volumes
        .into_iter()
        .map(|(line, (total, platform))| WorkloadLine {
            service_line: line,
            monthly_volume: (total / Decimal::from(months)).round_dp(1),
            unit: None,
            collaboration: line_profile(platform).1,
        })
        .collect();
    Ok(WorkloadProfile {
        name: format!("Work items of the last {months} months"),
        onshore_only: false,
        monthly_budget: None,
        max_virtual_assistants: 2,
        lines,
        rates: BTreeMap::new(),
    })
}

/// Where an advisor profile comes from: the form's fields (`source` = `form`), a pasted or uploaded TOML profile
/// (`toml`), or the last N months of work items (`derive`, `months`).
#[derive(Debug, Clone, Default)]
pub struct AdvisorInput {
    pub fields: BTreeMap<String, String>,
}

impl AdvisorInput {
    pub fn from_fields(fields: &BTreeMap<String, String>) -> AdvisorInput {
        AdvisorInput { fields: fields.clone() }
    }

    fn get(&self, key: &str) -> &str {
        self.fields.get(key).map_or("", |v| v.trim())
    }

    /// The profile the form describes: per service line `volume_<line>` and `collab_<line>` (platform ids).
    fn form_profile(&self) -> Result<WorkloadProfile> {
        let mut lines = Vec::new();
        for line in domain::ServiceLine::ALL {
            let volume = self.get(&format!("volume_{}", line.as_str()));
            if volume.is_empty() {
                continue;
            }
            let monthly_volume =
                super::parse_decimal(&format!("volume_{}", line.as_str()), volume)?;
            if monthly_volume <= Decimal::ZERO {
                continue;
            }
            let collaboration = match self.get(&format!("collab_{}", line.as_str())) {
                "" => line_profile(*line).1,
                "low" => engine::model::Level::Low,
                "medium" => engine::model::Level::Medium,
                "high" => engine::model::Level::High,
                _ => {
                    return Err(invalid(
                        &format!("collab_{}", line.as_str()),
                        "choose low, medium or high",
                    ));
                }
            };
            lines.push(WorkloadLine {
                service_line: engine_line(*line),
                monthly_volume,
                unit: None,
                collaboration,
            });
        }
        let budget = match self.get("monthly_budget") {
            "" => None,
            b => Some(super::parse_decimal("monthly_budget", b)?),
        };
        let max_virtual_assistants = match self.get("max_virtual_assistants") {
            "" => 2,
            n => {
                n.parse().map_err(|_| invalid("max_virtual_assistants", "enter a whole number"))?
            }
        };
        Ok(WorkloadProfile {
            name: match self.get("name") {
                "" => "Workload".into(),
                n => n.chars().take(200).collect(),
            },
            onshore_only: !self.get("onshore_only").is_empty(),
            monthly_budget: budget,
            max_virtual_assistants,
            lines,
            rates: BTreeMap::new(),
        })
    }
}

/// The advisor's answer with everything the report shows: the chart, the PDF and the profile (as TOML, so the
/// printable and PDF versions are made from exactly the same input).
#[derive(Debug, Clone)]
pub struct AdviceReport {
    pub profile: WorkloadProfile,
    pub profile_toml: String,
    pub advice: Advice,
    pub chart_svg: String,
    pub pdf: Vec<u8>,
}

impl App {
    /// Whether the actor may use the advisor (the firm's own people).
    pub fn may_advise(&self, actor: &Actor) -> Result<()> {
        self.require(actor, Action::ViewClients)
    }

    /// Runs the advisor on a profile from the form, a TOML text, or derived from stored work items.
    pub async fn advise_report(&self, actor: &Actor, input: &AdvisorInput) -> Result<AdviceReport> {
        self.may_advise(actor)?;
        let profile = match input.get("source") {
            "toml" => WorkloadProfile::from_toml(input.get("toml"))
                .map_err(|e| invalid("toml", e.to_string()))?,
            "derive" => {
                let months = match input.get("months") {
                    "" => 6,
                    m => m
                        .parse()
                        .map_err(|_| invalid("months", "enter a whole number of months"))?,
                };
                self.derived_profile(actor, months).await?
            }
            _ => input.form_profile()?,
        };
        let advice = self.advise(actor, &profile)?;
        let profile_toml =
            toml::to_string(&profile).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(AdviceReport {
            chart_svg: engine::advisor::svg_bar_chart(&advice),
            pdf: engine::pdf::advice_pdf(&advice),
            profile,
            profile_toml,
            advice,
        })
    }

    /// Advice for a profile (entered, uploaded or derived).
    pub fn advise(&self, actor: &Actor, profile: &WorkloadProfile) -> Result<Advice> {
        self.require(actor, Action::ViewClients)?;
        if profile.lines.is_empty() {
            return Err(invalid("lines", "enter a monthly volume for at least one service line"));
        }
        engine::advisor::advise(profile).map_err(|e| invalid("profile", e.to_string()))
    }

    /// Advice for a TOML profile.
    pub fn advise_toml(&self, actor: &Actor, toml: &str) -> Result<Advice> {
        self.require(actor, Action::ViewClients)?;
        let profile =
            WorkloadProfile::from_toml(toml).map_err(|e| invalid("profile", e.to_string()))?;
        self.advise(actor, &profile)
    }

    /// A profile derived from the work items the actor can see, created in the last `months` months.
    pub async fn derived_profile(&self, actor: &Actor, months: u32) -> Result<WorkloadProfile> {
        self.require(actor, Action::ViewClients)?;
        let mut rows = Vec::new();
        for page in 1..=50 {
            let (mut batch, more) = self
                .store
                .list_work_items(actor, &WorkFilter::default(), Page::new(page, 200))
                .await?;
            rows.append(&mut batch);
            if !more {
                break;
            }
        }
        derive_profile(&rows, months, self.now())
    }

    /// Units and hours delivered per work item on a matter in `[from, to)`, with provider and unit price, ready to
    /// be billed as pass-through provider work.
    pub async fn delivered_units(
        &self,
        actor: &Actor,
        matter: Id,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DeliveredUnits>> {
        let access = self.store.matter_access(actor, matter).await?;
        self.require(actor, Action::ViewMatter(access))?;
        if actor.role.is_external() {
            return Err(AppError::Forbidden);
        }
        let start = Utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).expect("midnight exists"));
        let end = Utc.from_utc_datetime(&to.and_hms_opt(0, 0, 0).expect("midnight exists"));
        let deliveries = self.store.deliveries_between(Some(matter), start, end).await?;
        let providers: BTreeMap<Id, String> = self
            .store
            .providers()
            .await?
            .into_iter()
            .map(|p| (p.organization_id, p.name))
            .collect();
        let mut out: Vec<DeliveredUnits> = Vec::new();
        for d in deliveries {
            let Some(e) = self.store.engagement(d.work_item_id).await? else { continue };
            let amount = delivery_amount(&e, &d);
            match out.iter_mut().find(|x| x.work_item_id == d.work_item_id) {
                Some(x) => {
                    x.units += d.units;
                    x.hours += d.hours;
                    x.amount += amount;
                }
                None => out.push(DeliveredUnits {
                    work_item_id: d.work_item_id,
                    title: self.store.work_item(d.work_item_id).await?.item.title,
                    channel_kind: e.channel_kind.clone(),
                    provider_id: e.provider_id,
                    provider_name: e.provider_id.and_then(|p| providers.get(&p).cloned()),
                    unit: e.unit.clone(),
                    units: d.units,
                    hours: d.hours,
                    unit_price: e.unit_price,
                    amount,
                }),
            }
        }
        Ok(out)
    }

    /// Sets the monthly delegation budget the dashboard compares spend with.
    pub async fn set_delegation_budget(&self, actor: &Actor, budget: &str) -> Result<Decimal> {
        self.require(actor, Action::ManageUsers)?;
        let amount = super::parse_decimal("budget", budget)?;
        if amount.is_sign_negative() {
            return Err(invalid("budget", "a budget cannot be negative"));
        }
        let ev = self
            .event(actor, "delegation.budget_set", "setting", super::BUDGET_KEY)
            .with(serde_json::json!({"monthly_budget": amount}));
        self.store.set_setting(super::BUDGET_KEY, &amount.to_string(), ev).await?;
        Ok(amount)
    }

    /// The dashboard for the firm: this month's spend by channel against budget, six months of spend and
    /// throughput, SLA attainment and quality per provider, and escalations the actor may see.
    pub async fn delegation_dashboard(&self, actor: &Actor) -> Result<Dashboard> {
        self.require(actor, Action::ViewClients)?;
        let now = self.now();
        let budget =
            self.store.setting(super::BUDGET_KEY).await?.and_then(|b| b.parse::<Decimal>().ok());
        let providers = self.store.providers().await?;
        let shore_of: BTreeMap<Id, String> =
            providers.iter().map(|p| (p.organization_id, p.shore.clone())).collect();
        let name_of: BTreeMap<String, String> =
            providers.iter().map(|p| (p.organization_id.to_string(), p.name.clone())).collect();
        let engagements = self.store.engagements().await?;
        let (month_start, month_end) = month_bounds(now);
        let mut month_starts = vec![month_start];
        for _ in 0..5 {
            let previous = month_bounds(month_starts[0] - Duration::days(1)).0;
            month_starts.insert(0, previous);
        }
        let since = month_starts[0];
        let deliveries = self.store.deliveries_between(None, since, month_end).await?;
        let by_item: BTreeMap<Id, &EngagementRow> =
            engagements.iter().map(|e| (e.work_item_id, e)).collect();

        let mut spend: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut months: Vec<MonthSpend> = month_starts
            .iter()
            .map(|m| MonthSpend {
                month: format!("{:04}-{:02}", m.year(), m.month()),
                spend: Decimal::ZERO,
                units: 0,
                hours: Decimal::ZERO,
            })
            .collect();
        for d in &deliveries {
            let Some(e) = by_item.get(&d.work_item_id) else { continue };
            let amount = delivery_amount(e, d);
            let key = format!("{:04}-{:02}", d.delivered_at.year(), d.delivered_at.month());
            if let Some(m) = months.iter_mut().find(|m| m.month == key) {
                m.spend += amount;
                m.units += d.units;
                m.hours += d.hours;
            }
            if d.delivered_at >= month_start {
                let label = channel_label(
                    &e.channel_kind,
                    e.provider_id.and_then(|p| shore_of.get(&p)).map(String::as_str),
                );
                *spend.entry(label).or_default() += amount;
            }
        }
        let spend: Vec<ChannelSpend> =
            spend.into_iter().map(|(channel, amount)| ChannelSpend { channel, amount }).collect();
        let total_spend: Decimal = spend.iter().map(|s| s.amount).sum();

        let outcomes = self.store.qc_outcomes().await?;
        // One read of every delivery, grouped by work item, instead of a query per engagement.
        let mut all_deliveries: BTreeMap<Id, Vec<DeliveryRow>> = BTreeMap::new();
        let far = chrono::DateTime::<Utc>::MIN_UTC;
        for d in self.store.deliveries_between(None, far, month_end + Duration::days(3660)).await? {
            all_deliveries.entry(d.work_item_id).or_default().push(d);
        }
        let mut stats: BTreeMap<String, ProviderStats> = BTreeMap::new();
        let mut escalations = Vec::new();
        for e in &engagements {
            let name = name_of.get(&e.channel_id).cloned().unwrap_or_else(|| {
                match e.channel_kind.as_str() {
                    "virtual_assistant" => "Virtual assistants".into(),
                    _ => "In-house".into(),
                }
            });
            let item_deliveries =
                all_deliveries.get(&e.work_item_id).map_or(&[][..], Vec::as_slice);
            let sla = self.sla_from(e, item_deliveries, &outcomes)?;
            let entry = stats.entry(name.clone()).or_insert_with(|| ProviderStats {
                name: name.clone(),
                engagements: 0,
                units: 0,
                sla_met: 0,
                sla_missed: 0,
                at_risk: 0,
                checked: 0,
                errors: 0,
                error_rate: Decimal::ZERO,
            });
            entry.engagements += 1;
            entry.units += sla.units_done;
            entry.checked += sla.checked;
            entry.errors += sla.errors;
            match &sla.forecast {
                engine::sla::BreachForecast::Complete => {
                    let finished = item_deliveries.last().map(|d| d.delivered_at);
                    if finished.is_some_and(|f| f <= e.due_at) && !sla.quality_breached {
                        entry.sla_met += 1;
                    } else {
                        entry.sla_missed += 1;
                    }
                }
                engine::sla::BreachForecast::Breached => entry.sla_missed += 1,
                f if f.flags_breach() && !sla.too_early => entry.at_risk += 1,
                _ => {}
            }
            if sla.flagged() {
                let (_, access) = self.store.work_access(actor, e.work_item_id).await?;
                if domain::Policy::allows(actor, Action::ViewWorkItem(access)) {
                    let row = self.store.work_item(e.work_item_id).await?;
                    let matter = self.store.matter(row.item.matter_id).await?;
                    escalations.push(Escalation {
                        yours: matter.responsible_attorney == Some(actor.user_id),
                        provider: name.clone(),
                        status: if sla.quality_breached {
                            format!(
                                "{}; error rate {} above {}",
                                sla.status_label(),
                                sla.error_rate,
                                e.max_error_rate
                            )
                        } else {
                            sla.status_label()
                        },
                        error_rate: sla.error_rate,
                        row,
                    });
                }
            }
        }
        escalations.sort_by_key(|e| !e.yours);
        let mut providers_stats: Vec<ProviderStats> = stats.into_values().collect();
        for p in &mut providers_stats {
            p.error_rate =
                engine::sla::ErrorRate { checked: p.checked, errors: p.errors }.rate().round_dp(4);
        }
        let results: Vec<engine::sla::QcResult> = outcomes
            .iter()
            .map(|o| engine::sla::QcResult {
                unit_id: o.sample_id.to_string(),
                provider_id: o.provider_id.map(|p| p.to_string()).unwrap_or_default(),
                member_id: o.member_id.map(|m| m.to_string()).unwrap_or_default(),
                passed: o.passed,
            })
            .collect();
        let rates = engine::sla::error_rates(&results);
        let mut members = Vec::new();
        for (member, rate) in rates.per_member {
            let name = match Id::parse(&member) {
                Ok(id) => self.store.user(id).await.map(|u| u.display_name).unwrap_or(member),
                Err(_) => member,
            };
            members.push((name, rate.checked, rate.errors, rate.rate().round_dp(4)));
        }
        let qc_samples_drawn = usize::try_from(self.store.qc_sample_count().await?).unwrap_or(0);

        let over_budget = budget.is_some_and(|b| total_spend > b);
        let spend_bars: Vec<Bar> = spend
            .iter()
            .map(|s| Bar { label: s.channel.clone(), value: s.amount, highlight: over_budget })
            .collect();
        let spend_chart = svg_bars(
            &format!("Spend by channel, {}", months.last().map_or("", |m| m.month.as_str())),
            &spend_bars,
            budget.map(|b| ("budget", b)),
            "",
        );
        let monthly_chart = svg_bars(
            "Spend per month",
            &months.iter().map(|m| Bar::new(m.month.clone(), m.spend)).collect::<Vec<_>>(),
            budget.map(|b| ("budget", b)),
            "",
        );
        let throughput_chart = svg_bars(
            "Units delivered per day, last 14 days",
            &super::lpo::daily_units(&deliveries, now - Duration::days(13), 14)
                .into_iter()
                .map(|(day, units)| Bar::new(day.format("%b %d").to_string(), Decimal::from(units)))
                .collect::<Vec<_>>(),
            None,
            "",
        );
        let quality_chart = svg_bars(
            "QC error rate and SLA per provider",
            &providers_stats
                .iter()
                .map(|p| Bar {
                    label: format!("{} (SLA {}/{})", p.name, p.sla_met, p.sla_met + p.sla_missed),
                    value: (p.error_rate * Decimal::from(100)).round_dp(1),
                    highlight: p.sla_missed > 0 || p.at_risk > 0,
                })
                .collect::<Vec<_>>(),
            None,
            "%",
        );
        Ok(Dashboard {
            month: months.last().map(|m| m.month.clone()).unwrap_or_default(),
            budget,
            spend,
            total_spend,
            months,
            providers: providers_stats,
            members,
            escalations,
            qc_samples_drawn,
            spend_chart,
            monthly_chart,
            throughput_chart,
            quality_chart,
        })
    }

    /// Escalations for the actor alone (the responsible attorney's inbox): flagged SLAs on their matters.
    pub async fn escalations(&self, actor: &Actor) -> Result<Vec<Escalation>> {
        if !matches!(actor.role, Role::Admin | Role::Attorney | Role::Staff) {
            return Err(AppError::Forbidden);
        }
        let dashboard = self.delegation_dashboard(actor).await?;
        Ok(dashboard
            .escalations
            .into_iter()
            .filter(|e| e.yours || actor.role == Role::Admin)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn row(
        line: domain::ServiceLine,
        volume: Decimal,
        unit: Unit,
        created: DateTime<Utc>,
    ) -> WorkItemRow {
        WorkItemRow {
            item: domain::WorkItem {
                id: Id::new_at(created),
                matter_id: Id::new_at(created),
                service_line: line,
                title: "t".into(),
                description: String::new(),
                volume,
                unit,
                due_on: None,
                priority: domain::Priority::Normal,
                assignee: None,
                status: domain::WorkStatus::New,
                created_by: Id::new_at(created),
                created_at: created,
                updated_at: created,
            },
            matter_number: "1".into(),
            matter_title: "m".into(),
            assignee_name: None,
            version: 1,
        }
    }

    #[test]
    fn derived_profile_averages_per_month_in_the_reference_unit() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        let rows = vec![
            row(
                domain::ServiceLine::DocumentReview,
                dec!(50000),
                Unit::Documents,
                now - Duration::days(10),
            ),
            row(
                domain::ServiceLine::DocumentReview,
                dec!(10000),
                Unit::Documents,
                now - Duration::days(40),
            ),
            // Too old for a 2-month window.
            row(
                domain::ServiceLine::DocumentReview,
                dec!(90000),
                Unit::Documents,
                now - Duration::days(70),
            ),
            // Hours of review convert at 0.02 h per document: 20 h = 1000 documents.
            row(domain::ServiceLine::DocumentReview, dec!(20), Unit::Hours, now),
            // Pages of billing cannot be converted to hours: left out.
            row(domain::ServiceLine::BillingInvoicing, dec!(5), Unit::Pages, now),
            row(domain::ServiceLine::Drafting, dec!(30), Unit::Pages, now),
        ];
        let profile = derive_profile(&rows, 2, now).unwrap();
        let lines: Vec<(String, Decimal, String)> = profile
            .lines
            .iter()
            .map(|l| {
                (l.service_line.id().to_string(), l.monthly_volume, l.collaboration.to_string())
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                ("document_review".into(), dec!(30500), "low".into()),
                ("drafting".into(), dec!(15), "high".into()),
            ]
        );
        assert!(engine::advisor::advise(&profile).is_ok());
    }
}
