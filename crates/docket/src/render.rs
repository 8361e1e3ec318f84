//! Plain-text rendering of computed deadlines and their trails, for the CLI and for calendar descriptions.

use std::fmt::Write as _;

use crate::period::{Moment, Service, StepKind};
use crate::rules::ComputedDeadline;

/// The trail of one deadline, one numbered line per step, ending with the rule's note if it has one.
pub fn trail_lines(deadline: &ComputedDeadline) -> String {
    let mut out = String::new();
    for (i, step) in deadline.trail.iter().enumerate() {
        let arrow = match step.kind {
            StepKind::Note => String::new(),
            _ => format!(" -> {}", step.to),
        };
        let _ = writeln!(out, "{}. {}{} [{}]", i + 1, step.reason, arrow, step.citation);
    }
    if !deadline.note.is_empty() {
        let _ = writeln!(out, "Note: {}", deadline.note);
    }
    out
}

fn weekday_date(moment: Moment) -> String {
    match moment {
        Moment::Day(d) => d.format("%a %Y-%m-%d").to_string(),
        Moment::At(t) => t.format("%a %Y-%m-%d %H:%M").to_string(),
    }
}

/// Every deadline with its due date, citation and the trail that produced it.
pub fn render_trail(deadlines: &[ComputedDeadline]) -> String {
    let mut out = String::new();
    if let Some(first) = deadlines.first() {
        let service = if first.service == Service::NotServed {
            String::new()
        } else {
            format!(", served by {}", first.service)
        };
        let _ = writeln!(
            out,
            "{} / {}: {}{} ({})",
            first.rule_set,
            first.trigger,
            weekday_date(first.trigger_at),
            service,
            first.time_zone.name()
        );
    }
    for deadline in deadlines {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}  {}  [{}]",
            weekday_date(deadline.due),
            deadline.title,
            deadline.citation
        );
        let _ = writeln!(
            out,
            "  {} {} (raw {})",
            deadline.period,
            deadline.trigger,
            weekday_date(deadline.raw)
        );
        for line in trail_lines(deadline).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}
