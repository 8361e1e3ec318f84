//! Web tests for delegation: its pages and API through the router, and its rows in the authorization matrix.

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::matrix::{Case, run_matrix};
use axum::http::StatusCode;
use fantoccini::Locator;
use serde_json::{Value, json};

async fn user_id(t: &TestApp, who: &str) -> String {
    t.app
        .store
        .user_for_sign_in(&format!("{who}@demo.lawdesk"))
        .await
        .unwrap()
        .unwrap()
        .user
        .id
        .to_string()
}

async fn token(t: &TestApp, who: &str) -> String {
    let user =
        t.app.store.user_for_sign_in(&format!("{who}@demo.lawdesk")).await.unwrap().unwrap().user;
    t.app.create_api_token(&app::auth::actor_of(&user), "delegation").await.unwrap().1
}

async fn work_id(t: &TestApp, title_prefix: &str) -> String {
    let admin = app::auth::actor_of(
        &t.app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    );
    let (rows, _) =
        t.app.list_work_items(&admin, &Default::default(), store::Page::new(1, 100)).await.unwrap();
    rows.iter().find(|r| r.item.title.starts_with(title_prefix)).unwrap().item.id.to_string()
}

async fn provider_id(t: &TestApp, name_prefix: &str) -> String {
    t.app
        .store
        .providers()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name.starts_with(name_prefix))
        .unwrap()
        .organization_id
        .to_string()
}

fn body(r: &crate::harness::Resp) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

#[tokio::test]
async fn delegation_routes_times_every_role() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let m3 = t.matter_id("0003").await;
    let review = work_id(&t, "First-level review").await;
    let binders = work_id(&t, "Prepare deposition binders").await;
    let batches = t.app.store.batches(review.parse().unwrap()).await.unwrap();
    // The demo split the review into batches; Priya has #1 (done, sampled) and #2 (assigned).
    let (b1, b2, b3) = (batches[0].id, batches[1].id, batches[2].id);
    let sample = t.app.store.qc_samples(b1).await.unwrap()[0].id;
    let lakeshore = provider_id(&t, "Lakeshore").await;
    let priya = user_id(&t, "priya").await;

    //                                      anon admin alice ben sam vera manoj priya
    let pages = vec![
        Case { method: "GET", path: "/delegation".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: "/delegation/providers".into(), allowed: "-yyyy---" },
        Case { method: "GET", path: "/delegation/advisor".into(), allowed: "-yyyy---" },
        Case { method: "GET", path: format!("/delegation/work/{review}"), allowed: "-yy-y-yy" },
        Case { method: "GET", path: format!("/delegation/work/{binders}"), allowed: "-yy-y---" },
        Case { method: "GET", path: format!("/delegation/batches/{b1}"), allowed: "-yy-y-yy" },
        Case { method: "GET", path: format!("/delegation/batches/{b3}"), allowed: "-yy-y-y-" },
        Case {
            method: "POST",
            path: format!("/delegation/work/{review}/recommend"),
            allowed: "-yy-y---",
        },
        Case {
            method: "POST",
            path: format!("/delegation/work/{review}/decide"),
            allowed: "-yy-y---",
        },
        Case {
            method: "POST",
            path: format!("/delegation/work/{review}/batches"),
            allowed: "-yy-y-y-",
        },
        Case {
            method: "POST",
            path: format!("/delegation/batches/{b3}/assign"),
            allowed: "-yy-y-y-",
        },
        Case {
            method: "POST",
            path: format!("/delegation/batches/{b2}/complete"),
            allowed: "-------y",
        },
        Case { method: "POST", path: format!("/delegation/qc/{sample}"), allowed: "-yy-y-y-" },
        Case { method: "POST", path: "/delegation/advisor".into(), allowed: "-yyyy---" },
        Case { method: "POST", path: "/delegation/providers".into(), allowed: "-yyyy---" },
        Case { method: "POST", path: "/delegation/exclusions".into(), allowed: "-yy-----" },
        Case { method: "POST", path: "/delegation/va-profiles".into(), allowed: "-yyyy---" },
        Case { method: "POST", path: "/delegation/inhouse".into(), allowed: "-yyyy---" },
        Case { method: "API", path: "/api/v1/delegation/providers".into(), allowed: "-yyyy---" },
        Case { method: "API", path: "/api/v1/delegation/va-profiles".into(), allowed: "-yyyy---" },
        Case {
            method: "API",
            path: format!("/api/v1/delegation/providers/{lakeshore}/agreements"),
            allowed: "-yyyy---",
        },
        Case {
            method: "API",
            path: format!("/api/v1/work-items/{review}/route"),
            allowed: "-yy-y-yy",
        },
        Case {
            method: "API",
            path: format!("/api/v1/work-items/{binders}/route"),
            allowed: "-yy-y---",
        },
        Case { method: "API", path: "/api/v1/delegation/incoming".into(), allowed: "------y-" },
        Case { method: "API", path: "/api/v1/delegation/my-batches".into(), allowed: "------yy" },
        Case {
            method: "API",
            path: format!("/api/v1/delegation/batches/{b1}"),
            allowed: "-yy-y-yy",
        },
        Case { method: "API", path: "/api/v1/delegation/agenda".into(), allowed: "-----y--" },
        Case { method: "API", path: "/api/v1/delegation/dashboard".into(), allowed: "-yyyy---" },
        Case { method: "API", path: "/api/v1/delegation/escalations".into(), allowed: "-yyyy---" },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m1}/delivered-units?from=2020-01-01&to=2040-01-01"),
            allowed: "-yy-y---",
        },
    ];
    let fields = [
        // Invalid on purpose where a valid post would change routing: denial must come first anyway.
        ("decision", ""),
        ("batch_size", "500"),
        ("member", priya.as_str()),
        ("units", ""),
        ("hours", "3"),
        ("result", "pass"),
        ("source", "toml"),
        (
            "toml",
            "name = \"matrix\"\n[[lines]]\nservice_line = \"drafting\"\nmonthly_volume = 10\ncollaboration = \"high\"\n",
        ),
        ("provider_id", lakeshore.as_str()),
        ("matter_id", m3.as_str()),
        ("reason", "matrix"),
        ("role", "matrix"),
        ("loaded_hourly_cost", "not a number"),
        ("hours_per_day", "6"),
    ];
    let failures = run_matrix(&t, &pages, &fields).await;
    assert!(failures.is_empty(), "delegation matrix mismatches:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn onshore_only_matter_is_never_assigned_offshore_through_the_api() {
    let t = TestApp::demo().await;
    let m3 = t.matter_id("0003").await; // Harbor County: onshore only
    let alice = token(&t, "alice").await;
    let priya = user_id(&t, "priya").await;
    let meridian = provider_id(&t, "Meridian").await;
    let lakeshore = provider_id(&t, "Lakeshore").await;

    // The platform's own assignment path.
    let r = t
        .api("POST", &format!("/api/v1/matters/{m3}/work-items"), &alice, Some(json!({
            "service_line": "document_review", "title": "Review county emails", "volume": "8000",
            "unit": "documents", "assignee": priya
        })))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(body(&r)["error"]["field"], "assignee");
    assert!(r.body.contains("offshore (IN)") && r.body.contains("onshore only"), "{}", r.body);

    // Routing: Meridian is rejected with the rule, the onshore provider wins, and an override cannot force it.
    let r = t
        .api("POST", &format!("/api/v1/matters/{m3}/work-items"), &alice, Some(json!({
            "service_line": "document_review", "title": "Review county emails", "volume": "8000", "unit": "documents"
        })))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let item = body(&r)["id"].as_str().unwrap().to_string();
    let r =
        t.api("POST", &format!("/api/v1/work-items/{item}/route/recommend"), &alice, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rec = body(&r);
    assert_eq!(rec["recommended_id"], lakeshore.as_str(), "{rec}");
    let rejected = rec["detail"]["recommendation"]["rejected"].as_array().unwrap();
    let meridian_rejection =
        rejected.iter().find(|x| x["candidate_id"] == meridian.as_str()).unwrap();
    assert_eq!(
        meridian_rejection["violation"]["OffshoreOnOnshoreMatter"]["country"], "IN",
        "{meridian_rejection}"
    );
    let r = t
        .api(
            "POST",
            &format!("/api/v1/work-items/{item}/route/decide"),
            &alice,
            Some(json!({
                "decision": "override", "channel_id": meridian, "reason": "cheaper"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Meridian") && r.body.contains("onshore only"), "{}", r.body);
    let r = t
        .api(
            "POST",
            &format!("/api/v1/work-items/{item}/route/decide"),
            &alice,
            Some(json!({"decision": "accept"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let route =
        body(&t.api("GET", &format!("/api/v1/work-items/{item}/route"), &alice, None).await);
    assert_eq!(route["engagement"]["provider_id"], lakeshore.as_str());
    assert_eq!(route["engagement"]["unit_price"], "0.95");
    // Nothing on the matter went to anyone offshore.
    let manoj = token(&t, "manoj").await;
    let r = t.api("GET", &format!("/api/v1/matters/{m3}"), &manoj, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn excluded_provider_never_sees_the_matter_through_the_api() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let m2 = t.matter_id("0002").await; // Rivera estate: ben's
    let ben = token(&t, "ben").await;
    let alice = token(&t, "alice").await;
    let manoj_id = user_id(&t, "manoj").await;
    let meridian = provider_id(&t, "Meridian").await;

    // Meridian holds open work on m1, so it cannot be excluded there until that work is reassigned.
    let r = t
        .api(
            "POST",
            &format!("/api/v1/delegation/providers/{meridian}/exclusions"),
            &alice,
            Some(json!({
                "matter_id": m1, "reason": "conflict"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Only who manages the matter's team may exclude.
    let r = t
        .api(
            "POST",
            &format!("/api/v1/delegation/providers/{meridian}/exclusions"),
            &alice,
            Some(json!({
                "matter_id": m2, "reason": "conflict"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = t
        .api(
            "POST",
            &format!("/api/v1/delegation/providers/{meridian}/exclusions"),
            &ben,
            Some(json!({
                "matter_id": m2, "reason": "Meridian reviews for the estate's adverse heirs"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    let r = t
        .api("POST", &format!("/api/v1/matters/{m2}/work-items"), &ben, Some(json!({
            "service_line": "document_review", "title": "Review estate papers", "volume": "3000",
            "unit": "documents", "assignee": manoj_id
        })))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("walled off") || r.body.contains("excluded"), "{}", r.body);
    let r = t
        .api("POST", &format!("/api/v1/matters/{m2}/work-items"), &ben, Some(json!({
            "service_line": "document_review", "title": "Review estate papers", "volume": "3000", "unit": "documents"
        })))
        .await;
    let item = body(&r)["id"].as_str().unwrap().to_string();
    let rec = body(
        &t.api("POST", &format!("/api/v1/work-items/{item}/route/recommend"), &ben, None).await,
    );
    assert_ne!(rec["recommended_id"], meridian.as_str());
    let rejected = rec["detail"]["recommendation"]["rejected"].as_array().unwrap();
    assert!(
        rejected.iter().any(|x| x["candidate_id"] == meridian.as_str()
            && x["violation"]["ExcludedFromMatter"].is_object()),
        "{rec}"
    );
    let r = t
        .api(
            "POST",
            &format!("/api/v1/work-items/{item}/route/decide"),
            &ben,
            Some(json!({
                "decision": "override", "channel_id": meridian, "reason": "fastest"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("excluded from the matter"), "{}", r.body);
    // Its people cannot see the matter or the item, whatever their role.
    for who in ["manoj", "priya"] {
        let tok = token(&t, who).await;
        assert_eq!(
            t.api("GET", &format!("/api/v1/matters/{m2}"), &tok, None).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.api("GET", &format!("/api/v1/work-items/{item}/route"), &tok, None).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn lpo_batches_qc_rework_sla_and_billing_feed_through_the_api() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let (alice, manoj, priya) =
        (token(&t, "alice").await, token(&t, "manoj").await, token(&t, "priya").await);
    let priya_id = user_id(&t, "priya").await;
    let manoj_id = user_id(&t, "manoj").await;
    let meridian = provider_id(&t, "Meridian").await;

    let r = t
        .api("POST", &format!("/api/v1/matters/{m1}/work-items"), &alice, Some(json!({
            "service_line": "document_review", "title": "Second production review", "volume": "50000",
            "unit": "documents", "due_on": "2027-02-15"
        })))
        .await;
    let item = body(&r)["id"].as_str().unwrap().to_string();
    let rec = body(
        &t.api("POST", &format!("/api/v1/work-items/{item}/route/recommend"), &alice, None).await,
    );
    assert_eq!(rec["recommended_id"], meridian.as_str(), "{rec}");
    let reasons = rec["detail"]["recommendation"]["ranked"][0]["factors"].as_array().unwrap().len();
    assert_eq!(reasons, 7, "a reason per factor");
    let r = t
        .api(
            "POST",
            &format!("/api/v1/work-items/{item}/route/decide"),
            &alice,
            Some(json!({
                "decision": "accept", "qc_sample_rate": "1%", "max_error_rate": "0.02"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let route =
        body(&t.api("GET", &format!("/api/v1/work-items/{item}/route"), &alice, None).await);
    assert_eq!(route["work_item"]["item"]["assignee"], manoj_id.as_str(), "routed to the manager");

    // The manager sees it incoming, splits it and hands a batch to Priya.
    let incoming = body(&t.api("GET", "/api/v1/delegation/incoming", &manoj, None).await);
    assert!(incoming.as_array().unwrap().iter().any(|i| i["row"]["item"]["id"] == item.as_str()));
    let r = t
        .api(
            "POST",
            &format!("/api/v1/work-items/{item}/batches"),
            &manoj,
            Some(json!({"batch_size": "500"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let batches = body(&r);
    assert_eq!(batches.as_array().unwrap().len(), 100);
    assert_eq!(
        (batches[99]["first_unit"].as_i64(), batches[99]["last_unit"].as_i64()),
        (Some(49501), Some(50000))
    );
    let b1 = batches[0]["id"].as_str().unwrap().to_string();
    let b2 = batches[1]["id"].as_str().unwrap().to_string();
    let r = t
        .api(
            "POST",
            &format!("/api/v1/delegation/batches/{b1}/assign"),
            &manoj,
            Some(json!({"member": priya_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let alice_id = user_id(&t, "alice").await;
    let r = t
        .api(
            "POST",
            &format!("/api/v1/delegation/batches/{b2}/assign"),
            &manoj,
            Some(json!({"member": alice_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "only the provider's team: {}", r.body);

    // Priya sees her batch, not the unassigned one, and completes it: a 1% seeded sample (5 units) is drawn.
    let mine = body(&t.api("GET", "/api/v1/delegation/my-batches", &priya, None).await);
    assert!(mine.as_array().unwrap().iter().any(|b| b["batch"]["id"] == b1.as_str()));
    assert!(mine.as_array().unwrap().iter().all(|b| b["batch"]["assignee"] == priya_id.as_str()));
    assert_eq!(
        t.api("GET", &format!("/api/v1/delegation/batches/{b2}"), &priya, None).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t
        .api(
            "POST",
            &format!("/api/v1/delegation/batches/{b1}/complete"),
            &priya,
            Some(json!({"units": "", "hours": "9.5"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let done = body(&r);
    let samples = done["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 5);
    assert!(samples.iter().all(|s| (1..=500).contains(&s["unit_no"].as_i64().unwrap())));
    // The member never checks her own work; the firm does. One failure in five is above 2%: rework.
    let first = samples[0]["id"].as_str().unwrap();
    assert_eq!(
        t.api(
            "POST",
            &format!("/api/v1/delegation/qc/{first}"),
            &priya,
            Some(json!({"passed": true}))
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let mut last = Value::Null;
    for (i, s) in samples.iter().enumerate() {
        let r = t
            .api(
                "POST",
                &format!("/api/v1/delegation/qc/{}", s["id"].as_str().unwrap()),
                &alice,
                Some(json!({"passed": i != 2})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        last = body(&r);
    }
    assert_eq!(last["decision"]["decision"], "rework_batch", "{last}");
    assert_eq!(last["batch"]["status"], "rework");
    // The rework is delivered and sampled in round 2.
    let r = t
        .api(
            "POST",
            &format!("/api/v1/delegation/batches/{b1}/complete"),
            &priya,
            Some(json!({"hours": "2"})),
        )
        .await;
    let again = body(&r);
    assert_eq!(again["round"], 2, "{again}");

    let dashboard = body(&t.api("GET", "/api/v1/delegation/dashboard", &alice, None).await);
    let meridian_stats = dashboard["providers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str().unwrap().starts_with("Meridian"))
        .unwrap()
        .clone();
    assert_eq!(meridian_stats["errors"], 1, "{meridian_stats}");
    assert!(
        dashboard["members"].as_array().unwrap().iter().any(|m| m[0] == "Priya Nair" && m[2] == 1),
        "{dashboard}"
    );
    assert!(dashboard["qc_samples_drawn"].as_u64().unwrap() >= 10);

    // Billing feed: units delivered on the matter, priced from the rate card (rework adds hours, not units).
    let from = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
    let to = from + chrono::Duration::days(3);
    let delivered = body(
        &t.api(
            "GET",
            &format!("/api/v1/matters/{m1}/delivered-units?from={from}&to={to}"),
            &alice,
            None,
        )
        .await,
    );
    let row = delivered
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["work_item_id"] == item.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            row["units"].as_i64(),
            row["hours"].as_str(),
            row["unit_price"].as_str(),
            row["amount"].as_str()
        ),
        (Some(500), Some("11.5"), Some("0.45"), Some("225.00")),
        "{row}"
    );
}

#[tokio::test]
async fn va_agenda_spans_the_attorneys_the_assistant_supports() {
    let t = TestApp::demo().await;
    let vera = token(&t, "vera").await;
    let agenda = body(&t.api("GET", "/api/v1/delegation/agenda", &vera, None).await);
    assert_eq!(agenda["time_zone"], "America/New_York");
    let attorneys: Vec<&str> =
        agenda["attorneys"].as_array().unwrap().iter().map(|a| a[0].as_str().unwrap()).collect();
    assert_eq!(attorneys.len(), 2, "{agenda}");
    assert!(attorneys.contains(&"Alice Barton") && attorneys.contains(&"Ben Okafor"));
    // Urgent docketing comes first and starts at the start of her day.
    let first = &agenda["entries"][0];
    assert!(first["row"]["item"]["title"].as_str().unwrap().starts_with("Docket"), "{agenda}");
    assert_eq!(first["slot"][0], "08:00");
}

#[tokio::test]
async fn overriding_without_a_reason_is_refused_inline_and_the_advisor_prints_html_and_pdf() {
    let t = TestApp::demo().await;
    let alice = t.sign_in("alice@demo.lawdesk").await;
    let binders = work_id(&t, "Prepare deposition binders").await;
    let r = t.post_form(&format!("/delegation/work/{binders}/recommend"), &alice, &[], true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&format!("/delegation/work/{binders}"), Some(&alice)).await;
    assert!(page.body.contains("id=\"candidates\""), "{}", page.body);
    let r = t
        .post_form(
            &format!("/delegation/work/{binders}/decide"),
            &alice,
            &[("decision", "override"), ("channel_id", "in_house:paralegal"), ("reason", " ")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("say why you override the recommendation")
            && r.body.contains("id=\"decide-form\""),
        "{}",
        r.body
    );

    let r = t
        .post_form(
            "/delegation/advisor",
            &alice,
            &[
                ("source", "form"),
                ("name", "Acme <team>"),
                ("volume_calendar_communication", "40"),
                ("volume_document_review", "30000"),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", &r.body[r.body.len().saturating_sub(3000)..]);
    assert!(r.body.contains("Acme &lt;team&gt;") && !r.body.contains("Acme <team>"));
    assert!(r.body.contains("<svg") && r.body.contains("id=\"advice\""));
    let toml = r
        .body
        .split("<textarea name=\"toml\" hidden aria-label=\"Profile\">")
        .nth(1)
        .unwrap()
        .split("</textarea>")
        .next()
        .unwrap();
    let toml = toml
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let pdf = t
        .post_form("/delegation/advisor/pdf", &alice, &[("source", "toml"), ("toml", &toml)], true)
        .await;
    assert_eq!(pdf.status, StatusCode::OK, "{}\n{toml}", pdf.body);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-") && pdf.body.contains("Document review"));
    let r = t.post_form("/delegation/advisor", &alice, &[("source", "form")], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("at least one service line"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_routes_a_review_to_an_lpo_batches_it_completes_a_batch_and_samples_it() {
    let Some(b) = Browser::start().await else { return };
    let c = &b.c;
    b.sign_in("alice").await;
    let admin = app::auth::actor_of(
        &b.app.store.user_for_sign_in("alice@demo.lawdesk").await.unwrap().unwrap().user,
    );
    let m1 = b
        .app
        .list_matters(&admin, &Default::default(), store::Page::default())
        .await
        .unwrap()
        .0
        .into_iter()
        .find(|m| m.matter.title.starts_with("Acme"))
        .unwrap()
        .matter
        .id;

    // Alice creates a 50,000-document review on the Acme matter.
    b.goto(&format!("/matters/{m1}")).await;
    c.find(Locator::Id("service_line"))
        .await
        .unwrap()
        .select_by_value("document_review")
        .await
        .unwrap();
    c.find(Locator::Id("work_title"))
        .await
        .unwrap()
        .send_keys("Review third production")
        .await
        .unwrap();
    let volume = c.find(Locator::Id("volume")).await.unwrap();
    volume.clear().await.unwrap();
    volume.send_keys("50000").await.unwrap();
    c.find(Locator::Id("unit")).await.unwrap().select_by_value("documents").await.unwrap();
    c.find(Locator::Css("form[action$='/work'] button")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[contains(., 'Review third production')]"))
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    let item = url.path().rsplit('/').next().unwrap().to_string();

    // Routed: the recommendation names Meridian (offshore LPO) with reasons; Alice accepts it.
    b.goto(&format!("/delegation/work/{item}")).await;
    c.find(Locator::Id("recommend")).await.unwrap().click().await.unwrap();
    let recommended =
        c.wait().for_element(Locator::Id("recommended")).await.unwrap().text().await.unwrap();
    assert!(recommended.contains("Meridian"), "{recommended}");
    c.find(Locator::Id("accept")).await.unwrap().click().await.unwrap();
    // Wait for the new page: the old one had a "pending" decision badge with the same id.
    c.wait().for_element(Locator::XPath("//span[@id='decision' and .='accepted']")).await.unwrap();

    // Manoj (Meridian's manager) sees it incoming, splits it and assigns batch 1 to Priya.
    b.sign_in("manoj").await;
    b.goto("/delegation").await;
    c.find(Locator::LinkText("Review third production")).await.unwrap().click().await.unwrap();
    let size = c.wait().for_element(Locator::Id("batch_size")).await.unwrap();
    size.clear().await.unwrap();
    size.send_keys("500").await.unwrap();
    c.find(Locator::Id("split")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::Css("select[aria-label='Member for batch 1']"))
        .await
        .unwrap()
        .select_by_label("Priya Nair")
        .await
        .unwrap();
    c.find(Locator::XPath("//tr[td/a[.='#1']]//button[.='Assign']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//tr[td/a[.='#1']]/td[contains(., 'Priya Nair')]"))
        .await
        .unwrap();

    // Priya sees only her batches and completes batch 1: a QC sample is drawn.
    b.sign_in("priya").await;
    b.goto("/delegation").await;
    let rows = c.find(Locator::Id("batches")).await.unwrap().text().await.unwrap();
    assert!(rows.contains("Review third production"), "{rows}");
    c.find(Locator::XPath("//tr[td[contains(., 'Review third production')]]//a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("hours")).await.unwrap().send_keys("9").await.unwrap();
    c.find(Locator::Id("complete")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::XPath("//span[@id='batch-status' and .='done']")).await.unwrap();
    let samples = c.find(Locator::Id("samples")).await.unwrap().text().await.unwrap();
    assert!(samples.contains("pending"), "{samples}");

    // Alice's dashboard shows the delivered units and the drawn sample.
    b.sign_in("alice").await;
    b.goto("/delegation").await;
    let quality = c.find(Locator::Id("quality")).await.unwrap().text().await.unwrap();
    assert!(quality.contains("Meridian"), "{quality}");
    let drawn = c.find(Locator::Id("qc-drawn")).await.unwrap().text().await.unwrap();
    let n: usize = drawn.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 50 + 25, "demo sample (50) plus this batch's (25): {drawn}");
    let throughput = c.find(Locator::Id("throughput")).await.unwrap().text().await.unwrap();
    assert!(throughput.contains("5500"), "{throughput}");
    if let Ok(dir) = std::env::var("LAWDESK_SCREENSHOTS") {
        std::fs::write(format!("{dir}/delegation.png"), c.screenshot().await.unwrap()).unwrap();
    }
    b.c.clone().close().await.unwrap();
}

#[tokio::test]
async fn agreements_are_added_checked_and_listed_through_the_api() {
    let t = TestApp::demo().await;
    let lakeshore = provider_id(&t, "Lakeshore").await;
    let alice = token(&t, "alice").await;
    let path = format!("/api/v1/delegation/providers/{lakeshore}/agreements");
    let capped = json!({
        "name": "Lakeshore privilege review, capped",
        "kind": "project",
        "terms": {"unit": "documents", "pricing": {"kind": "per_unit_capped", "unit_price": "0.90", "cap": "18000"}},
        "starts_on": "2026-12-01"
    });
    let r = t.api("POST", &path, &alice, Some(capped)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(body(&r)["kind"], "project");

    // Terms the cost engine cannot price are refused with the field named, and nothing is stored.
    let negative = json!({
        "name": "Broken tiers",
        "kind": "bulk",
        "terms": {"unit": "documents", "tiers": [{"up_to": "1000", "unit_price": "-1"}],
                  "minimum_monthly_commitment": "0", "overage_unit_price": "0.5"},
        "starts_on": "2026-12-01"
    });
    let r = t.api("POST", &path, &alice, Some(negative)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(body(&r)["error"]["field"], "terms", "{}", r.body);

    let r = t.api("GET", &path, &alice, None).await;
    let names: Vec<String> = body(&r)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["Lakeshore privilege review, capped".to_string()]);

    // A provider's own manager never sees the firm's agreements list.
    let manoj = token(&t, "manoj").await;
    let r = t.api("GET", &path, &manoj, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
