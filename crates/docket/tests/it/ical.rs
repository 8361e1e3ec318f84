//! iCalendar output, checked by parsing it back with the `icalendar` crate's parser.

use chrono::{NaiveDate, TimeZone, Utc};
use docket::{CalendarEvent, CourtCalendar, EventStart, RuleSet, Service, compute, to_icalendar};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime, EventLike};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

#[test]
fn feed_parses_back_with_a_real_parser() {
    let frcp = RuleSet::builtin("frcp").expect("frcp");
    let calendar = CourtCalendar::federal("S.D.N.Y.", chrono_tz::America::New_York);
    let deadlines =
        compute(&frcp, "judgment entered", d("2026-11-13"), Service::NotServed, &calendar)
            .expect("computes");
    let mut events: Vec<CalendarEvent> =
        deadlines.iter().map(|c| c.to_event("case-1-26-cv-00042")).collect();
    events.push(CalendarEvent {
        uid: "hearing-1@lawdesk.docket".to_string(),
        summary: "Hearing; courtroom 14A, Judge O'Neil \\ remote".to_string(),
        description: format!(
            "Line one\nLine two, with a comma; and a semicolon. {}",
            "Long text é ".repeat(20)
        ),
        start: EventStart::At {
            local: d("2026-11-02").and_hms_opt(10, 30, 0).expect("time"),
            zone: chrono_tz::America::New_York,
        },
        end: None,
        location: String::new(),
        busy: true,
    });
    let stamp = Utc.with_ymd_and_hms(2026, 11, 13, 15, 0, 0).single().expect("stamp");
    let text = to_icalendar(&events, stamp);

    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line:?}", line.len());
        assert!(!line.contains('\n') && !line.contains('\r'), "bare line break in {line:?}");
    }
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"));
    assert!(text.contains(
        "DTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST"
    ));

    let parsed: Calendar = text.parse().expect("the feed parses");
    let parsed_events: Vec<&icalendar::Event> = parsed
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(parsed_events.len(), events.len());
    let appeal = parsed_events
        .iter()
        .find(|e| e.get_uid() == Some("case-1-26-cv-00042-notice-of-appeal@lawdesk.docket"))
        .expect("appeal event");
    assert_eq!(appeal.get_start(), Some(DatePerhapsTime::Date(d("2026-12-14"))));
    assert_eq!(appeal.get_summary(), Some("DUE: Notice of appeal"));
    let description = appeal.get_description().expect("description");
    assert!(description.contains("FRAP 4(a)(1)(A)"), "{description}");
    assert!(description.contains("2026-12-13 is a Sunday"), "{description}");

    let hearing = parsed_events
        .iter()
        .find(|e| e.get_uid() == Some("hearing-1@lawdesk.docket"))
        .expect("hearing event");
    assert_eq!(hearing.get_summary(), Some("Hearing; courtroom 14A, Judge O'Neil \\ remote"));
    assert_eq!(
        hearing.get_description(),
        Some(events.last().expect("hearing").description.as_str())
    );
    match hearing.get_start() {
        Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
            date_time,
            tzid,
        })) => {
            assert_eq!(tzid, "America/New_York");
            assert_eq!(date_time, d("2026-11-02").and_hms_opt(10, 30, 0).expect("time"));
        }
        other => panic!("unexpected start {other:?}"),
    }
}

#[test]
fn appointments_carry_their_end_location_and_busy_time() {
    let zone = chrono_tz::America::Chicago;
    let events = vec![
        CalendarEvent {
            uid: "event-1@lawdesk.calendar".into(),
            summary: "Deposition of J. Doe".into(),
            description: String::new(),
            start: EventStart::At {
                local: d("2026-03-08").and_hms_opt(9, 0, 0).expect("time"),
                zone,
            },
            end: Some(EventStart::At {
                local: d("2026-03-08").and_hms_opt(17, 30, 0).expect("time"),
                zone,
            }),
            location: "Suite 400, 1 N. Wacker; Chicago".into(),
            busy: true,
        },
        CalendarEvent {
            uid: "event-2@lawdesk.calendar".into(),
            summary: "Trial".into(),
            description: String::new(),
            start: EventStart::AllDay(d("2026-04-06")),
            end: Some(EventStart::AllDay(d("2026-04-10"))),
            location: String::new(),
            busy: true,
        },
    ];
    let stamp = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("stamp");
    let text = to_icalendar(&events, stamp);
    assert!(text.contains("DTEND;TZID=America/Chicago:20260308T173000\r\n"), "{text}");
    // All-day ends are exclusive: the day after the last trial day.
    assert!(text.contains("DTEND;VALUE=DATE:20260411\r\n"), "{text}");
    assert!(text.contains("LOCATION:Suite 400\\, 1 N. Wacker\\; Chicago\r\n"), "{text}");
    assert_eq!(text.matches("TRANSP:OPAQUE").count(), 2);
    let parsed: Calendar = text.parse().expect("parses");
    let deposition = parsed
        .components
        .iter()
        .find_map(|c| match c {
            CalendarComponent::Event(e) if e.get_uid() == Some("event-1@lawdesk.calendar") => {
                Some(e)
            }
            _ => None,
        })
        .expect("deposition");
    assert_eq!(deposition.get_location(), Some("Suite 400, 1 N. Wacker; Chicago"));
    assert!(matches!(deposition.get_end(), Some(DatePerhapsTime::DateTime(_))));
}

#[test]
fn shipped_rule_sets_name_their_edition() {
    for name in RuleSet::builtin_names() {
        let rules = RuleSet::builtin(name).expect("loads");
        assert_eq!(rules.version, "2016-12-01", "{name}");
    }
}
