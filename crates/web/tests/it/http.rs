//! Security and behaviour through the router: CSRF, escaping, throttling, tokens, sessions,
//! uploads, error bodies, the OpenAPI document.

use crate::harness::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site_lax() {
    let t = TestApp::demo().await;
    let body = "email=alice%40demo.lawdesk&password=demo-password-2026";
    let res = t
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    let cookie = res.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not Secure without TLS");
    let csp = res.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'"));
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_same_origin() {
    let t = TestApp::demo().await;
    let s = t.sign_in("alice@demo.lawdesk").await;
    let fields = [("kind", "person"), ("name", "Csrf Victim")];
    assert_eq!(t.post_form("/contacts", &s, &fields, false).await.status, StatusCode::FORBIDDEN);
    let mut wrong = s.clone();
    wrong.csrf = "0".repeat(64);
    assert_eq!(t.post_form("/contacts", &wrong, &fields, true).await.status, StatusCode::FORBIDDEN);
    let cross = Request::post("/contacts")
        .header(header::COOKIE, format!("lawdesk_session={}", s.cookie))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .header("host", "lawdesk.local")
        .body(Body::from(format!("kind=person&name=x&_csrf={}", s.csrf)))
        .unwrap();
    assert_eq!(t.send(cross).await.status, StatusCode::FORBIDDEN);
    assert_eq!(t.post_form("/contacts", &s, &fields, true).await.status, StatusCode::SEE_OTHER);
    let (found, _) =
        t.app.store.list_contacts(Some("Csrf Victim"), None, store::Page::default()).await.unwrap();
    assert_eq!(found.len(), 1, "only the post with the token went through");
}

#[tokio::test]
async fn user_input_is_escaped_in_html() {
    let t = TestApp::demo().await;
    let s = t.sign_in("alice@demo.lawdesk").await;
    let evil = "<script>alert('x')</script>";
    let res = t.post_form("/contacts", &s, &[("kind", "person"), ("name", evil)], true).await;
    let location = res.headers.get("location").unwrap().to_str().unwrap().to_string();
    let page = t.get(&location, Some(&s)).await;
    assert!(!page.body.contains(evil));
    assert!(
        page.body.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;"),
        "the name is shown, escaped"
    );
}

#[tokio::test]
async fn sign_in_is_throttled_after_repeated_failures() {
    let t = TestApp::demo().await;
    let attempt = |pw: &'static str| {
        let body = format!("email=alice%40demo.lawdesk&password={pw}");
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    };
    for _ in 0..5 {
        let r = t.send(attempt("wrong")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("wrong email or password"));
    }
    let r = t.send(attempt("wrong")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Even the right password waits out the window from this address.
    assert_eq!(t.send(attempt("demo-password-2026")).await.status, StatusCode::TOO_MANY_REQUESTS);
    let failures = t
        .app
        .store
        .audit_entries(None, 50)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "auth.sign_in_failed")
        .count();
    assert_eq!(
        failures, 5,
        "each failure is audited; throttled attempts never reach the password check"
    );
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked_and_errors_are_stable_json() {
    let t = TestApp::demo().await;
    let user = t.app.store.user_for_sign_in("alice@demo.lawdesk").await.unwrap().unwrap().user;
    let actor = app::auth::actor_of(&user);
    let (row, token) = t.app.create_api_token(&actor, "ci").await.unwrap();
    let me = t.api("GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("alice@demo.lawdesk"));
    let bad = t
        .api(
            "POST",
            "/api/v1/contacts",
            &token,
            Some(serde_json::json!({"kind": "person", "name": "  "})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let err: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(err["error"]["code"], "invalid");
    assert_eq!(err["error"]["field"], "name");
    let missing =
        t.api("GET", "/api/v1/matters/01890000-0000-7000-8000-000000000000", &token, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&missing.body).unwrap()["error"]["code"],
        "not_found"
    );
    t.app.revoke_api_token(&actor, row.id).await.unwrap();
    assert_eq!(t.api("GET", "/api/v1/me", &token, None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn revoked_and_deactivated_sessions_stop_working() {
    let t = TestApp::demo().await;
    let s = t.sign_in("sam@demo.lawdesk").await;
    assert_eq!(t.get("/matters", Some(&s)).await.status, StatusCode::OK);
    let admin = t.sign_in("admin@demo.lawdesk").await;
    let sam = t.app.store.user_for_sign_in("sam@demo.lawdesk").await.unwrap().unwrap().user;
    let res = t
        .post_form(
            &format!("/users/{}", sam.id),
            &admin,
            &[("role", "staff"), ("active", "false"), ("display_name", "Sam Reyes")],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = t.get("/matters", Some(&s)).await;
    assert_eq!(
        (after.status, after.headers.get("location").map(|l| l.to_str().unwrap().to_string())),
        (StatusCode::SEE_OTHER, Some("/login".into()))
    );
    let entries = t.app.store.audit_entries(Some(&sam.id.to_string()), 10).await.unwrap();
    assert!(
        entries.iter().any(|e| e.action == "user.active_change"),
        "deactivation is audited as a permission change"
    );
}

#[tokio::test]
async fn work_item_flow_and_stale_updates() {
    let t = TestApp::demo().await;
    let s = t.sign_in("alice@demo.lawdesk").await;
    let m1 = t.matter_id("0001").await;
    let res = t
        .post_form(
            &format!("/matters/{m1}/work"),
            &s,
            &[
                ("service_line", "drafting"),
                ("title", "Draft motion to compel"),
                ("volume", "3.5"),
                ("unit", "hours"),
                ("priority", "high"),
                ("due_on", "2026-12-31"),
            ],
            true,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let work = res.headers.get("location").unwrap().to_str().unwrap().to_string();
    let page = t.get(&work, Some(&s)).await;
    assert!(page.body.contains("Draft motion to compel") && page.body.contains("3.5 hours"));
    // Skipping the workflow is refused with a clear message; a stale version is a conflict.
    let skip = t
        .post_form(&format!("{work}/status"), &s, &[("status", "done"), ("version", "1")], true)
        .await;
    assert_eq!(skip.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(skip.body.contains("cannot move from new to done"), "{}", skip.body);
    let ok = t
        .post_form(
            &format!("{work}/status"),
            &s,
            &[("status", "cancelled"), ("version", "1")],
            true,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let stale = t.post_form(&format!("{work}/comments"), &s, &[("body", "")], true).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY, "empty comments are refused");
}

#[tokio::test]
async fn uploads_are_typed_by_extension_and_served_as_downloads() {
    let t = TestApp::demo().await;
    let s = t.sign_in("alice@demo.lawdesk").await;
    let m1 = t.matter_id("0001").await;
    let res = t
        .post_form(
            &format!("/matters/{m1}/work"),
            &s,
            &[("service_line", "drafting"), ("title", "Upload target")],
            true,
        )
        .await;
    let work = res.headers.get("location").unwrap().to_str().unwrap().to_string();
    let upload = |name: &str, bytes: &str| {
        let boundary = "XBOUNDARYX";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/html\r\n\r\n{bytes}\r\n--{boundary}--\r\n"
        );
        Request::post(format!("{work}/attachments?_csrf={}", s.csrf))
            .header(header::COOKIE, format!("lawdesk_session={}", s.cookie))
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap()
    };
    assert_eq!(
        t.send(upload("evil.html", "<script>1</script>")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(t.send(upload("../../notes.txt", "privileged")).await.status, StatusCode::SEE_OTHER);
    let page = t.get(&work, Some(&s)).await;
    let at = page.body.find("/attachments/").unwrap();
    let link = page.body[at..].split('"').next().unwrap().to_string();
    assert!(page.body.contains(">notes.txt<"), "path components are stripped");
    let dl = t.get(&link, Some(&s)).await;
    assert_eq!(dl.body, "privileged");
    assert!(
        dl.headers
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let vera = t.sign_in("vera@demo.lawdesk").await;
    assert_eq!(
        t.get(&link, Some(&vera)).await.status,
        StatusCode::FORBIDDEN,
        "attachments follow work item access"
    );
}

#[tokio::test]
async fn openapi_document_lists_the_api_and_docs_page_is_self_hosted() {
    let t = TestApp::demo().await;
    let doc = t.get("/api/v1/openapi.json", None).await;
    let v: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    assert_eq!(v["openapi"].as_str().unwrap().chars().next(), Some('3'));
    for path in ["/api/v1/matters", "/api/v1/work-items/{id}/status", "/api/v1/contacts"] {
        assert!(v["paths"][path].is_object(), "{path} documented");
    }
    let docs = t.get("/api/v1/docs", None).await;
    assert!(docs.body.contains("/api/v1/matters") && !docs.body.contains("cdn"));
}

#[tokio::test]
async fn unknown_pages_give_a_plain_404_without_internals() {
    let t = TestApp::demo().await;
    let s = t.sign_in("alice@demo.lawdesk").await;
    let r = t.get("/matters/not-an-id", Some(&s)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("sqlx") && !r.body.contains("panicked"));
    assert_eq!(t.get("/no/such/page", Some(&s)).await.status, StatusCode::NOT_FOUND);
}
