//! The authorization matrix: every page and API route × every demo role (and anonymous),
//! asserting allow or deny. A change to the policy or to a route shows up here.

use crate::harness::{Session, TestApp};
use axum::http::StatusCode;

const ROLES: [&str; 8] = ["anonymous", "admin", "alice", "ben", "sam", "vera", "manoj", "priya"];

/// Which callers may reach a route: a letter per role in ROLES order ('y' allowed, '-' denied).
/// `method` is GET or POST (a form with a CSRF token) for pages, API for a GET with a token,
/// PUT for an API PUT with a token and the fields as a JSON object.
pub(crate) struct Case {
    pub method: &'static str,
    pub path: String,
    pub allowed: &'static str,
}

async fn work_id(t: &TestApp, title_prefix: &str) -> String {
    let admin = app::auth::actor_of(
        &t.app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    );
    let (rows, _) =
        t.app.list_work_items(&admin, &Default::default(), store::Page::new(1, 100)).await.unwrap();
    rows.iter().find(|r| r.item.title.starts_with(title_prefix)).unwrap().item.id.to_string()
}

#[tokio::test]
async fn every_route_times_every_role() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await; // Acme v. Initech: team alice, sam; review assigned to priya (manoj's org); docketing to vera
    let m2 = t.matter_id("0002").await; // Rivera estate: team ben; drafting assigned to vera
    let m3 = t.matter_id("0003").await; // Harbor County: team alice; ben walled off; nothing assigned
    let review = work_id(&t, "First-level review").await;
    let binders = work_id(&t, "Prepare deposition binders").await;
    let drafting = work_id(&t, "Draft revocable trust").await;
    // Walls name a real user who is already denied m1 everywhere, so later cases are unaffected.
    let ben_id = t
        .app
        .store
        .user_for_sign_in("ben@demo.lawdesk")
        .await
        .unwrap()
        .unwrap()
        .user
        .id
        .to_string();
    let contact =
        t.app.store.list_contacts(Some("Initech"), None, store::Page::default()).await.unwrap().0
            [0]
        .id
        .to_string();

    //                                      anon admin alice ben sam vera manoj priya
    let cases = vec![
        Case { method: "GET", path: "/".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: "/matters".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: "/matters/new".into(), allowed: "-yyyy---" },
        Case { method: "GET", path: format!("/matters/{m1}"), allowed: "-yy-yyyy" },
        Case { method: "GET", path: format!("/matters/{m2}"), allowed: "-y-y-y--" },
        Case { method: "GET", path: format!("/matters/{m3}"), allowed: "-yy-----" },
        Case { method: "GET", path: "/work".into(), allowed: "-yyyyyyy" },
        Case { method: "GET", path: format!("/work/{review}"), allowed: "-yy-y-yy" },
        Case { method: "GET", path: format!("/work/{binders}"), allowed: "-yy-y---" },
        Case { method: "GET", path: format!("/work/{drafting}"), allowed: "-y-y-y--" },
        Case { method: "GET", path: "/contacts".into(), allowed: "-yyyy---" },
        Case { method: "GET", path: format!("/contacts/{contact}"), allowed: "-yyyy---" },
        Case { method: "GET", path: "/clients".into(), allowed: "-yyyy---" },
        Case { method: "GET", path: "/users".into(), allowed: "-y------" },
        Case { method: "GET", path: "/audit".into(), allowed: "-y------" },
        Case { method: "GET", path: "/account".into(), allowed: "-yyyyyyy" },
        Case { method: "POST", path: format!("/work/{review}/comments"), allowed: "-yy-y-yy" },
        Case { method: "POST", path: format!("/matters/{m1}/parties"), allowed: "-yy-y---" },
        Case { method: "POST", path: format!("/matters/{m3}/parties"), allowed: "-yy-----" },
        Case { method: "POST", path: format!("/matters/{m1}/walls"), allowed: "-yy-----" },
        Case { method: "POST", path: "/contacts".into(), allowed: "-yyyy---" },
        Case { method: "POST", path: "/users".into(), allowed: "-y------" },
        Case { method: "API", path: "/api/v1/me".into(), allowed: "-yyyyyyy" },
        Case { method: "API", path: "/api/v1/matters".into(), allowed: "-yyyyyyy" },
        Case { method: "API", path: format!("/api/v1/matters/{m1}"), allowed: "-yy-yyyy" },
        Case { method: "API", path: format!("/api/v1/matters/{m3}"), allowed: "-yy-----" },
        Case { method: "API", path: format!("/api/v1/work-items/{review}"), allowed: "-yy-y-yy" },
        Case { method: "API", path: "/api/v1/contacts".into(), allowed: "-yyyy---" },
        Case { method: "API", path: "/api/v1/clients".into(), allowed: "-yyyy---" },
        Case { method: "API", path: "/api/v1/users".into(), allowed: "-y------" },
        Case { method: "GET", path: format!("/contacts/{contact}/edit"), allowed: "-yyyy---" },
        Case { method: "POST", path: format!("/contacts/{contact}/edit"), allowed: "-yyyy---" },
        Case { method: "PUT", path: format!("/api/v1/contacts/{contact}"), allowed: "-yyyy---" },
    ];

    let fields = [
        ("body", "ok"),
        ("name", "Matrix Party Ltd"),
        ("kind", "organization"),
        ("role", "witness"),
        ("user", ben_id.as_str()),
        ("reason", "matrix"),
        ("email", "new-user@matrix.test"),
        ("display_name", "Matrix"),
    ];
    let failures = run_matrix(&t, &cases, &fields).await;
    assert!(failures.is_empty(), "authorization matrix mismatches:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn lists_show_external_users_only_their_assigned_work() {
    let t = TestApp::demo().await;
    let count = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["items"].as_array().unwrap().len()
    };
    let mut seen = Vec::new();
    for who in ["admin", "alice", "ben", "vera", "manoj", "priya"] {
        let user = t
            .app
            .store
            .user_for_sign_in(&format!("{who}@demo.lawdesk"))
            .await
            .unwrap()
            .unwrap()
            .user;
        let (_, token) =
            t.app.create_api_token(&app::auth::actor_of(&user), "lists").await.unwrap();
        let w = t.api("GET", "/api/v1/work-items?per_page=100", &token, None).await;
        let m = t.api("GET", "/api/v1/matters", &token, None).await;
        seen.push((who, count(&w.body), count(&m.body)));
    }
    // admin: all 6 items, 3 matters; alice: m1 + m3 items; ben: m2 only (walled from m3);
    // vera: her 2 assigned items on 2 matters; manoj: his org's 1 item; priya: her 1 item.
    assert_eq!(
        seen,
        vec![
            ("admin", 6, 3),
            ("alice", 4, 2),
            ("ben", 2, 1),
            ("vera", 2, 2),
            ("manoj", 1, 1),
            ("priya", 1, 1)
        ]
    );
}

/// Runs every case as every role and returns the mismatches. POSTs send `fields` (values that make
/// the post valid when allowed; denial must come before validation anyway).
pub(crate) async fn run_matrix(
    t: &TestApp,
    cases: &[Case],
    fields: &[(&str, &str)],
) -> Vec<String> {
    let mut sessions: Vec<Option<Session>> = vec![None];
    let mut tokens: Vec<Option<String>> = vec![None];
    for who in &ROLES[1..] {
        let email = format!("{who}@demo.lawdesk");
        sessions.push(Some(t.sign_in(&email).await));
        let user = t.app.store.user_for_sign_in(&email).await.unwrap().unwrap().user;
        let (_, token) =
            t.app.create_api_token(&app::auth::actor_of(&user), "matrix").await.unwrap();
        tokens.push(Some(token));
    }

    let mut failures = Vec::new();
    for case in cases {
        for (i, role) in ROLES.iter().enumerate() {
            let want = case.allowed.as_bytes()[i] == b'y';
            let res = match (case.method, &sessions[i], &tokens[i]) {
                ("GET", s, _) => t.get(&case.path, s.as_ref()).await,
                ("POST", Some(s), _) => t.post_form(&case.path, s, fields, true).await,
                ("POST", None, _) => {
                    t.send(
                        axum::http::Request::post(&case.path)
                            .body(axum::body::Body::empty())
                            .unwrap(),
                    )
                    .await
                }
                ("API", _, Some(tok)) => t.api("GET", &case.path, tok, None).await,
                ("PUT", _, Some(tok)) => {
                    let body: serde_json::Map<String, serde_json::Value> =
                        fields.iter().map(|(k, v)| (k.to_string(), (*v).into())).collect();
                    t.api("PUT", &case.path, tok, Some(body.into())).await
                }
                ("PUT", _, None) => {
                    t.send(
                        axum::http::Request::put(&case.path)
                            .header("content-type", "application/json")
                            .body(axum::body::Body::from("{}"))
                            .unwrap(),
                    )
                    .await
                }
                ("API", _, None) => {
                    t.send(
                        axum::http::Request::get(&case.path)
                            .body(axum::body::Body::empty())
                            .unwrap(),
                    )
                    .await
                }
                _ => unreachable!(),
            };
            let denied = matches!(res.status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED)
                || (res.status == StatusCode::SEE_OTHER
                    && res.headers.get("location").is_some_and(|l| l == "/login"));
            // An allowed POST naming a nonexistent user may fail validation (404/422), never with 403.
            let allowed = !denied && res.status != StatusCode::INTERNAL_SERVER_ERROR;
            if want != allowed {
                failures.push(format!(
                    "{} {} as {role}: expected {}, got {}",
                    case.method,
                    case.path,
                    if want { "allow" } else { "deny" },
                    res.status
                ));
            }
        }
    }
    failures
}
