//! Web tests for review: its pages and API through the router, and its rows in the authorization matrix.

use crate::browser::Browser;
use crate::harness::TestApp;
use crate::matrix::{Case, run_matrix};
use axum::http::StatusCode;
use fantoccini::Locator;

const EMAIL: &str = "Message-ID: <p1@acme.test>\r\nDate: Mon, 14 May 2001 16:39:00 -0700\r\nFrom: Wile E. Coyote <wile@acme.test>\r\nTo: road@runner.test\r\nSubject: <script>alert(1)</script> rocket skates\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nPlease see the invoice attached.\r\n--B\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"invoice.txt\"\r\n\r\nACME invoice 42: rocket skates\r\n--B--\r\n";

/// Ingests a small collection into matter `number` as the demo administrator; returns the item ids
/// (email first, then its attachment).
async fn ingest(app: &app::App, number: &str) -> (String, Vec<String>) {
    let admin = app::auth::actor_of(
        &app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    );
    let matter = app.store.matter_by_number(number).await.unwrap().unwrap().id;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1.eml"), EMAIL).unwrap();
    std::fs::write(dir.path().join("broken.msg"), b"not outlook").unwrap();
    let job = app
        .start_review_ingest(&admin, matter, "Coyote, Wile", &[dir.path().to_path_buf()])
        .await
        .unwrap();
    let options = app::review::IngestOptions { near_duplicates: false, ..Default::default() };
    app.run_review_job(&admin, job.id, &options).await.unwrap();
    let (items, _) = app
        .review_items(&admin, matter, &Default::default(), store::Page::default())
        .await
        .unwrap();
    (matter.to_string(), items.iter().map(|i| i.id.to_string()).collect())
}

#[tokio::test]
async fn review_routes_times_every_role() {
    let t = TestApp::demo().await;
    let (m1, items) = ingest(&t.app, "2026-0001").await;
    let m2 = t.matter_id("0002").await;
    let m3 = t.matter_id("0003").await;
    let item = &items[0];
    // priya reviews m1's documents for Meridian (manoj's organization); vera dockets m1 but reviews
    // nothing; ben is not on m1's team and is walled from m3.
    //                                      anon admin alice ben sam vera manoj priya
    let cases = vec![
        Case { method: "GET", path: "/review".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: format!("/matters/{m1}/review"), allowed: "-yy-y-yy" },
        Case { method: "GET", path: format!("/matters/{m1}/review/jobs"), allowed: "-yy-y-yy" },
        Case { method: "GET", path: format!("/matters/{m2}/review"), allowed: "-y-y----" },
        Case { method: "GET", path: format!("/matters/{m3}/review"), allowed: "-yy-----" },
        Case { method: "GET", path: format!("/review/items/{item}"), allowed: "-yy-y-yy" },
        Case { method: "GET", path: format!("/review/items/{item}/native"), allowed: "-yy-y-yy" },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m1}/review/report"),
            allowed: "-yy-y-yy",
        },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m1}/review/items"),
            allowed: "-yy-y-yy",
        },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m1}/review/jobs"),
            allowed: "-yy-y-yy",
        },
        Case {
            method: "API",
            path: format!("/api/v1/matters/{m3}/review/report"),
            allowed: "-yy-----",
        },
        Case { method: "API", path: format!("/api/v1/review/items/{item}"), allowed: "-yy-y-yy" },
    ];
    let failures = run_matrix(&t, &cases, &[]).await;
    assert!(failures.is_empty(), "review authorization mismatches:\n{}", failures.join("\n"));

    // Resuming a job is for firm staff on the matter (a finished job answers 409, still "allowed").
    let admin = app::auth::actor_of(
        &t.app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    );
    let job = t.app.review_jobs(&admin, domain::Id::parse(&m1).unwrap()).await.unwrap()[0].id;
    let posts = vec![Case {
        method: "POST",
        path: format!("/review/jobs/{job}/resume"),
        allowed: "-yy-y---",
    }];
    let failures = run_matrix(&t, &posts, &[]).await;
    assert!(failures.is_empty(), "review authorization mismatches:\n{}", failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_job_resumes_from_the_collection_page() {
    let t = TestApp::demo().await;
    let admin = app::auth::actor_of(
        &t.app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    );
    let matter = t.app.store.matter_by_number("2026-0001").await.unwrap().unwrap().id;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1.eml"), EMAIL).unwrap();
    // A job that was created and never ran (the process died before its first batch).
    let job = t
        .app
        .start_review_ingest(&admin, matter, "Coyote, Wile", &[dir.path().to_path_buf()])
        .await
        .unwrap();
    let alice = t.sign_in("alice@demo.lawdesk").await;
    let page = t.get(&format!("/matters/{matter}/review"), Some(&alice)).await;
    assert!(
        page.body.contains(&format!("action=\"/review/jobs/{}/resume\"", job.id)),
        "{}",
        page.body
    );
    assert!(page.body.contains("hx-trigger=\"every 2s\""), "a queued job is polled");
    let res = t.post_form(&format!("/review/jobs/{}/resume", job.id), &alice, &[], true).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let mut finished = None;
    for _ in 0..200 {
        let j = t.app.review_job(&admin, job.id).await.unwrap();
        if j.status == "done" {
            finished = Some(j);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let finished = finished.expect("the resumed job finishes");
    assert_eq!((finished.done_files, finished.items), (1, 2));
    let again = t.post_form(&format!("/review/jobs/{}/resume", job.id), &alice, &[], true).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn collection_and_item_pages_show_report_family_and_escape_everything() {
    let t = TestApp::demo().await;
    let (m1, items) = ingest(&t.app, "2026-0001").await;
    let priya = t.sign_in("priya@demo.lawdesk").await;
    let page = t.get(&format!("/matters/{m1}/review"), Some(&priya)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("&#60;script&#62;alert(1)&#60;/script&#62; rocket skates"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(page.body.contains("invoice.txt") && page.body.contains("broken.msg"));
    assert!(
        page.body.contains("<dt>Exceptions</dt><dd><a href=\"?exceptions=1\">1</a></dd>"),
        "{}",
        page.body
    );
    // The job is done, so the progress table does not poll.
    assert!(!page.body.contains("hx-trigger=\"every 2s\""));
    let only_exceptions = t.get(&format!("/matters/{m1}/review?exceptions=1"), Some(&priya)).await;
    assert!(
        only_exceptions.body.contains("broken.msg")
            && !only_exceptions.body.contains("invoice.txt")
    );

    let email = &items[0];
    let page = t.get(&format!("/review/items/{email}"), Some(&priya)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Please see the invoice attached."));
    assert!(
        page.body.contains("<dt>MESSAGEID</dt><dd>&#60;p1@acme.test&#62;</dd>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<dt>DATESENT</dt><dd>2001-05-14T16:39:00-07:00</dd>"));
    assert!(
        page.body.contains(&format!("href=\"/review/items/{}\">invoice.txt</a>", items[1])),
        "family link"
    );
    let native = t.get(&format!("/review/items/{email}/native"), Some(&priya)).await;
    assert_eq!(native.status, StatusCode::OK);
    assert_eq!(native.body, EMAIL);
    assert_eq!(native.headers["content-disposition"], "attachment; filename=\"1.eml\"");
    let broken = t.get(&format!("/review/items/{}", items[2]), Some(&priya)).await;
    assert!(
        broken.body.contains("Processing exception: corrupt Outlook message"),
        "{}",
        broken.body
    );
    // A made-up id is a plain 404 that leaks nothing.
    let missing = t.get("/review/items/not-an-id", Some(&priya)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn jobs_fragment_polls_while_a_job_runs_and_the_api_reports_counts() {
    let t = TestApp::demo().await;
    let (m1, _) = ingest(&t.app, "2026-0001").await;
    let admin = app::auth::actor_of(
        &t.app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    );
    let job = t.app.review_jobs(&admin, domain::Id::parse(&m1).unwrap()).await.unwrap()[0].clone();
    t.app
        .store
        .set_review_job_status(
            job.id,
            "running",
            "",
            t.app.now(),
            false,
            store::AuditEvent::new(t.app.now(), None, "test", "review_job", job.id),
        )
        .await
        .unwrap();
    let alice = t.sign_in("alice@demo.lawdesk").await;
    let fragment = t.get(&format!("/matters/{m1}/review/jobs"), Some(&alice)).await;
    assert!(
        fragment.body.contains("hx-trigger=\"every 2s\"") && fragment.body.contains("2 / 2 files"),
        "{}",
        fragment.body
    );
    assert!(!fragment.body.contains("<html"), "a fragment, not a page");

    let user = t.app.store.user_for_sign_in("alice@demo.lawdesk").await.unwrap().unwrap().user;
    let (_, token) = t.app.create_api_token(&app::auth::actor_of(&user), "review").await.unwrap();
    let report = t.api("GET", &format!("/api/v1/matters/{m1}/review/report"), &token, None).await;
    let report: serde_json::Value = serde_json::from_str(&report.body).unwrap();
    assert_eq!(
        (report["items"].as_i64(), report["families"].as_i64(), report["exceptions"].as_i64()),
        (Some(3), Some(2), Some(1))
    );
    let items =
        t.api("GET", &format!("/api/v1/matters/{m1}/review/items?masters=1"), &token, None).await;
    let items: serde_json::Value = serde_json::from_str(&items.body).unwrap();
    assert_eq!(items["items"].as_array().unwrap().len(), 3);
    let spec = t.get("/api/v1/openapi.json", None).await;
    assert!(spec.body.contains("/api/v1/matters/{id}/review/items"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_reviewer_opens_a_document_and_its_family() {
    let Some(b) = Browser::start().await else { return };
    ingest(&b.app, "2026-0001").await;
    b.sign_in("priya").await;
    let c = &b.c;
    c.find(Locator::LinkText("Review")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::LinkText("2026-0001")).await.unwrap().click().await.unwrap();
    let email = c
        .wait()
        .for_element(Locator::XPath("//table[@id='review-items']//a[contains(., '1.eml')]"))
        .await
        .unwrap();
    email.click().await.unwrap();
    if c.wait()
        .for_element(Locator::XPath("//pre[contains(., 'Please see the invoice attached.')]"))
        .await
        .is_err()
    {
        panic!(
            "item page did not open; the browser shows:\n{}",
            c.source().await.unwrap_or_default()
        );
    }
    c.find(Locator::XPath("//ul[@id='item-family']//a[contains(., 'invoice.txt')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::XPath("//pre[contains(., 'ACME invoice 42')]")).await.unwrap();
    let family = c.find(Locator::Id("item-family")).await.unwrap().text().await.unwrap();
    assert!(family.contains("1.eml") && family.contains("invoice.txt"), "{family}");
}
