//! Deadlines on a docket over time: marking them done, overriding them with a reason, and recomputing a
//! trigger's dependents when the trigger moves, without touching what a person already decided.

use chrono::NaiveDate;

use crate::DocketError;
use crate::calendar::CourtCalendar;
use crate::period::{Moment, Service};
use crate::rules::{ComputedDeadline, RuleSet, compute_at};

/// Where a docketed deadline stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineStatus {
    /// Still to be met; recomputed when its trigger moves.
    Open,
    /// Met on the given day; kept as it is when its trigger moves.
    Done { on: NaiveDate },
    /// A person set the due date by hand; kept when its trigger moves.
    Overridden { due: NaiveDate, reason: String },
}

/// A computed deadline on a docket, tied to the trigger event that produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedDeadline {
    /// Identifies the trigger event (e.g. "motion to dismiss served, ECF 45"), chosen by the caller, so that two
    /// events of the same kind keep separate deadlines.
    pub trigger_id: String,
    pub computed: ComputedDeadline,
    pub status: DeadlineStatus,
}

impl TrackedDeadline {
    pub fn open(trigger_id: impl Into<String>, computed: ComputedDeadline) -> Self {
        Self { trigger_id: trigger_id.into(), computed, status: DeadlineStatus::Open }
    }

    /// The date that counts: the override's when there is one, else the computed one.
    pub fn effective_due(&self) -> NaiveDate {
        match &self.status {
            DeadlineStatus::Overridden { due, .. } => *due,
            _ => self.computed.due_date(),
        }
    }

    pub fn mark_done(&mut self, on: NaiveDate) {
        self.status = DeadlineStatus::Done { on };
    }

    /// Sets the due date by hand. Every override must say why, for the file and for the malpractice carrier.
    pub fn override_due(&mut self, due: NaiveDate, reason: &str) -> Result<(), DocketError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DocketError::EmptyOverrideReason);
        }
        self.status = DeadlineStatus::Overridden { due, reason: reason.to_string() };
        Ok(())
    }

    fn is_settled(&self) -> bool {
        !matches!(self.status, DeadlineStatus::Open)
    }
}

/// Tracks every deadline a trigger produces.
pub fn track(
    trigger_id: &str,
    rule_set: &RuleSet,
    trigger_name: &str,
    trigger_at: Moment,
    service: Service,
    calendar: &CourtCalendar,
) -> Result<Vec<TrackedDeadline>, DocketError> {
    Ok(compute_at(rule_set, trigger_name, trigger_at, service, calendar)?
        .into_iter()
        .map(|c| TrackedDeadline::open(trigger_id, c))
        .collect())
}

/// Returns the docket after the trigger `trigger_id` moved to `new_trigger_at`: its open deadlines are
/// recomputed, its done and overridden ones kept exactly as they were, deadlines of other triggers untouched,
/// and deadlines the rules now produce but the docket lacked added at the end.
pub fn recompute_moved_trigger(
    existing: &[TrackedDeadline],
    trigger_id: &str,
    rule_set: &RuleSet,
    trigger_name: &str,
    new_trigger_at: Moment,
    service: Service,
    calendar: &CourtCalendar,
) -> Result<Vec<TrackedDeadline>, DocketError> {
    let mut fresh = compute_at(rule_set, trigger_name, new_trigger_at, service, calendar)?;
    let mut result = Vec::with_capacity(existing.len() + fresh.len());
    for deadline in existing {
        if deadline.trigger_id != trigger_id {
            result.push(deadline.clone());
            continue;
        }
        let position = fresh.iter().position(|c| c.rule_id == deadline.computed.rule_id);
        if deadline.is_settled() {
            // Whatever a person decided stands; the fresh computation for it is dropped, not duplicated.
            if let Some(i) = position {
                fresh.remove(i);
            }
            result.push(deadline.clone());
        } else if let Some(i) = position {
            result.push(TrackedDeadline::open(trigger_id, fresh.remove(i)));
        }
        // An open deadline whose rule no longer applies (e.g. the trigger moved across an effective date) is
        // dropped along with its stale date.
    }
    result.extend(fresh.into_iter().map(|c| TrackedDeadline::open(trigger_id, c)));
    Ok(result)
}
