//! The LPO and assistant side: incoming work, batches and members' queues, QC sampling and rework, SLA forecasts,
//! and a virtual assistant's daily agenda.

use super::invalid;
use crate::auth::actor_of;
use crate::{App, AppError, Result};
use ::delegation as engine;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::{Action, Actor, Id, Role, Unit, User};
use engine::sla::{BreachForecast, ProgressSample, QcResult, ReworkDecision};
use rust_decimal::Decimal;
use serde::Serialize;
use store::delegation::{BatchRow, DeliveryRow, EngagementRow, QcSampleRow};
use store::{Page, WorkFilter, WorkItemRow};

/// Most units one work item may be split into (a bound on rows, not on real work).
const MAX_UNITS: i64 = 2_000_000;

/// A batch with the names and QC state a page shows.
#[derive(Debug, Clone, Serialize)]
pub struct BatchView {
    pub batch: BatchRow,
    pub assignee_name: Option<String>,
    pub work_title: String,
    pub matter_number: String,
    pub samples: Vec<QcSampleRow>,
    /// The QC round in progress (its samples), if any.
    pub round: i64,
    pub may_complete: bool,
}

impl BatchView {
    pub fn pending_samples(&self) -> usize {
        self.current_samples().filter(|s| s.result == "pending").count()
    }
    pub fn failed_samples(&self) -> usize {
        self.samples.iter().filter(|s| s.result == "fail").count()
    }
    pub fn current_samples(&self) -> impl Iterator<Item = &QcSampleRow> {
        self.samples.iter().filter(move |s| s.round == self.round)
    }
}

/// Work assigned to an LPO manager's organization, with progress.
#[derive(Debug, Clone, Serialize)]
pub struct IncomingItem {
    pub row: WorkItemRow,
    pub batches: usize,
    pub units_done: i64,
    pub sla: Option<SlaView>,
}

/// An engagement's SLA state: progress, the forecast from throughput so far, and quality.
#[derive(Debug, Clone, Serialize)]
pub struct SlaView {
    pub engagement: EngagementRow,
    pub units_done: i64,
    pub forecast: BreachForecast,
    pub checked: u64,
    pub errors: u64,
    pub error_rate: Decimal,
    pub quality_breached: bool,
    /// No throughput to forecast from yet and the engagement is under a day old: not a stall.
    pub too_early: bool,
}

impl SlaView {
    pub fn flagged(&self) -> bool {
        (self.forecast.flags_breach() && !self.too_early) || self.quality_breached
    }
    pub fn status_label(&self) -> String {
        if self.too_early {
            return "too early to forecast".into();
        }
        match &self.forecast {
            BreachForecast::Complete => "complete".into(),
            BreachForecast::OnTrack { projected_finish, .. } => {
                format!("on track, finishing {}", projected_finish.format("%Y-%m-%d"))
            }
            BreachForecast::AtRisk { projected_finish, late_by_hours, .. } => format!(
                "at risk: projected {} ({} h late)",
                projected_finish.format("%Y-%m-%d"),
                late_by_hours
            ),
            BreachForecast::Stalled => "no progress yet".into(),
            BreachForecast::Breached => "breached: past due".into(),
        }
    }
}

/// QC on one batch after a result: what the engine decided.
#[derive(Debug, Clone, Serialize)]
pub struct QcView {
    pub batch: BatchRow,
    pub decision: Option<ReworkDecision>,
}

/// One entry of a virtual assistant's day.
#[derive(Debug, Clone, Serialize)]
pub struct AgendaEntry {
    pub row: WorkItemRow,
    pub attorney: String,
    pub hours: Decimal,
    /// Local start and end, `HH:MM`, when it fits today's working window.
    pub slot: Option<(String, String)>,
    pub overdue: bool,
}

/// The assistant's one queue across the attorneys they support, with today's agenda.
#[derive(Debug, Clone, Serialize)]
pub struct VaAgenda {
    pub date: NaiveDate,
    pub time_zone: String,
    pub entries: Vec<AgendaEntry>,
    /// Attorney → open items.
    pub attorneys: Vec<(String, usize)>,
}

impl App {
    pub(crate) async fn sla_of(&self, e: &EngagementRow) -> Result<SlaView> {
        let deliveries = self.store.deliveries(e.work_item_id).await?;
        let outcomes = self.store.qc_outcomes_of(e.work_item_id).await?;
        self.sla_from(e, &deliveries, &outcomes)
    }

    /// The SLA view from an engagement's deliveries (in time order) and its checked QC samples.
    pub(crate) fn sla_from(
        &self,
        e: &EngagementRow,
        deliveries: &[DeliveryRow],
        outcomes: &[store::delegation::QcOutcome],
    ) -> Result<SlaView> {
        let mut samples = vec![ProgressSample { at: e.started_at, completed: 0 }];
        let mut done: i64 = 0;
        for d in deliveries {
            done +=
                if e.unit == "hours" { d.hours.ceil().try_into().unwrap_or(0) } else { d.units };
            samples.push(ProgressSample {
                at: d.delivered_at.max(e.started_at),
                completed: done.max(0) as u64,
            });
        }
        let total = e.total_units.max(0) as u64;
        let forecast = engine::sla::predict_breach(&samples, total, e.due_at, self.now())
            .map_err(|err| AppError::Internal(err.to_string()))?;
        let mine: Vec<_> = outcomes.iter().filter(|o| o.work_item_id == e.work_item_id).collect();
        let checked = mine.len() as u64;
        let errors = mine.iter().filter(|o| !o.passed).count() as u64;
        let rate = engine::sla::ErrorRate { checked, errors }.rate();
        Ok(SlaView {
            engagement: e.clone(),
            units_done: done,
            checked,
            errors,
            error_rate: rate.round_dp(4),
            quality_breached: checked > 0 && rate > e.max_error_rate,
            too_early: matches!(forecast, BreachForecast::Stalled)
                && self.now() - e.started_at < Duration::days(1),
            forecast,
        })
    }

    pub(crate) async fn batch_views(&self, work_item: Id, actor: &Actor) -> Result<Vec<BatchView>> {
        let row = self.store.work_item(work_item).await?;
        let mut out = Vec::new();
        for b in self.store.batches(work_item).await? {
            out.push(self.batch_view(b, &row, actor).await?);
        }
        Ok(out)
    }

    async fn batch_view(&self, b: BatchRow, row: &WorkItemRow, actor: &Actor) -> Result<BatchView> {
        let assignee_name = match b.assignee {
            Some(a) => Some(self.store.user(a).await?.display_name),
            None => None,
        };
        let samples = self.store.qc_samples(b.id).await?;
        let round = samples.iter().map(|s| s.round).max().unwrap_or(0);
        Ok(BatchView {
            may_complete: b.assignee == Some(actor.user_id)
                && matches!(b.status.as_str(), "assigned" | "rework"),
            assignee_name,
            work_title: row.item.title.clone(),
            matter_number: row.matter_number.clone(),
            samples,
            round,
            batch: b,
        })
    }

    /// Who the actor may hand batches to: an LPO manager, their organization's members; the firm, the members of
    /// the engaged provider.
    pub(crate) async fn assignable_members(
        &self,
        actor: &Actor,
        engagement: Option<&EngagementRow>,
    ) -> Result<Vec<User>> {
        let org = match actor.role {
            Role::LpoManager => actor.organization_id,
            _ => engagement.and_then(|e| e.provider_id),
        };
        let Some(org) = org else { return Ok(vec![]) };
        Ok(self
            .store
            .users_with_roles(&[Role::LpoManager, Role::LpoReviewer])
            .await?
            .into_iter()
            .filter(|u| u.active && u.organization_id == Some(org))
            .collect())
    }

    /// An LPO manager's incoming work: everything assigned to their organization, with progress and SLA.
    pub async fn incoming_work(&self, actor: &Actor) -> Result<Vec<IncomingItem>> {
        if actor.role != Role::LpoManager || !actor.active {
            return Err(AppError::Forbidden);
        }
        let (rows, _) =
            self.store.list_work_items(actor, &WorkFilter::default(), Page::new(1, 200)).await?;
        let mut out = Vec::new();
        for row in rows {
            let batches = self.store.batches(row.item.id).await?;
            let sla = match self.store.engagement(row.item.id).await? {
                Some(e) => Some(self.sla_of(&e).await?),
                None => None,
            };
            out.push(IncomingItem {
                batches: batches.len(),
                units_done: batches.iter().map(|b| b.units_done).sum(),
                row,
                sla,
            });
        }
        Ok(out)
    }

    /// Splits a work item into batches of about `batch_size` units (unit ranges `1..=volume`).
    pub async fn split_into_batches(
        &self,
        actor: &Actor,
        work_item: Id,
        batch_size: &str,
    ) -> Result<Vec<BatchRow>> {
        let (_, access) = self.store.work_access(actor, work_item).await?;
        self.require(actor, Action::ManageWorkItem(access))?;
        let size: i64 =
            batch_size.trim().parse().ok().filter(|n| (1..=100_000).contains(n)).ok_or_else(
                || invalid("batch_size", "enter a whole number of units between 1 and 100000"),
            )?;
        let row = self.store.work_item(work_item).await?;
        let total = row.item.volume.ceil().try_into().unwrap_or(i64::MAX);
        if total < 1 {
            return Err(invalid("batch_size", "this work item has no volume to split"));
        }
        if total > MAX_UNITS {
            return Err(invalid("batch_size", format!("at most {MAX_UNITS} units can be batched")));
        }
        let now = self.now();
        let batches: Vec<BatchRow> = (0..)
            .map(|i| i * size + 1)
            .take_while(|first| *first <= total)
            .enumerate()
            .map(|(i, first)| BatchRow {
                id: Id::new_at(now),
                work_item_id: work_item,
                number: i as i64 + 1,
                first_unit: first,
                last_unit: (first + size - 1).min(total),
                assignee: None,
                status: "open".into(),
                units_done: 0,
                created_at: now,
                updated_at: now,
            })
            .collect();
        let ev = self.event(actor, "delegation.batches_split", "work_item", work_item).with(
            serde_json::json!({"batch_size": size, "batches": batches.len(), "units": total}),
        );
        self.store.create_batches(work_item, &batches, ev).await?;
        Ok(batches)
    }

    async fn batch_with_access(
        &self,
        actor: &Actor,
        batch: Id,
    ) -> Result<(BatchRow, domain::policy::WorkAccess)> {
        let b = self.store.batch(batch).await?;
        let (_, access) = self.store.work_access(actor, b.work_item_id).await?;
        Ok((b, access))
    }

    /// Assigns a batch to a member of the provider (the manager, or the firm on the item's matter).
    pub async fn assign_batch(&self, actor: &Actor, batch: Id, member: &str) -> Result<BatchRow> {
        let (mut b, access) = self.batch_with_access(actor, batch).await?;
        self.require(actor, Action::ManageWorkItem(access))?;
        let member = Id::parse(member).map_err(|_| invalid("member", "choose a member"))?;
        let engagement = self.store.engagement(b.work_item_id).await?;
        let allowed = self.assignable_members(actor, engagement.as_ref()).await?;
        let user = allowed
            .iter()
            .find(|u| u.id == member)
            .ok_or_else(|| invalid("member", "assign within the provider's team"))?;
        let row = self.store.work_item(b.work_item_id).await?;
        let matter = self.store.matter(row.item.matter_id).await?;
        if self.store.matter_access(&actor_of(user), matter.id).await?.walled {
            return Err(invalid(
                "member",
                format!("{} is walled off this matter", user.display_name),
            ));
        }
        self.check_channel_rules(&matter, user).await?;
        if !matches!(b.status.as_str(), "open" | "assigned" | "rework") {
            return Err(invalid("member", format!("a {} batch cannot be reassigned", b.status)));
        }
        let expected = b.status.clone();
        b.assignee = Some(member);
        if b.status == "open" {
            b.status = "assigned".into();
        }
        b.updated_at = self.now();
        let ev = self
            .event(actor, "delegation.batch_assign", "batch", b.id)
            .with(serde_json::json!({"member": member.to_string(), "work_item": b.work_item_id.to_string(), "number": b.number}));
        self.store.update_batch(&b, &expected, ev).await?;
        Ok(b)
    }

    /// A member's own batches (never anyone else's), across work items, leaving out walled matters.
    pub async fn my_batches(&self, actor: &Actor) -> Result<Vec<BatchView>> {
        if !matches!(actor.role, Role::LpoManager | Role::LpoReviewer) || !actor.active {
            return Err(AppError::Forbidden);
        }
        let mut out = Vec::new();
        for b in self.store.batches_of_member(actor.user_id).await? {
            let row = self.store.work_item(b.work_item_id).await?;
            if self.store.matter_access(actor, row.item.matter_id).await?.walled {
                continue;
            }
            out.push(self.batch_view(b, &row, actor).await?);
        }
        Ok(out)
    }

    /// One batch, for its member or whoever manages the work item.
    pub async fn batch(&self, actor: &Actor, batch: Id) -> Result<BatchView> {
        let (b, access) = self.batch_with_access(actor, batch).await?;
        let mine = b.assignee == Some(actor.user_id) && !access.matter.walled;
        if !mine {
            self.require(actor, Action::ManageWorkItem(access))?;
        }
        let row = self.store.work_item(b.work_item_id).await?;
        self.batch_view(b, &row, actor).await
    }

    /// The member marks their batch done with the units and hours delivered; a seeded QC sample of the completed
    /// units is drawn at once at the engagement's sample rate.
    pub async fn complete_batch(
        &self,
        actor: &Actor,
        batch: Id,
        units: &str,
        hours: &str,
    ) -> Result<BatchView> {
        let (mut b, access) = self.batch_with_access(actor, batch).await?;
        if b.assignee != Some(actor.user_id) || access.matter.walled {
            return Err(AppError::Forbidden);
        }
        if !matches!(b.status.as_str(), "assigned" | "rework") {
            return Err(invalid("units", format!("a {} batch cannot be completed", b.status)));
        }
        let units: i64 = if units.trim().is_empty() {
            b.units()
        } else {
            units
                .trim()
                .parse()
                .ok()
                .filter(|u| (0..=b.units()).contains(u))
                .ok_or_else(|| invalid("units", format!("enter 0 to {} units", b.units())))?
        };
        let hours = if hours.trim().is_empty() {
            Decimal::ZERO
        } else {
            super::parse_decimal("hours", hours)?
        };
        if hours.is_sign_negative() || hours > Decimal::from(10_000) {
            return Err(invalid("hours", "enter the hours spent (0 to 10000)"));
        }
        let expected = b.status.clone();
        let rework = expected == "rework";
        // A reworked batch is not new volume: it delivers hours, not units, again.
        let new_units = if rework { 0 } else { units };
        b.status = "done".into();
        b.units_done = units;
        b.updated_at = self.now();
        let delivery = DeliveryRow {
            id: Id::new_at(self.now()),
            work_item_id: b.work_item_id,
            batch_id: Some(b.id),
            member_id: actor.user_id,
            units: new_units,
            hours,
            delivered_at: self.now(),
        };
        let ev = self.event(actor, "delegation.batch_complete", "batch", b.id).with(
            serde_json::json!({"units": units, "hours": hours, "rework": rework, "work_item": b.work_item_id.to_string()}),
        );
        self.store.complete_batch(&b, &expected, &delivery, ev).await?;
        self.draw_qc(actor, &b).await?;
        let row = self.store.work_item(b.work_item_id).await?;
        self.batch_view(b, &row, actor).await
    }

    /// Draws the next round's sample of a completed batch (seeded by the batch and round, so it is reproducible
    /// and auditable).
    async fn draw_qc(&self, actor: &Actor, b: &BatchRow) -> Result<Vec<QcSampleRow>> {
        let rate = match self.store.engagement(b.work_item_id).await? {
            Some(e) => e.qc_sample_rate,
            None => Decimal::new(5, 2),
        };
        let round =
            self.store.qc_samples(b.id).await?.iter().map(|s| s.round).max().unwrap_or(0) + 1;
        let completed: Vec<i64> = (b.first_unit..b.first_unit + b.units_done).collect();
        if completed.is_empty() {
            return Ok(vec![]);
        }
        let seed = (b.id.0.as_u128() as u64) ^ (round as u64);
        let picked = engine::sla::qc_sample(&completed, rate, seed);
        let ev = self.event(actor, "delegation.qc_draw", "batch", b.id).with(
            serde_json::json!({"round": round, "rate": rate, "seed": seed.to_string(), "units": picked}),
        );
        Ok(self.store.draw_qc_sample(b.id, round, &picked, self.now(), ev).await?)
    }

    /// Records pass or fail on a sampled unit (the firm on the matter or the provider's manager; never the member
    /// who did the batch). When the round is fully checked the engine decides: accept, fix the failed units, or
    /// send the whole batch back for rework.
    pub async fn record_qc(&self, actor: &Actor, sample: Id, passed: bool) -> Result<QcView> {
        let s = self.store.qc_sample(sample).await?;
        let (mut b, access) = self.batch_with_access(actor, s.batch_id).await?;
        self.require(actor, Action::ManageWorkItem(access))?;
        if b.assignee == Some(actor.user_id) {
            return Err(invalid("sample", "a batch is checked by someone other than who did it"));
        }
        let ev = self
            .event(actor, "delegation.qc_result", "batch", b.id)
            .with(serde_json::json!({"unit": s.unit_no, "round": s.round, "passed": passed}));
        self.store.record_qc(sample, passed, actor.user_id, self.now(), ev).await?;
        let round: Vec<QcSampleRow> =
            self.store.qc_samples(b.id).await?.into_iter().filter(|x| x.round == s.round).collect();
        if round.iter().any(|x| x.result == "pending") {
            return Ok(QcView { batch: b, decision: None });
        }
        let engagement = self.store.engagement(b.work_item_id).await?;
        let provider = engagement
            .as_ref()
            .and_then(|e| e.provider_id)
            .map(|p| p.to_string())
            .unwrap_or_default();
        let member = b.assignee.map(|m| m.to_string()).unwrap_or_default();
        let results: Vec<QcResult> = round
            .iter()
            .map(|x| QcResult {
                unit_id: x.unit_no.to_string(),
                provider_id: provider.clone(),
                member_id: member.clone(),
                passed: x.result == "pass",
            })
            .collect();
        let threshold = engagement.as_ref().map_or(Decimal::new(2, 2), |e| e.max_error_rate);
        let decision = engine::sla::rework_decision(&results, threshold);
        let expected = b.status.clone();
        b.status = match decision {
            ReworkDecision::ReworkBatch { .. } => "rework".into(),
            ReworkDecision::Accept | ReworkDecision::FixFailedUnits { .. } => "accepted".into(),
        };
        b.updated_at = self.now();
        let ev = self
            .event(actor, "delegation.qc_decision", "batch", b.id)
            .with(serde_json::to_value(&decision).map_err(|e| AppError::Internal(e.to_string()))?);
        self.store.update_batch(&b, &expected, ev).await?;
        Ok(QcView { batch: b, decision: Some(decision) })
    }

    /// A virtual assistant's queue across the attorneys they support, and today's agenda in their own time zone:
    /// overdue and urgent first, then by due date, fitted into the working window.
    pub async fn va_agenda(&self, actor: &Actor) -> Result<VaAgenda> {
        if actor.role != Role::VirtualAssistant || !actor.active {
            return Err(AppError::Forbidden);
        }
        let profile = self.store.va_profile(actor.user_id).await?;
        let hours = match &profile {
            Some(p) => super::working_hours(&p.time_zone, &p.work_start, &p.work_end)?,
            None => self.firm_hours().await?,
        };
        let now = self.now();
        let today = now.with_timezone(&hours.time_zone).date_naive();
        let (rows, _) =
            self.store.list_work_items(actor, &WorkFilter::default(), Page::new(1, 200)).await?;
        let mut open: Vec<WorkItemRow> =
            rows.into_iter().filter(|r| !r.item.status.is_terminal()).collect();
        let rank = |r: &WorkItemRow| {
            let overdue = r.item.due_on.is_some_and(|d| d < today);
            let urgency = match r.item.priority {
                domain::Priority::Urgent => 0,
                domain::Priority::High => 1,
                domain::Priority::Normal => 2,
                domain::Priority::Low => 3,
            };
            (!overdue, urgency, r.item.due_on.unwrap_or(NaiveDate::MAX), r.item.id)
        };
        open.sort_by_key(rank);
        let mut cursor = hours
            .time_zone
            .from_local_datetime(&today.and_time(hours.start))
            .earliest()
            .unwrap_or_else(|| {
                Utc.from_utc_datetime(&today.and_time(hours.start)).with_timezone(&hours.time_zone)
            });
        let mut day_end = hours
            .time_zone
            .from_local_datetime(&today.and_time(hours.end))
            .earliest()
            .unwrap_or(cursor);
        if day_end <= cursor {
            day_end += Duration::days(1);
        }
        let mut entries = Vec::new();
        let mut attorneys: Vec<(String, usize)> = Vec::new();
        for row in open {
            let matter = self.store.matter(row.item.matter_id).await?;
            let attorney = match matter.responsible_attorney {
                Some(a) => self.store.user(a).await?.display_name,
                None => "(no responsible attorney)".into(),
            };
            match attorneys.iter_mut().find(|(a, _)| *a == attorney) {
                Some(entry) => entry.1 += 1,
                None => attorneys.push((attorney.clone(), 1)),
            }
            let work_hours =
                if row.item.unit == Unit::Hours { row.item.volume } else { Decimal::ONE };
            let minutes =
                (work_hours * Decimal::from(60)).ceil().try_into().unwrap_or(i64::MAX / 4);
            let end = cursor + Duration::minutes(minutes.max(15));
            let slot = (end <= day_end).then(|| {
                let s = (cursor.format("%H:%M").to_string(), end.format("%H:%M").to_string());
                cursor = end;
                s
            });
            entries.push(AgendaEntry {
                overdue: row.item.due_on.is_some_and(|d| d < today),
                row,
                attorney,
                hours: work_hours,
                slot,
            });
        }
        Ok(VaAgenda { date: today, time_zone: hours.time_zone.name().into(), entries, attorneys })
    }
}

/// Completed units per day over a window, for throughput charts.
pub(crate) fn daily_units(
    deliveries: &[DeliveryRow],
    from: DateTime<Utc>,
    days: i64,
) -> Vec<(NaiveDate, i64)> {
    (0..days)
        .map(|i| {
            let day = (from + Duration::days(i)).date_naive();
            let units = deliveries
                .iter()
                .filter(|d| d.delivered_at.date_naive() == day)
                .map(|d| d.units)
                .sum();
            (day, units)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::App;
    use crate::delegation::RouteDecisionForm;
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use std::sync::{Arc, Mutex};

    async fn actor(app: &App, who: &str) -> domain::Actor {
        let row =
            app.store.user_for_sign_in(&format!("{who}@demo.lawdesk")).await.unwrap().unwrap();
        crate::auth::actor_of(&row.user)
    }

    #[tokio::test]
    async fn a_breach_is_predicted_from_throughput_before_the_due_date_and_escalated() {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open_sqlite(dir.path()).await.unwrap();
        let clock: Arc<Mutex<DateTime<Utc>>> =
            Arc::new(Mutex::new(Utc.with_ymd_and_hms(2026, 11, 2, 14, 0, 0).unwrap()));
        let now = clock.clone();
        let app = App::with_clock(store, Arc::new(move || *now.lock().unwrap()));
        app.load_demo().await.unwrap();
        let (alice, ben, manoj, priya) = (
            actor(&app, "alice").await,
            actor(&app, "ben").await,
            actor(&app, "manoj").await,
            actor(&app, "priya").await,
        );
        let (rows, _) =
            app.list_matters(&alice, &Default::default(), store::Page::default()).await.unwrap();
        let m1 = rows.iter().find(|m| m.matter.title.starts_with("Acme")).unwrap().matter.id;
        let form = crate::WorkForm {
            service_line: "document_review".into(),
            title: "Rolling production review".into(),
            volume: "50000".into(),
            unit: "documents".into(),
            ..Default::default()
        };
        let item = app.create_work_item(&alice, m1, &form).await.unwrap().id;
        app.recommend_route(&alice, item).await.unwrap();
        let decision = RouteDecisionForm {
            decision: "accept".into(),
            turnaround_days: "20".into(),
            ..Default::default()
        };
        app.decide_route(&alice, item, &decision).await.unwrap();
        let batches = app.split_into_batches(&manoj, item, "5000").await.unwrap();
        app.assign_batch(&manoj, batches[0].id, &priya.user_id.to_string()).await.unwrap();
        let sla = app.route_view(&alice, item).await.unwrap().sla.unwrap();
        assert!(!sla.flagged(), "no throughput yet on day one: {}", sla.status_label());

        // 5,000 documents in 5 days is 1,000 a day: 45,000 left need 45 more days, but only 15 remain.
        *clock.lock().unwrap() += Duration::days(5);
        app.complete_batch(&priya, batches[0].id, "", "80").await.unwrap();
        let sla = app.route_view(&alice, item).await.unwrap().sla.unwrap();
        assert!(sla.flagged(), "{}", sla.status_label());
        assert!(
            sla.status_label().starts_with("at risk: projected 2026-12-22"),
            "{}",
            sla.status_label()
        );
        let escalations = app.escalations(&alice).await.unwrap();
        assert!(escalations.iter().any(|e| e.row.item.id == item && e.yours));
        assert!(app.escalations(&ben).await.unwrap().iter().all(|e| e.row.item.id != item));

        // Doubling throughput for the rest of the window brings it back on track.
        for (i, b) in batches.iter().enumerate().skip(1).take(8) {
            *clock.lock().unwrap() += Duration::hours(12);
            app.assign_batch(&manoj, b.id, &priya.user_id.to_string()).await.unwrap();
            app.complete_batch(&priya, b.id, "", "80").await.unwrap();
            assert!(i < 9);
        }
        let sla = app.route_view(&alice, item).await.unwrap().sla.unwrap();
        assert!(!sla.flagged(), "{}", sla.status_label());
        assert_eq!(sla.units_done, 45_000);
    }
}
