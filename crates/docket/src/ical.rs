//! iCalendar (RFC 5545) output: a VCALENDAR with one VEVENT per deadline, escaped, folded at 75 octets and
//! CRLF-terminated, with a VTIMEZONE for every time zone a timed event uses.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::period::Moment;
use crate::rules::ComputedDeadline;
use crate::tracking::{DeadlineStatus, TrackedDeadline};

/// When an event happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventStart {
    /// A whole day (DTSTART;VALUE=DATE).
    AllDay(NaiveDate),
    /// A local time in a named zone (DTSTART;TZID=...).
    At { local: NaiveDateTime, zone: Tz },
}

/// One calendar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    /// Stable across recomputation, so a calendar client updates the entry instead of adding another.
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub start: EventStart,
    /// When it ends: a local time in the start's zone for timed events (DTEND;TZID=...), or the last day
    /// (inclusive) for all-day ones. `None`: an all-day event lasts its one day, a timed one has no length.
    pub end: Option<EventStart>,
    /// Where it happens (LOCATION), empty when unknown.
    pub location: String,
    /// Whether it makes the person busy (TRANSP:OPAQUE); deadlines mark a day without blocking it.
    pub busy: bool,
}

impl ComputedDeadline {
    /// A calendar entry for this deadline. `uid_scope` identifies the docket and trigger (e.g. a case id and a
    /// trigger id) so the UID stays the same when the trigger moves.
    pub fn to_event(&self, uid_scope: &str) -> CalendarEvent {
        let mut description = format!("{} ({})\n", self.title, self.citation);
        description.push_str(&crate::render::trail_lines(self));
        CalendarEvent {
            uid: event_uid(uid_scope, &self.rule_id),
            summary: format!("DUE: {}", self.title),
            description,
            start: moment_start(self.due, self.time_zone),
            end: None,
            location: String::new(),
            busy: false,
        }
    }
}

impl TrackedDeadline {
    /// A calendar entry showing the date that counts (an override's, if any) and its status.
    pub fn to_event(&self, uid_scope: &str) -> CalendarEvent {
        let scope = format!("{uid_scope}-{}", self.trigger_id);
        let mut event = self.computed.to_event(&scope);
        match &self.status {
            DeadlineStatus::Open => {}
            DeadlineStatus::Done { on } => {
                event.summary = format!("DONE: {}", self.computed.title);
                event.description = format!("Done on {on}.\n{}", event.description);
            }
            DeadlineStatus::Overridden { due, reason } => {
                event.start = EventStart::AllDay(*due);
                event.description = format!(
                    "Overridden to {due} (computed {}): {reason}\n{}",
                    self.computed.due_date(),
                    event.description
                );
            }
        }
        event
    }
}

fn moment_start(moment: Moment, zone: Tz) -> EventStart {
    match moment {
        Moment::Day(day) => EventStart::AllDay(day),
        Moment::At(local) => EventStart::At { local, zone },
    }
}

fn event_uid(scope: &str, rule_id: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' })
            .collect()
    };
    format!("{}-{}@lawdesk.docket", clean(scope), clean(rule_id))
}

/// Escapes a TEXT value (RFC 5545 3.3.11).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no line exceeds 75 octets (RFC 5545 3.1), never splitting a
/// UTF-8 character.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A VCALENDAR holding `events`. `dtstamp` is when the feed was generated (passed in to stay deterministic).
pub fn to_icalendar(events: &[CalendarEvent], dtstamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(&mut out, "PRODID:-//lawdesk//docket//EN");
    push_line(&mut out, "CALSCALE:GREGORIAN");
    let mut zones: Vec<(Tz, i32, i32)> = Vec::new();
    for event in events {
        if let EventStart::At { local, zone } = &event.start {
            match zones.iter_mut().find(|(z, _, _)| z == zone) {
                Some((_, first, last)) => {
                    *first = (*first).min(local.year());
                    *last = (*last).max(local.year());
                }
                None => zones.push((*zone, local.year(), local.year())),
            }
        }
    }
    for (zone, first, last) in zones {
        write_vtimezone(&mut out, zone, first, last);
    }
    for event in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
        push_line(&mut out, &format!("DTSTAMP:{}", utc_stamp(dtstamp)));
        match &event.start {
            EventStart::AllDay(day) => {
                push_line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")));
                let last = match &event.end {
                    Some(EventStart::AllDay(last)) if last >= day => *last,
                    _ => *day,
                };
                // DTEND of an all-day event is exclusive: the day after the last one.
                let next = last.succ_opt().unwrap_or(last);
                push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
            }
            EventStart::At { local, zone } => {
                push_line(
                    &mut out,
                    &format!("DTSTART;TZID={}:{}", zone.name(), local.format("%Y%m%dT%H%M%S")),
                );
                if let Some(EventStart::At { local: end, .. }) = &event.end {
                    push_line(
                        &mut out,
                        &format!("DTEND;TZID={}:{}", zone.name(), end.format("%Y%m%dT%H%M%S")),
                    );
                }
            }
        }
        push_line(&mut out, if event.busy { "TRANSP:OPAQUE" } else { "TRANSP:TRANSPARENT" });
        if !event.location.is_empty() {
            push_line(&mut out, &format!("LOCATION:{}", escape_text(&event.location)));
        }
        push_line(&mut out, &format!("SUMMARY:{}", escape_text(&event.summary)));
        push_line(&mut out, &format!("DESCRIPTION:{}", escape_text(&event.description)));
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if sec == 0 { format!("{sign}{h:02}{m:02}") } else { format!("{sign}{h:02}{m:02}{sec:02}") }
}

/// The zone's observances from a year before `first` to a year after `last`, found from chrono-tz by scanning
/// day by day and then bisecting to the second of each offset change.
fn write_vtimezone(out: &mut String, zone: Tz, first: i32, last: i32) {
    let info = |t: DateTime<Utc>| {
        let offset = zone.offset_from_utc_datetime(&t.naive_utc());
        (
            offset.fix().local_minus_utc(),
            offset.dst_offset() != Duration::zero(),
            offset.abbreviation().unwrap_or("").to_string(),
        )
    };
    let start_of = |year: i32| {
        Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
            .single()
            .expect("midnight UTC on January 1 exists")
    };
    let range_start = start_of(first - 1);
    let range_end = start_of(last + 2);
    push_line(out, "BEGIN:VTIMEZONE");
    push_line(out, &format!("TZID:{}", zone.name()));
    let initial = info(range_start);
    let component =
        |out: &mut String, start_local: NaiveDateTime, from: i32, to: &(i32, bool, String)| {
            let kind = if to.1 { "DAYLIGHT" } else { "STANDARD" };
            push_line(out, &format!("BEGIN:{kind}"));
            push_line(out, &format!("DTSTART:{}", start_local.format("%Y%m%dT%H%M%S")));
            push_line(out, &format!("TZOFFSETFROM:{}", offset_text(from)));
            push_line(out, &format!("TZOFFSETTO:{}", offset_text(to.0)));
            if !to.2.is_empty() {
                push_line(out, &format!("TZNAME:{}", escape_text(&to.2)));
            }
            push_line(out, &format!("END:{kind}"));
        };
    // The observance in force when the range opens, so every event time has a defined offset.
    component(
        out,
        NaiveDate::from_ymd_opt(1970, 1, 1)
            .expect("1970-01-01 exists")
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists"),
        initial.0,
        &initial,
    );
    let mut day = range_start;
    let mut current = initial;
    while day < range_end {
        let next_day = day + Duration::days(1);
        let next = info(next_day);
        if next.0 != current.0 {
            let (mut low, mut high) = (day, next_day);
            while high - low > Duration::seconds(1) {
                let mid = low + (high - low) / 2;
                if info(mid).0 == current.0 {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            // DTSTART of an observance is the local time just before the change, read in the old offset.
            let onset = high.naive_utc() + Duration::seconds(i64::from(current.0));
            component(out, onset, current.0, &next);
        }
        current = next;
        day = next_day;
    }
    push_line(out, "END:VTIMEZONE");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_folds() {
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let mut out = String::new();
        push_line(&mut out, &format!("DESCRIPTION:{}", "é".repeat(60)));
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("DESCRIPTION:{}\r\n", "é".repeat(60)));
    }

    #[test]
    fn offsets() {
        assert_eq!(offset_text(-5 * 3600), "-0500");
        assert_eq!(offset_text(5 * 3600 + 1800), "+0530");
        assert_eq!(offset_text(-(4 * 3600 + 56 * 60 + 2)), "-045602");
    }
}
