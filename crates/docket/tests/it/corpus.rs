//! Corpus suite: every worked FRCP 6 vector in `../shared/data/docket/frcp6-vectors.csv` must compute exactly.

use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};
use docket::{
    CourtCalendar, Direction, Moment, Period, Service, ServiceExtension, Unit, compute_period,
};

fn shared_data() -> Option<PathBuf> {
    let dir = match std::env::var_os("LAWDESK_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    dir.is_dir().then_some(dir)
}

/// Dates like 2026-06-12, or date-times like 2026-06-12T17:00 / 2026-06-12 17:00 for hour periods.
fn parse_moment(text: &str) -> Moment {
    let text = text.trim();
    if let Ok(day) = text.parse::<NaiveDate>() {
        return Moment::Day(day);
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Moment::At(at);
        }
    }
    panic!("unreadable date or time {text:?}");
}

#[test]
fn frcp6_vectors_all_pass() {
    let Some(dir) = shared_data() else {
        eprintln!("SKIPPED (corpus suite): shared data folder not found (set LAWDESK_SHARED_DATA)");
        return;
    };
    let path = dir.join("docket/frcp6-vectors.csv");
    if !path.is_file() {
        eprintln!("SKIPPED (corpus suite): {} not found", path.display());
        return;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_path(&path)
        .expect("vectors file opens");
    // The file's header names federal legal holidays per 5 U.S.C. 6103 only, so the calendar is the statutory
    // one; hour vectors (if any) are read as wall-clock times with no daylight-saving shifts.
    let calendar = CourtCalendar::statutory("corpus", chrono_tz::UTC);
    let extension = ServiceExtension::frcp_6d();
    let mut total = 0;
    let mut failures = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.expect("vector row reads");
        if record.iter().all(str::is_empty) {
            continue;
        }
        total += 1;
        let field =
            |i: usize| record.get(i).unwrap_or_else(|| panic!("row {line} lacks field {i}"));
        let trigger = parse_moment(field(0));
        let direction: Direction = field(1).parse().expect("direction");
        let amount: u32 = field(2).parse().expect("amount");
        let unit: Unit = field(3).parse().expect("unit");
        let service: Service = field(4).parse().expect("service");
        let expected = parse_moment(field(5));
        // The explanation may itself contain commas; keep the rest of the row together.
        let why = record.iter().skip(6).collect::<Vec<_>>().join(",");
        let period = Period { amount, unit, direction };
        let trigger = match (unit, trigger) {
            (Unit::Hours, Moment::Day(d)) => Moment::At(d.and_hms_opt(0, 0, 0).expect("midnight")),
            (_, t) => t,
        };
        match compute_period(trigger, period, service, Some(&extension), &calendar) {
            Ok(outcome)
                if outcome.due == expected
                    || (matches!(expected, Moment::Day(_))
                        && outcome.due.date() == expected.date()) => {}
            Ok(outcome) => failures.push(format!(
                "{}: {period} -> got {}, expected {} ({why})\n{:#?}",
                field(0),
                outcome.due,
                expected,
                outcome.trail
            )),
            Err(e) => failures.push(format!("{}: {period} -> error {e} ({why})", field(0))),
        }
    }
    eprintln!("corpus suite: {}/{} FRCP 6 vectors passed", total - failures.len(), total);
    assert!(total > 0, "no vectors read from {}", path.display());
    assert!(
        failures.is_empty(),
        "{} of {total} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
