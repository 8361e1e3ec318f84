//! Web tests for document search: the search and term-report pages and API through the router, their
//! rows in the authorization matrix, and a browser run with highlighted hits.

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::matrix::{Case, run_matrix};
use axum::http::StatusCode;
use fantoccini::Locator;

async fn admin(app: &app::App) -> domain::Actor {
    app::auth::actor_of(
        &app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    )
}

/// Indexes the demo emails (plus one hostile document) into 2026-0001 and returns its id.
async fn indexed(t: &TestApp) -> String {
    let m1 = t.matter_id("0001").await;
    let mut docs = app::search::demo_documents();
    docs.push(search::IndexDoc {
        doc_id: "ACME-000099".into(),
        subject: "<script>alert('x')</script> pricing".into(),
        body: "The anvil price is <b>final</b> & fixed.".into(),
        ..Default::default()
    });
    let stats = t
        .app
        .index_documents(&admin(&t.app).await, domain::Id::parse(&m1).unwrap(), docs)
        .await
        .unwrap();
    assert_eq!(stats.documents, 6);
    m1
}

#[tokio::test]
async fn search_routes_times_every_role() {
    let t = TestApp::demo().await;
    let m1 = indexed(&t).await;
    let m2 = t.matter_id("0002").await;
    let m3 = t.matter_id("0003").await;
    // Vera docket-assists on m1 and drafts on m2 but reviews no documents: no search for her.
    //                                      anon admin alice ben sam vera manoj priya
    let cases = vec![
        Case { method: "GET", path: format!("/matters/{m1}/search?q=anvil"), allowed: "-yy-y-yy" },
        Case {
            method: "GET",
            path: format!("/matters/{m1}/search/terms?terms=anvil"),
            allowed: "-yy-y-yy",
        },
        Case { method: "GET", path: format!("/matters/{m2}/search?q=x"), allowed: "-y-y----" },
        Case { method: "GET", path: format!("/matters/{m3}/search"), allowed: "-yy-----" },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m1}/search?q=anvil"),
            allowed: "-yy-y-yy",
        },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m1}/search/terms?terms=anvil"),
            allowed: "-yy-y-yy",
        },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m3}/search?q=x"),
            allowed: "-yy-----",
        },
    ];
    let failures = run_matrix(&t, &cases, &[]).await;
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn search_page_highlights_escapes_and_explains_bad_queries() {
    let t = TestApp::demo().await;
    let m1 = indexed(&t).await;
    let priya = t.sign_in("priya@demo.lawdesk").await;
    let res = t
        .get(&format!("/matters/{m1}/search?q=%28price*+OR+cost*%29+w%2F5+fix*"), Some(&priya))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("<strong>3</strong> document(s)"), "{}", res.body);
    assert!(res.body.contains("<mark>fix</mark> the <mark>price</mark>"), "{}", res.body);
    // Words outside the matched spans stay unmarked.
    assert!(res.body.contains("Our costs were manipulated"), "{}", res.body);
    // Hostile text stays text.
    let res = t.get(&format!("/matters/{m1}/search?q=pricing"), Some(&priya)).await;
    assert!(
        res.body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>pricing</mark>"),
        "{}",
        res.body
    );
    assert!(!res.body.contains("<script>alert"), "{}", res.body);
    let res = t.get(&format!("/matters/{m1}/search?q=anvil+fixed"), Some(&priya)).await;
    assert!(res.body.contains("&lt;b&gt;final&lt;/b&gt; &amp; <mark>fixed</mark>"), "{}", res.body);
    // A malformed query: 200 with the message and a caret under the spot, nothing else leaked.
    let res = t.get(&format!("/matters/{m1}/search?q=anvil+w%2F+price"), Some(&priya)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body.contains("anvil w/ price\n      ^ w/ needs a number, e.g. w/5"),
        "{}",
        res.body
    );
    assert!(res.body.contains("aria-invalid=\"true\""), "{}", res.body);
    // Paging links keep the query.
    let res = t.get(&format!("/matters/{m1}/search?q=NOT+zzz"), Some(&priya)).await;
    assert!(res.body.contains("<strong>6</strong>"), "{}", res.body);
    // The search is audited.
    let entries = t.app.audit_entries(&admin(&t.app).await, None, 500).await.unwrap();
    let audited = format!("{entries:?}");
    assert!(audited.contains("search.query") && audited.contains("search.index"), "{audited}");
}

#[tokio::test]
async fn term_report_page_counts_families() {
    let t = TestApp::demo().await;
    let m1 = indexed(&t).await;
    let alice = t.sign_in("alice@demo.lawdesk").await;
    let terms = serde_urlencoded::to_string([("terms", "anvil*\nschedule\n\nstapler")]).unwrap();
    let res = t.get(&format!("/matters/{m1}/search/terms?{terms}"), Some(&alice)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // "schedule" hits the parent email once and its attachment twice (body and file name): one family
    // of 2; only the attachment is hit by no other term.
    assert!(
        res.body.contains(
            "<tr><td><code>schedule</code></td><td>3</td><td>2</td><td>2</td><td>1</td></tr>"
        ),
        "{}",
        res.body
    );
    let bad = serde_urlencoded::to_string([("terms", "anvil\n(oops")]).unwrap();
    let res = t.get(&format!("/matters/{m1}/search/terms?{bad}"), Some(&alice)).await;
    assert!(res.body.contains("line 2: unbalanced parenthesis"), "{}", res.body);
}

#[tokio::test]
async fn search_api_returns_hits_and_422_with_position() {
    let t = TestApp::demo().await;
    let m1 = indexed(&t).await;
    let manoj = t.app.store.user_for_sign_in("manoj@demo.lawdesk").await.unwrap().unwrap().user;
    let (_, token) = t.app.create_api_token(&app::auth::actor_of(&manoj), "search").await.unwrap();
    let res = t
        .api(
            "GET",
            &format!("/api/v1/matters/{m1}/search?q=subject%3Aanvil+date%3E%3D2025-03-06"),
            &token,
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["total"], 1, "{json}");
    assert_eq!(json["hits"][0]["doc_id"], "ACME-000003");
    assert!(json["hits"][0]["fields"][0]["html"].as_str().unwrap().contains("<mark>Anvil</mark>"));
    let res = t.api("GET", &format!("/api/v1/matters/{m1}/search?q=%28anvil"), &token, None).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["error"]["code"], "invalid");
    assert_eq!(json["error"]["field"], "q");
    assert!(json["error"]["message"].as_str().unwrap().contains("at character 1"), "{json}");
    let res = t
        .api(
            "GET",
            &format!("/api/v1/matters/{m1}/search/terms?terms=anvil%0Acaf%C3%A9"),
            &token,
            None,
        )
        .await;
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["rows"][1]["term"], "café");
    assert_eq!(json["rows"][1]["docs_with_hits"], 1, "{json}");
    let doc = t.get("/api/v1/openapi.json", None).await.body;
    assert!(doc.contains("/api/v1/matters/{id}/search/terms"), "OpenAPI documents the routes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_searches_and_sees_highlighted_hits() {
    let Some(b) = Browser::start().await else { return };
    let m1 = b
        .app
        .store
        .matter_by_number(&format!("{}-0001", chrono::Utc::now().format("%Y")))
        .await
        .unwrap()
        .unwrap()
        .id;
    b.app.index_documents(&admin(&b.app).await, m1, app::search::demo_documents()).await.unwrap();
    b.sign_in("alice").await;
    b.goto(&format!("/matters/{m1}/search")).await;
    let c = &b.c;
    c.find(Locator::Id("q")).await.unwrap().send_keys("price* w/5 fix*").await.unwrap();
    c.find(Locator::Css("form.search-form button")).await.unwrap().click().await.unwrap();
    if c.wait().for_element(Locator::Css("#search-total")).await.is_err() {
        panic!("no results; the browser shows:\n{}", c.source().await.unwrap_or_default());
    }
    let total = c.find(Locator::Css("#search-total strong")).await.unwrap().text().await.unwrap();
    assert_eq!(total, "2");
    let marks = c.find_all(Locator::Css(".search-hit mark")).await.unwrap();
    let mut words = Vec::new();
    for m in marks {
        words.push(m.text().await.unwrap().to_lowercase());
    }
    assert!(
        words.contains(&"fix".to_string()) && words.contains(&"price".to_string()),
        "{words:?}"
    );
}
