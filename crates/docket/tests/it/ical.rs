//! iCalendar output, checked by parsing it back with the `icalendar` crate's parser.

use chrono::{NaiveDate, TimeZone, Utc};
use docket::{CalendarEvent, CourtCalendar, EventStart, RuleSet, Service, compute, to_icalendar};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};

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
