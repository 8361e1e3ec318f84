//! Platform pages beyond the first cut: contact editing (page and API) and the README
//! screenshot tool.

use crate::browser::Browser;
use crate::harness::TestApp;
use axum::http::StatusCode;
use std::io::Write;

async fn contact_id(t: &TestApp, name: &str) -> String {
    t.app.store.list_contacts(Some(name), None, store::Page::default()).await.unwrap().0[0]
        .id
        .to_string()
}

async fn audit_actions(t: &TestApp, entity_id: &str) -> Vec<String> {
    t.app
        .store
        .audit_entries(None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity_id == entity_id)
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn contact_edit_page_validates_inline_warns_on_duplicates_and_audits() {
    let t = TestApp::demo().await;
    let s = t.sign_in("alice@demo.lawdesk").await;
    let initech = contact_id(&t, "Initech").await;

    let page = t.get(&format!("/contacts/{initech}/edit"), Some(&s)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"contact-edit\"") && page.body.contains("Initech"));
    let shown = t.get(&format!("/contacts/{initech}"), Some(&s)).await;
    assert!(shown.body.contains(&format!("href=\"/contacts/{initech}/edit\"")), "edit link");

    // A bad email comes back as the same form: the typed values kept, the message at the field.
    let bad = t
        .post_form(
            &format!("/contacts/{initech}/edit"),
            &s,
            &[
                ("kind", "organization"),
                ("name", "Initech Corporation <b>"),
                ("emails", "legal@initech.test\nnot-an-email"),
            ],
            true,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("id=\"emails-error\""), "{}", bad.body);
    assert!(bad.body.contains("&#34;not-an-email&#34; is not an email address"), "{}", bad.body);
    assert!(bad.body.contains("Initech Corporation &#60;b&#62;"), "input kept and escaped");
    let empty = t
        .post_form(
            &format!("/contacts/{initech}/edit"),
            &s,
            &[("kind", "organization"), ("name", " ")],
            true,
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("id=\"name-error\""), "{}", empty.body);
    assert!(
        !audit_actions(&t, &initech).await.contains(&"contact.update".to_string()),
        "refused edits change nothing"
    );

    let ok = t
        .post_form(
            &format!("/contacts/{initech}/edit"),
            &s,
            &[
                ("kind", "organization"),
                ("name", "Initech Corporation"),
                ("aliases", "Initech\nINTC"),
                ("emails", "legal@initech.test"),
                ("notes", "Renamed after the 2026 merger."),
            ],
            true,
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let stored = t.app.store.contact(domain::Id::parse(&initech).unwrap()).await.unwrap();
    assert_eq!(stored.name, "Initech Corporation");
    assert_eq!(stored.aliases, vec!["INTC", "Initech"], "aliases come back sorted");
    assert_eq!(stored.emails, vec!["legal@initech.test"]);
    assert!(audit_actions(&t, &initech).await.contains(&"contact.update".to_string()));
    // The new alias finds it: names are re-indexed on update.
    assert_eq!(contact_id(&t, "INTC").await, initech);

    // Renaming another contact to a name that exists raises the duplicate warning.
    let (other, _) = t
        .app
        .create_contact(
            &app::auth::actor_of(
                &t.app.store.user_for_sign_in("alice@demo.lawdesk").await.unwrap().unwrap().user,
            ),
            &app::ContactForm {
                kind: "organization".into(),
                name: "Globex Holdings".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let dupe = t
        .post_form(
            &format!("/contacts/{}/edit", other.id),
            &s,
            &[("kind", "organization"), ("name", "Initech Corporation")],
            true,
        )
        .await;
    assert_eq!(dupe.status, StatusCode::SEE_OTHER);
    let to = dupe.headers.get("location").unwrap().to_str().unwrap().to_string();
    assert!(to.ends_with("?dupes=1"), "{to}");
    let warned = t.get(&to, Some(&s)).await;
    assert!(warned.body.contains("This contact may duplicate"), "{}", warned.body);
    assert!(warned.body.contains(&format!("/contacts/{initech}")));
    // The edit page of a contact does not warn that it duplicates itself.
    let own = t.get(&format!("/contacts/{initech}/edit"), Some(&s)).await;
    assert!(
        own.body.contains(&format!("/contacts/{}", other.id))
            && !own
                .body
                .contains(&format!("<a href=\"/contacts/{initech}\">Initech Corporation</a>:"))
    );
    // The live check (htmx sends only some fields) leaves out the contact being edited.
    let live = t
        .get(&format!("/contacts/duplicates?name=Initech+Corporation&except={initech}"), Some(&s))
        .await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    assert!(
        live.body.contains("Possible duplicates")
            && !live.body.contains(&format!("/contacts/{initech}\"")),
        "{}",
        live.body
    );
}

#[tokio::test]
async fn contact_put_api_updates_validates_and_is_denied_to_external_users() {
    let t = TestApp::demo().await;
    let initech = contact_id(&t, "Initech").await;
    let token = |who: &'static str| {
        let t = &t;
        async move {
            let user = t
                .app
                .store
                .user_for_sign_in(&format!("{who}@demo.lawdesk"))
                .await
                .unwrap()
                .unwrap()
                .user;
            t.app.create_api_token(&app::auth::actor_of(&user), "test").await.unwrap().1
        }
    };
    let alice = token("alice").await;
    let path = format!("/api/v1/contacts/{initech}");
    let body = serde_json::json!({
        "kind": "organization", "name": "Initech Corp.", "aliases": ["Initech"],
        "emails": ["legal@initech.test"], "phones": ["+1 555 0100"]
    });
    let res = t.api("PUT", &path, &alice, Some(body.clone())).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["name"], "Initech Corp.");
    assert_eq!(v["phones"][0], "+1 555 0100");
    assert_eq!(res.headers.get("x-possible-duplicates").unwrap(), "0");
    let got = t.api("GET", &path, &alice, None).await;
    assert!(got.body.contains("Initech Corp."));
    assert!(audit_actions(&t, &initech).await.contains(&"contact.update".to_string()));

    let bad = t
        .api("PUT", &path, &alice, Some(serde_json::json!({"kind": "organization", "name": ""})))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(
        (e["error"]["code"].as_str(), e["error"]["field"].as_str()),
        (Some("invalid"), Some("name"))
    );

    let vera = token("vera").await;
    let denied = t.api("PUT", &path, &vera, Some(body.clone())).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let missing = t
        .api(
            "PUT",
            &format!("/api/v1/contacts/{}", domain::Id::new_at(chrono::Utc::now())),
            &alice,
            Some(body),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let doc = t.get("/api/v1/openapi.json", None).await;
    let v: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    assert!(v["paths"]["/api/v1/contacts/{id}"]["put"].is_object(), "PUT is documented");
}

/// One screenshot: who is signed in, which page, and the file it is saved as.
struct Shot {
    user: &'static str,
    /// A path, or a `{name}` the test resolves first (see `resolve`).
    path: &'static str,
    file: &'static str,
}

/// The README's screenshots. Add a line to take another.
const SHOTS: &[Shot] = &[
    Shot { user: "alice", path: "/", file: "dashboard.png" },
    Shot { user: "alice", path: "/matters", file: "matters.png" },
    Shot { user: "alice", path: "{matter}", file: "matter.png" },
    Shot { user: "alice", path: "/work", file: "work-list.png" },
    Shot { user: "alice", path: "{work_item}", file: "work-item.png" },
    Shot { user: "alice", path: "/contacts", file: "contacts.png" },
    Shot { user: "alice", path: "{contact_edit}", file: "contact-edit.png" },
    Shot { user: "alice", path: "{docket}", file: "docket.png" },
    Shot { user: "alice", path: "/calendar", file: "calendar.png" },
    Shot { user: "alice", path: "/delegation", file: "delegation-dashboard.png" },
    Shot { user: "alice", path: "/delegation/advisor", file: "advisor.png" },
    Shot { user: "alice", path: "/billing", file: "billing.png" },
    Shot { user: "alice", path: "/intake", file: "intake-board.png" },
    Shot { user: "alice", path: "{search}", file: "search.png" },
    Shot { user: "manoj", path: "/delegation", file: "lpo-manager.png" },
    Shot { user: "admin", path: "/audit", file: "audit-log.png" },
];

/// Turns a `{name}` placeholder into a demo record's page.
async fn resolve(app: &app::App, path: &str) -> String {
    let admin = app::auth::actor_of(
        &app.store.user_for_sign_in("admin@demo.lawdesk").await.unwrap().unwrap().user,
    );
    match path {
        "{docket}" | "{search}" => {
            let matter = Box::pin(resolve(app, "{matter}")).await;
            if path == "{docket}" {
                format!("{matter}/docket")
            } else {
                format!("{matter}/search?q=price%20w%2F5%20fix*")
            }
        }
        "{matter}" => {
            let (rows, _) = app
                .list_matters(&admin, &Default::default(), store::Page::new(1, 10))
                .await
                .unwrap();
            let m = rows.iter().find(|r| r.matter.number.ends_with("-0001")).unwrap();
            format!("/matters/{}", m.matter.id)
        }
        "{work_item}" => {
            let (rows, _) = app
                .list_work_items(&admin, &Default::default(), store::Page::new(1, 50))
                .await
                .unwrap();
            let w = rows.iter().find(|r| r.item.title.starts_with("First-level review")).unwrap();
            format!("/work/{}", w.item.id)
        }
        "{contact_edit}" => {
            let c = app
                .store
                .list_contacts(Some("Initech"), None, store::Page::default())
                .await
                .unwrap()
                .0;
            format!("/contacts/{}/edit", c[0].id)
        }
        p => p.to_string(),
    }
}

/// Saves the README screenshots to `$LAWDESK_SCREENSHOTS` from a real Chromium on the demo firm.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_for_the_readme() {
    let Some(dir) = std::env::var_os("LAWDESK_SCREENSHOTS") else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED (screenshots): set LAWDESK_SCREENSHOTS=<dir> to save the README screenshots"
        );
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let Some(b) = Browser::start().await else { return };
    let mut signed_in = "";
    for shot in SHOTS {
        if shot.user != signed_in {
            b.sign_in(shot.user).await;
            signed_in = shot.user;
        }
        let path = resolve(&b.app, shot.path).await;
        b.goto(&path).await;
        let png = b.c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{}: not a PNG", shot.file);
        std::fs::write(dir.join(shot.file), png).unwrap();
    }
}
