//! Web tests for docket: its pages and API through the router, and its rows in the authorization matrix.

use crate::browser::Browser;
use crate::harness::{Session, TestApp, csrf_in};
use crate::matrix::{Case, run_matrix};
use axum::http::StatusCode;
use domain::Id;
use fantoccini::Locator;
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime, EventLike};

async fn actor(t: &TestApp, who: &str) -> domain::Actor {
    app::auth::actor_of(
        &t.app.store.user_for_sign_in(&format!("{who}@demo.lawdesk")).await.unwrap().unwrap().user,
    )
}

async fn event_id(t: &TestApp, owner: &str, title: &str) -> String {
    let a = actor(t, owner).await;
    let events = t.app.store.list_events(&a, &Default::default()).await.unwrap();
    events.iter().find(|e| e.title == title).unwrap().id.to_string()
}

#[tokio::test]
async fn docket_routes_times_every_role() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let m2 = t.matter_id("0002").await;
    let m3 = t.matter_id("0003").await;
    let trigger = t.app.store.triggers(Id::parse(&m1).unwrap()).await.unwrap()[0].clone();
    let deadline = t.app.store.trigger_deadlines(trigger.id).await.unwrap()[0].id;
    let lunch = event_id(&t, "alice", "Partner lunch").await;
    let conference = event_id(&t, "alice", "Rule 26(f) conference with Initech counsel").await;
    // Records owned by priya, the last role in the matrix, so deleting or revoking them happens last.
    let priya = actor(&t, "priya").await;
    let (own, _) = t
        .app
        .create_event(
            &priya,
            &app::docket::EventForm {
                title: "Priya's review block".into(),
                date: "2026-12-01".into(),
                start: "09:00".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let feed = t.app.create_feed(&priya, None).await.unwrap();
    let t1 = trigger.id;

    //                                      anon admin alice ben sam vera manoj priya
    let cases = vec![
        Case { method: "GET", path: "/calendar".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: "/calendar?view=week".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: "/calendar?view=agenda".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: format!("/calendar?matter={m1}"), allowed: "-yy-yyyy" },
        Case { method: "GET", path: "/reminders".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: format!("/matters/{m1}/docket"), allowed: "-yy-yyyy" },
        Case { method: "GET", path: format!("/matters/{m2}/docket"), allowed: "-y-y-y--" },
        Case { method: "GET", path: format!("/matters/{m3}/docket"), allowed: "-yy-----" },
        Case { method: "GET", path: format!("/calendar/events/{lunch}"), allowed: "--y-----" },
        Case { method: "GET", path: format!("/calendar/events/{conference}"), allowed: "-yy-yyyy" },
        Case { method: "GET", path: format!("/feeds/{}.ics", feed.token), allowed: "yyyyyyyy" },
        Case {
            method: "POST",
            path: format!("/matters/{m1}/docket/triggers"),
            allowed: "-yy-yy--",
        },
        Case {
            method: "POST",
            path: format!("/matters/{m3}/docket/triggers"),
            allowed: "-yy-----",
        },
        Case { method: "POST", path: format!("/docket/triggers/{t1}/move"), allowed: "-yy-yy--" },
        Case {
            method: "POST",
            path: format!("/docket/deadlines/{deadline}/override"),
            allowed: "-yy-yy--",
        },
        Case {
            method: "POST",
            path: format!("/docket/deadlines/{deadline}/done"),
            allowed: "-yy-yy--",
        },
        Case { method: "POST", path: "/calendar/events".into(), allowed: "-yyyyyyy" },
        Case { method: "POST", path: format!("/calendar/events/{lunch}"), allowed: "--y-----" },
        Case { method: "POST", path: "/calendar/feeds".into(), allowed: "-yyyyyyy" },
        Case {
            method: "POST",
            path: format!("/calendar/events/{}/delete", own.id),
            allowed: "-------y",
        },
        Case {
            method: "POST",
            path: format!("/calendar/feeds/{}/revoke", feed.feed.id),
            allowed: "-------y",
        },
        Case { method: "API", path: "/api/v1/calendar/events".into(), allowed: "-yyyyyyy" },
        Case {
            method: "API",
            path: format!("/api/v1/calendar/events?matter={m3}"),
            allowed: "-yy-----",
        },
        Case { method: "API", path: "/api/v1/deadlines".into(), allowed: "-yyyyyyy" },
        Case { method: "API", path: format!("/api/v1/deadlines?matter={m1}"), allowed: "-yy-yyyy" },
        Case { method: "API", path: format!("/api/v1/matters/{m1}/docket"), allowed: "-yy-yyyy" },
        Case { method: "API", path: format!("/api/v1/matters/{m3}/docket"), allowed: "-yy-----" },
        Case {
            method: "API",
            path: "/api/v1/docket/compute?trigger=complaint%20served&date=2026-06-12".into(),
            allowed: "-yyyyyyy",
        },
    ];
    let fields = [
        ("trigger", "motion served"),
        ("date", "2026-06-12"),
        ("service", "mail"),
        ("due", "2026-07-10"),
        ("reason", "stipulated extension (ECF 20)"),
        ("title", "Matrix meeting"),
        ("start", "09:00"),
    ];
    let failures = run_matrix(&t, &cases, &fields).await;
    assert!(failures.is_empty(), "docket authorization mismatches:\n{}", failures.join("\n"));
}

/// Alice's session and the first docket trigger she adds on Acme ("motion served" by mail).
async fn docket_motion(t: &TestApp, s: &Session, m1: &str) -> String {
    let res = t
        .post_form(
            &format!("/matters/{m1}/docket/triggers"),
            s,
            &[
                ("rule_set", "frcp"),
                ("trigger", "motion served"),
                ("date", "2026-06-12"),
                ("service", "mail"),
                ("time_zone", "America/Chicago"),
                ("label", "Motion to dismiss served, ECF 12 <b>"),
            ],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res.body
}

#[tokio::test]
async fn docketing_a_trigger_shows_trails_and_overrides_need_reasons() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let alice = t.sign_in("alice@demo.lawdesk").await;
    docket_motion(&t, &alice, &m1).await;
    let page = t.get(&format!("/matters/{m1}/docket"), Some(&alice)).await;
    assert_eq!(page.status, StatusCode::OK);
    // The label is escaped, the mail-service extension is in the trail with its citation.
    assert!(page.body.contains("Motion to dismiss served, ECF 12 &#60;b&#62;"), "{}", page.body);
    assert!(!page.body.contains("ECF 12 <b>"));
    assert!(page.body.contains("FRCP 6(d)"), "trail lacks the 6(d) step");
    assert!(
        page.body.contains("Answer to complaint (or Rule 12 motion)"),
        "the demo trigger is listed"
    );

    let motion = t
        .app
        .store
        .triggers(Id::parse(&m1).unwrap())
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.trigger_name == "motion served")
        .unwrap();
    assert_eq!(motion.court_time_zone, "America/Chicago");
    let deadlines = t.app.store.trigger_deadlines(motion.id).await.unwrap();
    assert!(!deadlines.is_empty());
    let first = &deadlines[0];
    let second = &deadlines[deadlines.len() - 1];

    // No reason: 422 with the message inline, nothing changed.
    let res = t
        .post_form(
            &format!("/docket/deadlines/{}/override", first.id),
            &alice,
            &[("due", "2026-07-20"), ("reason", "  ")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("an override needs a reason"), "{}", res.body);
    assert_eq!(t.app.store.deadline(first.id).await.unwrap().status, "open");

    let res = t
        .post_form(
            &format!("/docket/deadlines/{}/override", first.id),
            &alice,
            &[("due", "2026-07-20"), ("reason", "Stipulated extension so-ordered, ECF 15")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let audit = t.app.store.audit_entries(None, 200).await.unwrap();
    let entry = audit.iter().find(|e| e.action == "docket.deadline_override").expect("audited");
    assert!(entry.detail.contains("Stipulated extension so-ordered, ECF 15"), "{}", entry.detail);
    assert!(entry.actor.is_some());

    // Moving the trigger recomputes the open deadline and keeps the override (same ids: stable feed UIDs).
    let res = t
        .post_form(
            &format!("/docket/triggers/{}/move", motion.id),
            &alice,
            &[("date", "2026-06-19")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let after = t.app.store.trigger_deadlines(motion.id).await.unwrap();
    let kept = after.iter().find(|d| d.id == first.id).unwrap();
    assert_eq!(
        (kept.status.as_str(), kept.due_on.to_string().as_str()),
        ("overridden", "2026-07-20")
    );
    if second.id != first.id {
        let moved = after.iter().find(|d| d.id == second.id).unwrap();
        assert_eq!(
            moved.computed_due,
            second.computed_due + chrono::Duration::days(7),
            "{moved:?}"
        );
    }
    assert!(
        audit.len() < t.app.store.audit_entries(None, 500).await.unwrap().len(),
        "the move is audited"
    );

    // Mark done, then a second time is a conflict.
    let path = format!("/docket/deadlines/{}/done", second.id);
    assert_eq!(t.post_form(&path, &alice, &[], true).await.status, StatusCode::SEE_OTHER);
    assert_eq!(t.post_form(&path, &alice, &[], true).await.status, StatusCode::CONFLICT);

    // Unknown trigger: inline message on the page.
    let res = t
        .post_form(
            &format!("/matters/{m1}/docket/triggers"),
            &alice,
            &[("trigger", "lunch served"), ("date", "2026-06-12")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("id=\"docket-error\""), "{}", res.body);
}

#[tokio::test]
async fn api_dockets_a_trigger_and_lists_deadlines_with_trails() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let vera = actor(&t, "vera").await;
    let (_, token) = t.app.create_api_token(&vera, "docket").await.unwrap();
    let res = t
        .api(
            "POST",
            &format!("/api/v1/matters/{m1}/docket/triggers"),
            &token,
            Some(serde_json::json!({"trigger": "judgment entered", "date": "2026-11-13", "service": "none"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let body: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let appeal = body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["row"]["rule_id"] == "notice-of-appeal")
        .expect("notice of appeal");
    assert_eq!(appeal["row"]["due_on"], "2026-12-14");
    assert!(!appeal["trail"].as_array().unwrap().is_empty());

    let list = t.api("GET", "/api/v1/deadlines?from=2026-12-14&to=2026-12-14", &token, None).await;
    let items: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert!(items["items"].as_array().unwrap().iter().any(|d| d["title"] == "Notice of appeal"));

    // priya (LPO reviewer) sees the matter but may not docket on it.
    let priya = actor(&t, "priya").await;
    let (_, ptoken) = t.app.create_api_token(&priya, "docket").await.unwrap();
    let res = t
        .api(
            "POST",
            &format!("/api/v1/matters/{m1}/docket/triggers"),
            &ptoken,
            Some(serde_json::json!({"trigger": "judgment entered", "date": "2026-11-13"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let doc = t.get("/api/v1/openapi.json", None).await;
    assert!(doc.body.contains("/api/v1/matters/{id}/docket/triggers"), "OpenAPI lists the docket");
}

fn vevents(text: &str) -> Vec<icalendar::Event> {
    let parsed: Calendar = text.parse().expect("the feed parses with a real iCalendar parser");
    parsed
        .components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn calendar_feeds_parse_keep_uids_and_stop_when_revoked() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let alice = t.sign_in("alice@demo.lawdesk").await;
    // An event whose text needs escaping and folding.
    let res = t
        .post_form(
            "/calendar/events",
            &alice,
            &[
                ("title", "Hearing; Judge O'Neil, courtroom 14A"),
                ("kind", "appointment"),
                ("date", "2026-12-03"),
                ("start", "14:00"),
                ("end", "15:30"),
                ("time_zone", "America/Chicago"),
                ("location", "219 S. Dearborn St., Chicago"),
                ("notes", &"Bring the binder, the exhibits; and the order. ".repeat(6)),
            ],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = t.post_form("/calendar/feeds", &alice, &[("matter_id", "")], true).await;
    assert_eq!(page.status, StatusCode::OK);
    let at = page.body.find("/feeds/").expect("feed URL shown once");
    let url = page.body[at..].split('<').next().unwrap().to_string();
    assert!(url.ends_with(".ics"));

    let feed = t.get(&url, None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(feed.headers["content-type"], "text/calendar; charset=utf-8");
    for line in feed.body.split("\r\n") {
        assert!(line.len() <= 75, "unfolded line of {} octets: {line}", line.len());
    }
    assert!(
        feed.body.contains("SUMMARY:Hearing\\; Judge O'Neil\\, courtroom 14A\r\n"),
        "{}",
        feed.body
    );
    assert!(feed.body.contains("DTSTART;TZID=America/Chicago:20261203T140000\r\n"));
    assert!(feed.body.contains("DTEND;TZID=America/Chicago:20261203T153000\r\n"));
    let events = vevents(&feed.body);
    let hearing = events
        .iter()
        .find(|e| e.get_summary() == Some("Hearing; Judge O'Neil, courtroom 14A"))
        .unwrap();
    assert_eq!(hearing.get_location(), Some("219 S. Dearborn St., Chicago"));
    assert!(hearing.get_description().unwrap().ends_with("and the order."));
    let answer = events
        .iter()
        .find(|e| e.get_summary().is_some_and(|s| s.starts_with("DUE: Answer to complaint")))
        .expect("the demo deadline is in alice's feed");
    let trigger = t.app.store.triggers(Id::parse(&m1).unwrap()).await.unwrap()[0].clone();
    let due = t.app.store.trigger_deadlines(trigger.id).await.unwrap()[0].due_on;
    assert_eq!(answer.get_start(), Some(DatePerhapsTime::Date(due)));
    let uid = answer.get_uid().unwrap().to_string();

    // Moving the trigger changes the date, not the UID.
    let new_date = trigger.trigger_date + chrono::Duration::days(7);
    let res = t
        .post_form(
            &format!("/docket/triggers/{}/move", trigger.id),
            &alice,
            &[("date", &new_date.to_string())],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let again = vevents(&t.get(&url, None).await.body);
    let moved =
        again.iter().find(|e| e.get_uid() == Some(uid.as_str())).expect("same UID after the move");
    assert_ne!(moved.get_start(), answer.get_start());

    // A matter feed for ben's matter is refused to alice; revoking alice's feed makes it 404.
    let m2 = t.matter_id("0002").await;
    let denied = t.post_form("/calendar/feeds", &alice, &[("matter_id", &m2)], true).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let feeds = t.app.feeds(&actor(&t, "alice").await).await.unwrap();
    let cal = t.get("/calendar", Some(&alice)).await;
    let csrf = csrf_in(&cal.body);
    assert_eq!(csrf, alice.csrf);
    let res =
        t.post_form(&format!("/calendar/feeds/{}/revoke", feeds[0].id), &alice, &[], true).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get(&url, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.get("/feeds/not-a-token.ics", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn calendar_views_flag_double_bookings_and_forms_validate_inline() {
    let t = TestApp::demo().await;
    let vera = t.sign_in("vera@demo.lawdesk").await;
    let tomorrow = (chrono::Utc::now().with_timezone(&chrono_tz::America::New_York).date_naive()
        + chrono::Duration::days(1))
    .to_string();
    for view in ["month", "week", "agenda"] {
        let page = t.get(&format!("/calendar?view={view}&date={tomorrow}"), Some(&vera)).await;
        assert_eq!(page.status, StatusCode::OK, "{view}");
        assert!(page.body.contains(&format!("id=\"calendar-{view}\"")), "{view}");
        assert!(page.body.contains("Client call: Acme general counsel"), "{view}: {}", page.body);
        assert!(page.body.contains("⚠ double-booked"), "{view}");
        assert!(page.body.contains("id=\"double-bookings\""), "{view}");
    }
    // Inline validation: a missing start time for a timed event.
    let res = t
        .post_form("/calendar/events", &vera, &[("title", "No time"), ("date", &tomorrow)], true)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("enter a start time"), "{}", res.body);
    assert!(res.body.contains("value=\"No time\""), "the form keeps what was typed");
    // The in-app reminders page lists nothing for ben, who is not on the Acme team.
    let ben = t.sign_in("ben@demo.lawdesk").await;
    let page = t.get("/reminders", Some(&ben)).await;
    assert!(page.body.contains("No reminders due."), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_adds_a_trigger_sees_the_trail_overrides_and_sees_the_month() {
    let Some(b) = Browser::start().await else { return };
    b.sign_in("alice").await;
    let c = &b.c;
    let m1 = b
        .app
        .store
        .matter_by_number(&format!("{}-0001", chrono::Utc::now().format("%Y")))
        .await
        .unwrap()
        .unwrap();
    b.goto(&format!("/matters/{}", m1.id)).await;
    c.find(Locator::Id("docket-link")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("add-trigger")).await.unwrap();
    c.find(Locator::Id("trigger")).await.unwrap().select_by_value("motion served").await.unwrap();
    c.execute("document.getElementById('trigger_date').value = '2026-06-12'", vec![])
        .await
        .unwrap();
    c.find(Locator::Id("service")).await.unwrap().select_by_value("mail").await.unwrap();
    c.find(Locator::Id("trigger_label"))
        .await
        .unwrap()
        .send_keys("Motion to dismiss served (ECF 12)")
        .await
        .unwrap();
    c.find(Locator::Css("#add-trigger button[type=submit]")).await.unwrap().click().await.unwrap();
    if c.wait()
        .for_element(Locator::XPath("//section[contains(@class,'trigger')]//h2[contains(., 'Motion to dismiss served (ECF 12)')]"))
        .await
        .is_err()
    {
        panic!("trigger not docketed; the browser shows:\n{}", c.source().await.unwrap_or_default());
    }
    // The chain shows the trail with the 6(d) step.
    c.wait()
        .for_element(Locator::XPath("//ol[@class='trail']/li[contains(., 'FRCP 6(d)')]"))
        .await
        .unwrap();

    // Override the first deadline of the new trigger with a reason.
    let section = c
        .find(Locator::XPath(
            "//section[contains(@class,'trigger')][.//h2[contains(., 'Motion to dismiss')]]",
        ))
        .await
        .unwrap();
    section.find(Locator::Css("details summary")).await.unwrap().click().await.unwrap();
    let reason = section.find(Locator::Css("input[name=reason]")).await.unwrap();
    reason.send_keys("Court granted extension, ECF 18").await.unwrap();
    section
        .find(Locator::Css("form[action$='/override'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    if c.wait()
        .for_element(Locator::XPath(
            "//span[@class='override-reason'][contains(., 'Court granted extension, ECF 18')]",
        ))
        .await
        .is_err()
    {
        panic!("override not shown; the browser shows:\n{}", c.source().await.unwrap_or_default());
    }

    // The month view shows the new docketed deadlines (July 2026).
    b.goto("/calendar?view=month&date=2026-07-09").await;
    c.wait().for_element(Locator::Id("calendar-month")).await.unwrap();
    c.wait()
        .for_element(Locator::XPath(
            "//table[@id='calendar-month']//div[contains(@class,'cal-docket')]",
        ))
        .await
        .unwrap();
    let title = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert!(title.contains("July 2026"), "{title}");
}
