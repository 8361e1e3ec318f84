//! Web tests for intake: its pages and API through the router, and its rows in the authorization matrix.

use crate::browser::Browser;
use crate::harness::{Resp, Session, TestApp};
use crate::matrix::{Case, run_matrix};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fantoccini::Locator;
use store::Page;
use store::intake::ReportFilter;

const AREA: &str = "business-litigation";

async fn actor(t: &TestApp, who: &str) -> domain::Actor {
    let user =
        t.app.store.user_for_sign_in(&format!("{who}@demo.lawdesk")).await.unwrap().unwrap().user;
    app::auth::actor_of(&user)
}

async fn token(t: &TestApp, who: &str) -> String {
    t.app.create_api_token(&actor(t, who).await, "intake tests").await.unwrap().1
}

async fn report_on(t: &TestApp, matter: &str) -> String {
    let filter =
        ReportFilter { matter_id: Some(domain::Id::parse(matter).unwrap()), ..Default::default() };
    let (rows, _) = t.app.store.list_conflict_reports(&filter, Page::default()).await.unwrap();
    rows.last().expect("the demo matter was checked when it was opened").id.to_string()
}

async fn lead_named(t: &TestApp, name: &str) -> String {
    let (leads, _) = t.app.store.list_leads(None, Page::new(1, 100)).await.unwrap();
    leads.iter().find(|l| l.name == name).unwrap_or_else(|| panic!("lead {name}")).id.to_string()
}

/// Posts the public form from `ip`-less "local" with a token issued `age_secs` ago.
async fn submit(t: &TestApp, fields: &[(&str, &str)], age_secs: i64) -> Resp {
    let issued = chrono::Utc::now() - chrono::Duration::seconds(age_secs);
    let token = t.app.intake_form_token(AREA, issued).await.unwrap();
    let mut all = fields.to_vec();
    all.push(("_ts", &token));
    let body = serde_urlencoded::to_string(&all).unwrap();
    t.send(
        Request::post(format!("/intake/form/{AREA}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// A multipart decision post (the decision form carries an optional consent document).
async fn decide(
    t: &TestApp,
    s: &Session,
    report: &str,
    decision: &str,
    file: Option<(&str, &[u8])>,
) -> Resp {
    let boundary = "XlawdeskX";
    let mut body = Vec::new();
    for (name, value) in [("decision", decision), ("note", "matrix <b>note</b>")] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"document\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    t.send(
        Request::post(format!("/intake/reports/{report}/decision?_csrf={}", s.csrf))
            .header(header::COOKIE, format!("lawdesk_session={}", s.cookie))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn intake_routes_times_every_role() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let m3 = t.matter_id("0003").await; // ben is walled off
    let r1 = report_on(&t, &m1).await;
    let r3 = report_on(&t, &m3).await;
    let new_lead = lead_named(&t, "Hank Scorpio").await;
    let checked_lead = lead_named(&t, "Initech Corp.").await;
    let declined = lead_named(&t, "Duff Brewing Co.").await;

    //                                      anon admin alice ben sam vera manoj priya
    let cases = vec![
        Case { method: "GET", path: "/intake".into(), allowed: "-yyyy---" },
        Case { method: "GET", path: "/intake/reports".into(), allowed: "-yyyy---" },
        Case { method: "GET", path: format!("/intake/reports/{r1}"), allowed: "-yyyy---" },
        Case { method: "GET", path: format!("/intake/reports/{r3}"), allowed: "-yy-y---" },
        Case { method: "GET", path: format!("/intake/reports/{r1}/document"), allowed: "-yyyy---" },
        Case {
            method: "GET",
            path: format!("/intake/matters/{m1}/conflicts"),
            allowed: "-yy-y---",
        },
        Case {
            method: "GET",
            path: format!("/intake/matters/{m3}/conflicts"),
            allowed: "-yy-----",
        },
        Case { method: "GET", path: format!("/intake/leads/{new_lead}"), allowed: "-yyyy---" },
        Case {
            method: "GET",
            path: format!("/intake/leads/{declined}/letter"),
            allowed: "-yyyy---",
        },
        Case { method: "GET", path: "/intake/settings".into(), allowed: "-y------" },
        Case { method: "GET", path: format!("/intake/form/{AREA}"), allowed: "yyyyyyyy" },
        Case { method: "GET", path: format!("/intake/form/{AREA}/thanks"), allowed: "yyyyyyyy" },
        Case { method: "POST", path: format!("/intake/form/{AREA}"), allowed: "yyyyyyyy" },
        Case { method: "POST", path: "/intake/conflicts".into(), allowed: "-yyyy---" },
        Case {
            method: "POST",
            path: format!("/intake/leads/{new_lead}/check"),
            allowed: "-yyyy---",
        },
        Case {
            method: "POST",
            path: format!("/intake/leads/{checked_lead}/stage"),
            allowed: "-yyyy---",
        },
        Case {
            method: "POST",
            path: format!("/intake/leads/{checked_lead}/convert"),
            allowed: "-yyyy---",
        },
        Case { method: "POST", path: "/intake/settings/forms".into(), allowed: "-y------" },
        Case { method: "POST", path: "/intake/settings/letter".into(), allowed: "-y------" },
        Case { method: "API", path: "/api/v1/conflicts/reports".into(), allowed: "-yyyy---" },
        Case {
            method: "API",
            path: format!("/api/v1/conflicts/reports/{r1}"),
            allowed: "-yyyy---",
        },
        Case {
            method: "API",
            path: format!("/api/v1/conflicts/reports/{r3}"),
            allowed: "-yy-y---",
        },
        Case { method: "API", path: "/api/v1/leads".into(), allowed: "-yyyy---" },
        Case { method: "API", path: format!("/api/v1/leads/{new_lead}"), allowed: "-yyyy---" },
    ];
    let fields = [
        ("names", "Initech"),
        ("stage", "consultation"),
        ("code", "MATRIX"),
        ("practice_area", "matrix-area"),
        ("title", "Matrix form"),
        ("fields", "topic | Topic | text | optional"),
        ("template", "Dear {{name}}"),
        ("firm", "Matrix LLP"),
        ("name", "Matrix Person"),
        ("description", "matrix"),
    ];
    let mut failures = run_matrix(&t, &cases, &fields).await;

    // The decision form is multipart and the API writes are JSON: their rows by hand.
    let roles = ["admin", "alice", "ben", "sam", "vera", "manoj", "priya"];
    let may_decide = "yy-----"; // attorneys and admins; ben is walled off m3
    for (i, who) in roles.iter().enumerate() {
        let s = t.sign_in(&format!("{who}@demo.lawdesk")).await;
        let res = decide(&t, &s, &r3, "bogus", None).await;
        let allowed = res.status != StatusCode::FORBIDDEN;
        if allowed != (may_decide.as_bytes()[i] == b'y') {
            failures.push(format!("POST decision on {r3} as {who}: got {}", res.status));
        }
        let tok = token(&t, who).await;
        let res = t
            .api(
                "POST",
                "/api/v1/conflicts/checks",
                &tok,
                Some(serde_json::json!({"names": ["Initech"]})),
            )
            .await;
        let want = i < 4;
        if (res.status == StatusCode::CREATED) != want {
            failures.push(format!("POST /api/v1/conflicts/checks as {who}: got {}", res.status));
        }
        let res = t
            .api(
                "POST",
                &format!("/api/v1/leads/{new_lead}/stage"),
                &tok,
                Some(serde_json::json!({"stage": "bogus"})),
            )
            .await;
        if (res.status != StatusCode::FORBIDDEN) != want {
            failures.push(format!("POST /api/v1/leads/…/stage as {who}: got {}", res.status));
        }
    }
    let res = t
        .send(Request::post(format!("/intake/reports/{r3}/decision")).body(Body::empty()).unwrap())
        .await;
    if !(res.status == StatusCode::SEE_OTHER || res.status == StatusCode::UNAUTHORIZED) {
        failures.push(format!("anonymous decision: got {}", res.status));
    }
    assert!(failures.is_empty(), "intake authorization mismatches:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn public_form_creates_a_lead_and_refuses_robots() {
    let t = TestApp::demo().await;
    let page = t.get(&format!("/intake/form/{AREA}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("name=\"website\"") && page.body.contains("name=\"_ts\""),
        "honeypot and token"
    );
    assert!(
        page.body.contains("q_amount") && page.body.contains("under $100k"),
        "configured question"
    );
    assert_eq!(t.get("/intake/form/no-such-area", None).await.status, StatusCode::NOT_FOUND);

    let leads = || async { t.app.store.list_leads(None, Page::new(1, 100)).await.unwrap().0.len() };
    let before = leads().await;
    let person = [
        ("name", "Wile E. Coyote"),
        ("email", "wile@example.com"),
        ("description", "Defective rocket skates <script>alert(1)</script>"),
        ("adverse_parties", "Acme Logistics\nRoad Runner"),
        ("q_amount", "under $100k"),
    ];
    // Too fast for a person: refused with a message and the answers kept.
    let res = submit(&t, &person, 0).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("form-error") && res.body.contains("Wile E. Coyote"));
    assert!(!res.body.contains("<script>alert(1)"), "typed text is escaped");
    // A filled honeypot looks like success and stores nothing.
    let mut robot = person.to_vec();
    robot.push(("website", "http://spam.example"));
    let res = submit(&t, &robot, 30).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(leads().await, before);
    // Missing and invalid fields come back inline.
    let res = submit(&t, &[("name", ""), ("email", "nope"), ("q_amount", "a lot")], 30).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    for id in ["name-error", "email-error", "description-error", "q_amount-error"] {
        assert!(res.body.contains(id), "{id} in {}", res.body);
    }
    // A forged token is refused.
    let body = serde_urlencoded::to_string([
        ("name", "X"),
        ("email", "x@example.com"),
        ("description", "d"),
        ("_ts", "1.abc"),
    ])
    .unwrap();
    let res = t
        .send(
            Request::post(format!("/intake/form/{AREA}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A person gets through and the lead is on the board, escaped.
    let res = submit(&t, &person, 30).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.headers.get("location").unwrap(), &format!("/intake/form/{AREA}/thanks"));
    assert_eq!(leads().await, before + 1);
    let alice = t.sign_in("alice@demo.lawdesk").await;
    let board = t.get("/intake", Some(&alice)).await;
    assert!(board.body.contains("Wile E. Coyote"));
    let lead = lead_named(&t, "Wile E. Coyote").await;
    let page = t.get(&format!("/intake/leads/{lead}"), Some(&alice)).await;
    assert!(page.body.contains("&#60;script&#62;") && !page.body.contains("<script>alert"));
    assert!(page.body.contains("under $100k"));
    // Per-address rate limit: five accepted submissions an hour.
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        last = submit(&t, &person, 30).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn checks_group_by_rule_explain_scores_and_respect_walls() {
    let t = TestApp::demo().await;
    let alice = token(&t, "alice").await;
    let res = t
        .api(
            "POST",
            "/api/v1/conflicts/checks",
            &alice,
            Some(serde_json::json!({"names": ["ACME Holdings Inc"]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let kinds: Vec<&str> =
        v["groups"].as_array().unwrap().iter().map(|g| g["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[..2], ["direct_adversity", "related_organization"], "{kinds:?}");
    assert!(v["groups"][0]["rule"].as_str().unwrap().contains("1.7"));
    let related = &v["groups"][1]["hits"][0];
    assert_eq!(related["party"], "Acme Logistics LLC");
    assert!(
        related["explanation"]
            .as_str()
            .unwrap()
            .starts_with("no name match of its own; related to Acme Holdings")
    );

    // Former client under a suffix variant: the demo's Globex matter is closed.
    let res = t
        .api(
            "POST",
            "/api/v1/conflicts/checks",
            &alice,
            Some(serde_json::json!({"names": ["GLOBEX CORP"]})),
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let former = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "former_client")
        .expect("a former client hit");
    assert!(former["rule"].as_str().unwrap().contains("1.9"));
    assert_eq!(former["hits"][0]["party"], "Globex Corporation");
    assert_eq!(former["hits"][0]["matter_status"], "closed");
    let report = v["id"].as_str().unwrap().to_string();

    // Decisions: staff may not decide, an attorney may once, a waiver needs its document.
    let sam = token(&t, "sam").await;
    let res = t
        .api(
            "POST",
            &format!("/api/v1/conflicts/reports/{report}/decision"),
            &sam,
            Some(serde_json::json!({"decision": "cleared"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let s = t.sign_in("alice@demo.lawdesk").await;
    let res = decide(&t, &s, &report, "waived", None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("informed-consent"), "{}", res.body);
    let res = decide(&t, &s, &report, "waived", Some(("consent.exe", b"MZ"))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = decide(&t, &s, &report, "waived", Some(("consent.pdf", b"%PDF-1.4 signed"))).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = t.get(&format!("/intake/reports/{report}"), Some(&s)).await;
    assert!(page.body.contains("waived") && page.body.contains("consent.pdf"));
    assert!(page.body.contains("matrix &#60;b&#62;note&#60;/b&#62;"), "notes are escaped");
    let doc = t.get(&format!("/intake/reports/{report}/document"), Some(&s)).await;
    assert_eq!(doc.body, "%PDF-1.4 signed");
    let res = t
        .api(
            "POST",
            &format!("/api/v1/conflicts/reports/{report}/decision"),
            &alice,
            Some(serde_json::json!({"decision": "cleared"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "a decided report stays decided");
    let audit = t.app.store.audit_entries(Some(&report), 10).await.unwrap();
    assert!(
        audit.iter().any(|e| e.action == "conflict.decision" && e.detail.contains("consent.pdf"))
    );

    // Ben is walled off Harbor County: his check still shows the hit, not the matter.
    let ben = token(&t, "ben").await;
    let res = t
        .api(
            "POST",
            "/api/v1/conflicts/checks",
            &ben,
            Some(serde_json::json!({"names": ["Harbour County"]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let hit = &v["groups"][0]["hits"][0];
    assert_eq!(hit["party"], "Harbor County");
    assert_eq!(hit["screened"], true);
    assert!(hit["matter_id"].is_null() && !res.body.contains("public records"), "{}", res.body);
    let res = t
        .api(
            "POST",
            "/api/v1/conflicts/checks",
            &alice,
            Some(serde_json::json!({"names": ["Harbour County"]})),
        )
        .await;
    assert!(res.body.contains("public records compliance"), "alice sees the matter");

    // External users never run checks.
    let vera = token(&t, "vera").await;
    let res = t
        .api(
            "POST",
            "/api/v1/conflicts/checks",
            &vera,
            Some(serde_json::json!({"names": ["Acme"]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = t
        .api(
            "POST",
            "/api/v1/conflicts/checks",
            &alice,
            Some(serde_json::json!({"names": ["..."]})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn new_parties_are_checked_and_the_matter_page_says_so() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let alice = t.sign_in("alice@demo.lawdesk").await;
    let summary = t.get(&format!("/intake/matters/{m1}/conflicts"), Some(&alice)).await;
    assert!(
        summary.body.contains("conflict check:") && summary.body.contains("pending decision"),
        "{}",
        summary.body
    );
    let page = t.get(&format!("/matters/{m1}"), Some(&alice)).await;
    assert!(page.body.contains(&format!("hx-get=\"/intake/matters/{m1}/conflicts\"")));

    // Adding a former client's variant as the other side is checked at once.
    let res = t
        .post_form(
            &format!("/matters/{m1}/parties"),
            &alice,
            &[("name", "Globex Corp"), ("kind", "organization"), ("role", "adverse_party")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let filter =
        ReportFilter { matter_id: Some(domain::Id::parse(&m1).unwrap()), ..Default::default() };
    let (rows, _) = t.app.store.list_conflict_reports(&filter, Page::default()).await.unwrap();
    let newest = &rows[0];
    assert_eq!((newest.subject.as_str(), newest.query.as_str()), ("party", "Globex Corp"));
    assert!(
        newest.hits.contains("former_client") && newest.hits.contains("Globex Corporation"),
        "{}",
        newest.hits
    );
    let hits: serde_json::Value = serde_json::from_str(&newest.hits).unwrap();
    let on_m1 = hits["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["hits"].as_array().unwrap())
        .filter(|h| h["matter_id"] == m1.as_str())
        .count();
    assert_eq!(on_m1, 0, "the matter's own parties are not hits: {hits}");
}

#[tokio::test]
async fn leads_move_get_checked_convert_and_decline_with_a_letter() {
    let t = TestApp::demo().await;
    let alice = t.sign_in("alice@demo.lawdesk").await;
    let admin = t.sign_in("admin@demo.lawdesk").await;
    let lead = lead_named(&t, "Hank Scorpio").await;
    // Cannot convert a new lead.
    let res = t
        .post_form(&format!("/intake/leads/{lead}/convert"), &alice, &[("code", "SCORPIO")], true)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = t.post_form(&format!("/intake/leads/{lead}/check"), &alice, &[], true).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let report = res
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let page = t.get(&format!("/intake/reports/{report}"), Some(&alice)).await;
    assert!(
        page.body.contains("group-former_client") && page.body.contains("Globex Corporation"),
        "{}",
        page.body
    );
    // Consultation before a decision is allowed, conversion is not.
    let res = t
        .post_form(
            &format!("/intake/leads/{lead}/stage"),
            &alice,
            &[("stage", "consultation")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = t.get(&format!("/intake/leads/{lead}"), Some(&alice)).await;
    assert!(!page.body.contains("id=\"convert\""));
    assert_eq!(decide(&t, &alice, &report, "cleared", None).await.status, StatusCode::SEE_OTHER);
    let res = t
        .post_form(
            &format!("/intake/leads/{lead}/convert"),
            &alice,
            &[("code", "SCORPIO"), ("responsible_attorney", "")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let matter_page =
        t.get(res.headers.get("location").unwrap().to_str().unwrap(), Some(&alice)).await;
    assert!(
        matter_page.body.contains("Hank Scorpio") && matter_page.body.contains("Globex Corp."),
        "client and adverse party carried over"
    );
    let converted = t.app.store.lead(domain::Id::parse(&lead).unwrap()).await.unwrap();
    assert_eq!(converted.stage, "engaged");
    assert!(converted.matter_id.is_some() && converted.client_id.is_some());

    // A hostile name is escaped in the letter built from the admin's template.
    let res = t
        .post_form(
            "/intake/settings/letter",
            &admin,
            &[("template", "Dear {{name}},\n\nNo thanks.\n\n{{firm}}"), ("firm", "B & O")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = t
        .post_form(
            "/intake/settings/letter",
            &admin,
            &[("template", "Dear {{nmae}}"), ("firm", "B & O")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("nmae"));
    let evil = submit(
        &t,
        &[
            ("name", "<img src=x onerror=alert(1)>"),
            ("email", "e@example.com"),
            ("description", "x"),
        ],
        30,
    )
    .await;
    assert_eq!(evil.status, StatusCode::SEE_OTHER);
    let evil = lead_named(&t, "<img src=x onerror=alert(1)>").await;
    let res = t
        .post_form(&format!("/intake/leads/{evil}/stage"), &alice, &[("stage", "declined")], true)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let letter = t.get(&format!("/intake/leads/{evil}/letter"), Some(&alice)).await;
    assert!(
        letter.body.contains("<p>Dear &lt;img src=x onerror=alert(1)&gt;,</p>"),
        "{}",
        letter.body
    );
    assert!(letter.body.contains("B &amp; O"));
    let res = t
        .post_form(
            &format!("/intake/leads/{evil}/stage"),
            &alice,
            &[("stage", "consultation")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "declined is final");

    // Admin edits a form's questions; a bad configuration is refused inline.
    let res = t
        .post_form(
            "/intake/settings/forms",
            &admin,
            &[
                ("practice_area", "family-law"),
                ("title", "Family law"),
                ("fields", "children | Children | select | required"),
            ],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .post_form(
            "/intake/settings/forms",
            &admin,
            &[
                ("practice_area", "family-law"),
                ("title", "Family law"),
                ("fields", "children | Number of children | text | required"),
            ],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let form = t.get("/intake/form/family-law", None).await;
    assert!(form.body.contains("Number of children (required)"));
}

/// The whole intake flow in a real browser: the public form, the board, the check that finds a
/// former client under a suffix variant, the decision and the conversion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_intake_from_public_form_to_matter() {
    let Some(b) = Browser::start().await else { return };
    let c = &b.c;
    b.goto(&format!("/intake/form/{AREA}")).await;
    c.find(Locator::Id("name")).await.unwrap().send_keys("Bill Hartley").await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys("bill@example.com").await.unwrap();
    c.find(Locator::Id("adverse_parties")).await.unwrap().send_keys("Globex Corp").await.unwrap();
    c.find(Locator::Id("description"))
        .await
        .unwrap()
        .send_keys("Globex stopped paying our invoices.")
        .await
        .unwrap();
    // A person takes a few seconds; the form refuses anything faster.
    tokio::time::sleep(std::time::Duration::from_millis(3_500)).await;
    c.find(Locator::Css("#intake-form button[type=submit]")).await.unwrap().click().await.unwrap();
    if c.wait().for_element(Locator::Id("thanks")).await.is_err() {
        panic!("no thank-you page; the browser shows:\n{}", c.source().await.unwrap_or_default());
    }

    b.sign_in("alice").await;
    b.goto("/intake").await;
    c.find(Locator::XPath("//section[@id='stage-new']//a[contains(., 'Bill Hartley')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("run-check")).await.unwrap().click().await.unwrap();
    let group = c.wait().for_element(Locator::Id("group-former_client")).await.unwrap();
    let text = group.text().await.unwrap();
    // Both former clients: the prospective client under a nickname, the other side under a suffix.
    assert!(text.contains("William Hartley") && text.contains("nickname"), "{text}");
    assert!(text.contains("Globex Corporation") && text.contains("1.9"), "{text}");
    c.find(Locator::Id("decision-cleared")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys("Closed 2024 matter, unrelated.")
        .await
        .unwrap();
    c.find(Locator::Css("form[action*='/decision'] button")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath("//dd[@id='decision']//strong[contains(., 'cleared')]"))
        .await
        .unwrap();

    c.find(Locator::LinkText("lead")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::Id("stage"))
        .await
        .unwrap()
        .select_by_value("consultation")
        .await
        .unwrap();
    c.find(Locator::Id("move")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("convert")).await.unwrap();
    let code = c.find(Locator::Id("code")).await.unwrap();
    code.clear().await.unwrap();
    code.send_keys("HARTLEY").await.unwrap();
    c.find(Locator::Id("convert")).await.unwrap().click().await.unwrap();
    if c.wait().for_element(Locator::XPath("//h1[contains(., 'Bill Hartley')]")).await.is_err() {
        panic!("no matter page; the browser shows:\n{}", c.source().await.unwrap_or_default());
    }
    let parties = c.find(Locator::Id("parties")).await.unwrap().text().await.unwrap();
    assert!(parties.contains("Globex Corp") && parties.contains("Bill Hartley"), "{parties}");
    // htmx loads the matter's conflict status.
    let summary = c
        .wait()
        .for_element(Locator::Css("p.conflict-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        summary.contains("conflict check:") && summary.contains("pending decision"),
        "{summary}"
    );
    b.c.clone().close().await.unwrap();
}
