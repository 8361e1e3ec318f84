//! Web tests for billing: its pages and API through the router, and its rows in the authorization matrix.

use crate::browser::Browser;
use crate::harness::{Session, TestApp};
use crate::matrix::{Case, run_matrix};
use axum::http::StatusCode;
use fantoccini::Locator;

async fn actor(t: &TestApp, who: &str) -> domain::Actor {
    app::auth::actor_of(
        &t.app.store.user_for_sign_in(&format!("{who}@demo.lawdesk")).await.unwrap().unwrap().user,
    )
}

async fn token(t: &TestApp, who: &str) -> String {
    t.app.create_api_token(&actor(t, who).await, "billing").await.unwrap().1
}

/// The demo's issued invoice on 2026-0001.
async fn demo_invoice(t: &TestApp) -> String {
    let admin = actor(t, "admin").await;
    let all = t.app.invoices(&admin, None).await.unwrap();
    all.iter().find(|i| i.number.is_some()).expect("the demo issues an invoice").id.to_string()
}

fn location(r: &crate::harness::Resp) -> String {
    r.headers.get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn billing_routes_times_every_role() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let m3 = t.matter_id("0003").await;
    let inv = demo_invoice(&t).await;
    let alice = actor(&t, "alice").await;
    let admin = actor(&t, "admin").await;
    let form = app::billing::ExpenseForm {
        matter_id: m1.clone(),
        code: "E101".into(),
        description: "Copies".into(),
        unit_cost: "0.25".into(),
        quantity: "40".into(),
        ..Default::default()
    };
    let expense = t
        .app
        .add_expense(&alice, &form, Some(("receipt.pdf", b"%PDF-1.4 receipt")))
        .await
        .unwrap()
        .id;
    let demo_payment =
        t.app.invoice_view(&admin, domain::Id::parse(&inv).unwrap()).await.unwrap().payments[0].id;
    let statement = t
        .app
        .import_bank_statement(
            &admin,
            "stmt.csv",
            b"date,description,amount\n2026-11-02,Deposit,100.00\n",
            "0",
        )
        .await
        .unwrap()
        .id;

    //                                                                        anon admin alice ben sam vera manoj priya
    let cases = vec![
        Case { method: "GET", path: "/billing".into(), allowed: "-yyyyy--" },
        Case { method: "GET", path: "/billing/invoices".into(), allowed: "-yyyyy--" },
        Case { method: "GET", path: format!("/billing/invoices/{inv}"), allowed: "-yy-yy--" },
        Case { method: "GET", path: format!("/billing/invoices/{inv}/pdf"), allowed: "-yy-yy--" },
        Case { method: "GET", path: format!("/billing/invoices/{inv}/ledes"), allowed: "-yy-yy--" },
        Case {
            method: "GET",
            path: format!("/billing/expenses/{expense}/receipt"),
            allowed: "-yy-yy--",
        },
        Case { method: "GET", path: "/billing/reports".into(), allowed: "-yyy----" },
        Case { method: "GET", path: "/billing/rates".into(), allowed: "-yyy----" },
        Case { method: "GET", path: "/billing/trust".into(), allowed: "-yyy----" },
        Case { method: "GET", path: "/billing/settings".into(), allowed: "-y------" },
        Case {
            method: "GET",
            path: format!("/billing/trust/statements/{statement}"),
            allowed: "-y------",
        },
        Case { method: "POST", path: "/billing/time".into(), allowed: "-yy-yy--" },
        Case { method: "POST", path: "/billing/timers".into(), allowed: "-yy-yy--" },
        Case { method: "POST", path: "/billing/expenses".into(), allowed: "-yyyyy--" },
        Case { method: "POST", path: "/billing/invoices".into(), allowed: "-yy-yy--" },
        Case {
            method: "POST",
            path: format!("/billing/invoices/{inv}/write-down"),
            allowed: "-yy-----",
        },
        Case {
            method: "POST",
            path: format!("/billing/invoices/{inv}/discount"),
            allowed: "-yy-----",
        },
        Case {
            method: "POST",
            path: format!("/billing/invoices/{inv}/approve"),
            allowed: "-yy-----",
        },
        Case {
            method: "POST",
            path: format!("/billing/invoices/{inv}/issue"),
            allowed: "-yy-----",
        },
        Case {
            method: "POST",
            path: format!("/billing/invoices/{inv}/payments"),
            allowed: "-yy-----",
        },
        Case { method: "POST", path: format!("/billing/invoices/{inv}/void"), allowed: "-yy-----" },
        Case {
            method: "POST",
            path: format!("/billing/invoices/{inv}/payments/{demo_payment}/reverse"),
            allowed: "-yy-----",
        },
        Case { method: "POST", path: "/billing/rates".into(), allowed: "-yy-----" },
        Case { method: "POST", path: "/billing/arrangements".into(), allowed: "-yy-----" },
        Case { method: "POST", path: "/billing/settings".into(), allowed: "-y------" },
        Case { method: "POST", path: "/billing/trust/deposit".into(), allowed: "-yy-----" },
        Case { method: "POST", path: "/billing/trust/disburse".into(), allowed: "-yy-----" },
        Case { method: "POST", path: "/billing/trust/statements".into(), allowed: "-y------" },
        Case { method: "API", path: "/api/v1/billing/time-entries".into(), allowed: "-yyyyy--" },
        Case { method: "API", path: "/api/v1/billing/timers".into(), allowed: "-yyyyy--" },
        Case { method: "API", path: "/api/v1/billing/expenses".into(), allowed: "-yyyyy--" },
        Case { method: "API", path: "/api/v1/billing/invoices".into(), allowed: "-yyyyy--" },
        Case {
            method: "API",
            path: format!("/api/v1/billing/invoices/{inv}"),
            allowed: "-yy-yy--",
        },
        Case {
            method: "API",
            path: format!("/api/v1/billing/invoices/{inv}/pdf"),
            allowed: "-yy-yy--",
        },
        Case {
            method: "API",
            path: format!("/api/v1/billing/invoices/{inv}/ledes"),
            allowed: "-yy-yy--",
        },
        Case {
            method: "API",
            path: format!("/api/v1/billing/matters/{m1}/arrangement"),
            allowed: "-yy-yy--",
        },
        Case { method: "API", path: "/api/v1/billing/reports".into(), allowed: "-yyy----" },
        Case { method: "API", path: "/api/v1/billing/trust".into(), allowed: "-yyy----" },
        Case {
            method: "API",
            path: format!("/api/v1/billing/trust/statements/{statement}/reconciliation"),
            allowed: "-y------",
        },
    ];
    let fields = [
        ("matter_id", m1.as_str()),
        ("hours", "0.5"),
        ("narrative", "Matrix"),
        ("billable", "on"),
        ("period", "2026-11"),
        ("position", "1"),
        ("amount", "1.00"),
        ("percent", ""),
        ("reason", "matrix"),
        ("method", "check"),
        ("memo", "matrix"),
        ("payee", "Matrix Payee"),
        ("rate", "100"),
        ("kind", "hourly"),
        ("user_id", &alice.user_id.to_string()),
    ];
    let mut failures = run_matrix(&t, &cases, &fields).await;
    // Walls beat roles: ben is an attorney but walled off 2026-0003; vera has no work there.
    let walled = vec![
        Case { method: "POST", path: "/billing/timers".into(), allowed: "-yy-----" },
        Case { method: "POST", path: "/billing/trust/deposit".into(), allowed: "-yy-----" },
    ];
    let m3_fields = [("matter_id", m3.as_str()), ("amount", "5.00"), ("memo", "wall")];
    failures.extend(run_matrix(&t, &walled, &m3_fields).await);
    // The API's writes follow the same rules (the POST-with-token path of the matrix is GET-only).
    for (who, want) in [
        ("vera", StatusCode::CREATED),
        ("ben", StatusCode::FORBIDDEN),
        ("priya", StatusCode::FORBIDDEN),
    ] {
        let tok = token(&t, who).await;
        let r = t
            .api("POST", "/api/v1/billing/timers", &tok, Some(serde_json::json!({"matter_id": m1})))
            .await;
        if r.status != want {
            failures.push(format!(
                "API POST /api/v1/billing/timers as {who}: expected {want}, got {}",
                r.status
            ));
        }
    }
    assert!(failures.is_empty(), "billing authorization mismatches:\n{}", failures.join("\n"));
}

#[tokio::test]
async fn prebill_review_approve_issue_pay_and_export_through_the_pages() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let s: Session = t.sign_in("alice@demo.lawdesk").await;
    let today = chrono::Utc::now().date_naive();
    // Only today, so the demo's earlier time this month stays out of this pre-bill.
    let period = format!("{today}..{today}");

    let r = t
        .post_form(
            "/billing/time",
            &s,
            &[
                ("matter_id", &m1),
                ("work_date", &today.to_string()),
                ("hours", "1.23"),
                ("task_code", "l120"),
                ("activity_code", "A104"),
                ("narrative", "Analyze <Initech> & reply"),
                ("billable", "on"),
            ],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = t.get("/billing", Some(&s)).await;
    let listed = home.body.find("Analyze").map(|i| &home.body[i..i + 40]).unwrap_or_default();
    assert!(
        !listed.is_empty() && !listed.contains("<Initech>"),
        "escaped narrative listed: {listed}"
    );
    assert!(home.body.contains(">1.3<"), "1.23 hours rounded up to 1.3");

    let r = t
        .post_form("/billing/invoices", &s, &[("matter_id", &m1), ("period", &period)], true)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = location(&r);
    let page = t.get(&url, Some(&s)).await;
    assert!(page.body.contains("Pre-bill") && page.body.contains("draft"), "{}", page.body);
    // alice's Acme rate is the client override: 1.3 × 375 = 487.50.
    assert!(page.body.contains("487.50"), "client rate applied");

    // A write-down needs a reason, shown inline.
    let r = t
        .post_form(
            &format!("{url}/write-down"),
            &s,
            &[("position", "1"), ("amount", "10"), ("reason", " ")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"form-error\""), "{}", r.body);
    let r = t
        .post_form(
            &format!("{url}/write-down"),
            &s,
            &[("position", "1"), ("amount", "37.50"), ("reason", "First-look courtesy")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&url, Some(&s)).await;
    assert!(
        page.body.contains("First-look courtesy") && page.body.contains("450.00"),
        "{}",
        page.body
    );

    // Staff may prepare pre-bills but not approve them.
    let sam = t.sign_in("sam@demo.lawdesk").await;
    assert_eq!(
        t.post_form(&format!("{url}/approve"), &sam, &[], true).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.post_form(&format!("{url}/approve"), &s, &[], true).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        t.post_form(&format!("{url}/issue"), &s, &[], true).await.status,
        StatusCode::SEE_OTHER
    );
    let page = t.get(&url, Some(&s)).await;
    let year = today.format("%Y").to_string();
    assert!(page.body.contains(&format!("Invoice INV{year}")), "numbered on issue");

    let pdf = t.get(&format!("{url}/pdf"), Some(&s)).await;
    assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    for format in ["1998b", "98bi"] {
        let ledes = t.get(&format!("{url}/ledes?format={format}"), Some(&s)).await;
        assert_eq!(ledes.status, StatusCode::OK, "{}", ledes.body);
        let summary = billing::ledes::validate(&ledes.body).expect("the export validates");
        assert_eq!(summary.invoices[0].invoice_total.to_string(), "450.00");
    }

    // Partial payment, then the rest from trust once there is money in it.
    let pay = |amount: &'static str, method: &'static str| {
        vec![("amount", amount), ("method", method), ("paid_on", "")]
    };
    let r = t.post_form(&format!("{url}/payments"), &s, &pay("200.00", "check"), true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t.post_form(&format!("{url}/payments"), &s, &pay("250.00", "trust"), true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("negative"), "{}", r.body);
    let r = t
        .post_form(
            "/billing/trust/deposit",
            &s,
            &[("matter_id", &m1), ("amount", "1000"), ("memo", "Advance fee deposit")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t.post_form(&format!("{url}/payments"), &s, &pay("250.00", "trust"), true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get(&url, Some(&s)).await;
    assert!(page.body.contains("id=\"invoice-status\">paid<"), "{}", page.body);
    // Void only after the payments are reversed; a reversal is recorded, never a delete.
    let r = t.post_form(&format!("{url}/void"), &s, &[("reason", "wrong matter")], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "paid invoices are not voided");
    let view = t
        .app
        .invoice_view(
            &actor(&t, "alice").await,
            domain::Id::parse(url.rsplit('/').next().unwrap()).unwrap(),
        )
        .await
        .unwrap();
    let check = view.payments.iter().find(|p| p.method == "check").unwrap().id;
    let trust_payment = view.payments.iter().find(|p| p.method == "trust").unwrap().id;
    let reverse = |pid: domain::Id| format!("{url}/payments/{pid}/reverse");
    let r = t.post_form(&reverse(trust_payment), &s, &[("reason", "x")], true).await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("trust page"),
        "{}",
        r.body
    );
    let r = t.post_form(&reverse(check), &s, &[("reason", "check bounced")], true).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t.post_form(&reverse(check), &s, &[("reason", "again")], true).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "reversed once");
    let page = t.get(&url, Some(&s)).await;
    assert!(
        page.body.contains("id=\"invoice-status\">partially_paid<")
            && page.body.contains("-200.00"),
        "{}",
        page.body
    );
    let trust = t.get("/billing/trust", Some(&s)).await;
    assert!(trust.body.contains("750.00"), "1000 deposited, 250 transferred");
}

#[tokio::test]
async fn forms_show_validation_messages_inline() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let s = t.sign_in("sam@demo.lawdesk").await;
    for (fields, message) in [
        (
            vec![
                ("matter_id", m1.as_str()),
                ("hours", "abc"),
                ("narrative", "x"),
                ("billable", "on"),
            ],
            "enter a number",
        ),
        (
            vec![("matter_id", m1.as_str()), ("hours", "1"), ("narrative", "x")],
            "say why this time is not billable",
        ),
        (
            vec![
                ("matter_id", m1.as_str()),
                ("hours", "1"),
                ("narrative", "x"),
                ("billable", "on"),
                ("task_code", "L999"),
            ],
            "not a UTBMS code",
        ),
    ] {
        let r = t.post_form("/billing/time", &s, &fields, true).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
    }
    let r = t
        .post_form("/billing/invoices", &s, &[("matter_id", &m1), ("period", "2026-13")], true)
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("use a month like"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn api_timers_run_several_at_once_and_stop_into_rounded_entries() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let m2 = t.matter_id("0002").await;
    let vera = token(&t, "vera").await;
    for m in [&m1, &m2] {
        let r = t
            .api("POST", "/api/v1/billing/timers", &vera, Some(serde_json::json!({"matter_id": m, "narrative": "Docket review", "task_code": "L140"})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let running: serde_json::Value =
        serde_json::from_str(&t.api("GET", "/api/v1/billing/timers", &vera, None).await.body)
            .unwrap();
    assert_eq!(running.as_array().unwrap().len(), 2, "two timers at once");
    let first = running[0]["id"].as_str().unwrap().to_string();
    let r = t.api("POST", &format!("/api/v1/billing/timers/{first}/stop"), &vera, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let entry: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    // A timer stopped at once still bills the minimum increment when rounding up.
    assert_eq!(entry["hours"], "0.1");
    assert_eq!(entry["task_code"], "L140");
    let r = t.api("POST", &format!("/api/v1/billing/timers/{first}/stop"), &vera, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a timer stops once");
    // vera sees only her own time; the reports are not hers to see.
    let mine: serde_json::Value =
        serde_json::from_str(&t.api("GET", "/api/v1/billing/time-entries", &vera, None).await.body)
            .unwrap();
    let vera_id = actor(&t, "vera").await.user_id.to_string();
    assert!(mine.as_array().unwrap().iter().all(|e| e["user_id"] == vera_id.as_str()));
    assert_eq!(
        t.api("GET", "/api/v1/billing/reports", &vera, None).await.status,
        StatusCode::FORBIDDEN
    );
    let doc = t.api("GET", "/api/v1/openapi.json", &vera, None).await.body;
    assert!(doc.contains("/api/v1/billing/invoices/{id}/ledes"), "documented in OpenAPI");
}

#[tokio::test]
async fn demo_billing_reports_and_three_way_reconciliation() {
    let t = TestApp::demo().await;
    let admin = token(&t, "admin").await;
    let reports: serde_json::Value =
        serde_json::from_str(&t.api("GET", "/api/v1/billing/reports", &admin, None).await.body)
            .unwrap();
    let billed: rust_decimal::Decimal = reports["billed"].as_str().unwrap().parse().unwrap();
    let collected: rust_decimal::Decimal = reports["collected"].as_str().unwrap().parse().unwrap();
    assert!(
        billed > rust_decimal::Decimal::ZERO
            && collected * rust_decimal::Decimal::from(2) - billed < rust_decimal::Decimal::ONE,
        "half paid: {reports}"
    );
    assert_ne!(reports["wip_time"], "0", "this month's time is WIP");
    let inv = demo_invoice(&t).await;
    let ledes = t
        .api("GET", &format!("/api/v1/billing/invoices/{inv}/ledes?format=98bi"), &admin, None)
        .await;
    assert!(billing::ledes::validate(&ledes.body).is_ok(), "{}", ledes.body);

    // The bank shows the Rivera deposit (same reference) and a bank fee the journal lacks.
    let admin_actor = actor(&t, "admin").await;
    let overview = t.app.trust_overview(&admin_actor).await.unwrap();
    let deposit = &overview.entries[0];
    let csv = format!(
        "date,description,amount,reference\n{},Deposit,15000.00,CHK-1042\n",
        deposit.entry_date
    );
    let stmt =
        t.app.import_bank_statement(&admin_actor, "nov.csv", csv.as_bytes(), "0").await.unwrap();
    let r: serde_json::Value = serde_json::from_str(
        &t.api(
            "GET",
            &format!("/api/v1/billing/trust/statements/{}/reconciliation", stmt.id),
            &admin,
            None,
        )
        .await
        .body,
    )
    .unwrap();
    assert_eq!(r["reconciled"], true, "{r}");
    let with_fee = format!("{csv}{},Service fee,-15.00,\n", deposit.entry_date);
    let stmt = t
        .app
        .import_bank_statement(&admin_actor, "nov2.csv", with_fee.as_bytes(), "0")
        .await
        .unwrap();
    let s = t.sign_in("admin@demo.lawdesk").await;
    let page = t.get(&format!("/billing/trust/statements/{}", stmt.id), Some(&s)).await;
    assert!(
        page.body.contains("not reconciled") && page.body.contains("Service fee"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_flat_fee_matter_bills_the_fee_not_the_hours() {
    let t = TestApp::demo().await;
    let m2 = t.matter_id("0002").await;
    let ben = token(&t, "ben").await;
    let r = t
        .api(
            "POST",
            &format!("/api/v1/billing/matters/{m2}/arrangement"),
            &ben,
            Some(serde_json::json!({"kind": "flat_fee", "amount": "abc"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = t
        .api(
            "POST",
            &format!("/api/v1/billing/matters/{m2}/arrangement"),
            &ben,
            Some(serde_json::json!({"kind": "flat_fee", "amount": "4500"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let today = chrono::Utc::now().date_naive();
    let period = format!("{}..{today}", today - chrono::Duration::days(40));
    let r = t
        .api(
            "POST",
            "/api/v1/billing/invoices",
            &ben,
            Some(serde_json::json!({"matter_id": m2, "period": period})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inv: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(inv["total"], "4500", "vera's hours are covered by the flat fee");
    let id = inv["id"].as_str().unwrap();
    let view: serde_json::Value = serde_json::from_str(
        &t.api("GET", &format!("/api/v1/billing/invoices/{id}"), &ben, None).await.body,
    )
    .unwrap();
    let lines = view["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{view}");
    assert_eq!(lines[0]["description"], "Flat fee per engagement letter");
}

#[tokio::test]
async fn receipts_pass_through_settings_and_trust_reversal() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let s = t.sign_in("admin@demo.lawdesk").await;

    // A receipt travels as multipart with the token in the query string and comes back as a download.
    let boundary = "XbillingX";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"matter_id\"\r\n\r\n{m1}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nE110\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nTrain to Newark\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"unit_cost\"\r\n\r\n88.40\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"receipt\"; filename=\"../ticket.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 ticket\r\n\
         --{boundary}--\r\n"
    );
    let req = axum::http::Request::post(format!("/billing/expenses?_csrf={}", s.csrf))
        .header("cookie", format!("lawdesk_session={}", s.cookie))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = t.send(req).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let home = t.get("/billing", Some(&s)).await;
    let at =
        home.body.find("/receipt\">ticket.pdf</a>").expect("receipt linked under its own name");
    let href_start = home.body[..at].rfind("href=\"").unwrap() + 6;
    let receipt = t.get(&format!("{}/receipt", &home.body[href_start..at]), Some(&s)).await;
    assert_eq!(receipt.headers.get("content-type").unwrap(), "application/pdf");
    assert!(
        receipt
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(receipt.body, "%PDF-1.4 ticket");

    // Pass-through of provider work: cost plus markup, billed as E123.
    let admin = actor(&t, "admin").await;
    let e = t
        .app
        .add_pass_through(
            &admin,
            domain::Id::parse(&m1).unwrap(),
            "Meridian first-level review",
            rust_decimal::Decimal::from(1000),
            "0.85".parse().unwrap(),
            Some("0.10".parse().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!((e.code.as_str(), e.amount().to_string().as_str()), ("E123", "935.00"));
    let priya = actor(&t, "priya").await;
    assert!(
        t.app
            .add_pass_through(
                &priya,
                e.matter_id,
                "x",
                rust_decimal::Decimal::ONE,
                rust_decimal::Decimal::ONE,
                None
            )
            .await
            .is_err()
    );

    // The letterhead comes from the settings; bad numbers are reported inline.
    let fields = |tax: &'static str| {
        vec![
            ("firm_name", "Harbor & Vale LLP"),
            ("line1", "1 Main St"),
            ("city", "Albany"),
            ("region", "NY"),
            ("postcode", "12207"),
            ("country", "usa"),
            ("currency", "USD"),
            ("tax_rate", tax),
            ("rounding_increment", "0.1"),
            ("payment_terms_days", "30"),
        ]
    };
    let r = t.post_form("/billing/settings", &s, &fields("lots"), true).await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.body.contains("enter a number"),
        "{}",
        r.body
    );
    assert_eq!(
        t.post_form("/billing/settings", &s, &fields("0"), true).await.status,
        StatusCode::SEE_OTHER
    );
    let inv = demo_invoice(&t).await;
    let pdf = t.get(&format!("/billing/invoices/{inv}/pdf"), Some(&s)).await;
    assert!(pdf.body.contains("(Harbor & Vale LLP) Tj"), "the new letterhead is on the PDF");

    // A trust deposit reversed from the page: the entry stays, the ledger returns to zero.
    let r = t
        .post_form(
            "/billing/trust/deposit",
            &s,
            &[("matter_id", &m1), ("amount", "300"), ("memo", "Wrong client")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let overview = t.app.trust_overview(&admin).await.unwrap();
    let wrong = overview.entries.iter().find(|e| e.memo == "Wrong client").unwrap().id;
    let r = t
        .post_form(
            &format!("/billing/trust/entries/{wrong}/reverse"),
            &s,
            &[("reason", "posted to the wrong client")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = t
        .post_form(
            &format!("/billing/trust/entries/{wrong}/reverse"),
            &s,
            &[("reason", "again")],
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "reversed once");
    let overview = t.app.trust_overview(&admin).await.unwrap();
    assert_eq!(overview.entries.len(), 3, "deposit for Rivera, the mistake and its reversal");
    let acme = overview.balances.iter().find(|b| b.client_name.contains("Acme")).unwrap();
    assert_eq!(acme.balance, rust_decimal::Decimal::ZERO);
}

/// A real browser: start and stop a timer (htmx), add a manual entry, create a pre-bill,
/// approve, issue, download the PDF and export LEDES.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_timer_time_prebill_issue_pdf_and_ledes() {
    let Some(b) = Browser::start().await else { return };
    b.sign_in("alice").await;
    let c = &b.c;
    b.goto("/billing").await;
    c.find(Locator::Css("#timer_matter option:nth-child(2)")).await.unwrap();
    let matter_label = c
        .find(Locator::Css("#timer_matter option:nth-child(2)"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(matter_label.contains("0001"), "{matter_label}");
    c.find(Locator::Id("timer_matter"))
        .await
        .unwrap()
        .select_by_label(&matter_label)
        .await
        .unwrap();
    c.find(Locator::Id("timer_narrative"))
        .await
        .unwrap()
        .send_keys("Draft discovery plan")
        .await
        .unwrap();
    c.find(Locator::Id("start-timer")).await.unwrap().click().await.unwrap();
    let stop = c
        .wait()
        .for_element(Locator::Css("#timers form.timer button"))
        .await
        .unwrap_or_else(|_| panic!("no running timer shown"));
    stop.click().await.unwrap();
    c.wait().for_element(Locator::Id("no-timers")).await.expect("the timer stopped");
    c.wait()
        .for_element(Locator::XPath(
            "//table[@id='time-entries']//td[contains(., 'Draft discovery plan')]",
        ))
        .await
        .expect("the stopped timer's entry is listed");

    c.find(Locator::Id("time_matter")).await.unwrap().select_by_label(&matter_label).await.unwrap();
    c.find(Locator::Id("hours")).await.unwrap().send_keys("2.25").await.unwrap();
    c.find(Locator::Id("task_code")).await.unwrap().send_keys("L310").await.unwrap();
    c.find(Locator::Id("activity_code")).await.unwrap().send_keys("A103").await.unwrap();
    c.find(Locator::Id("narrative"))
        .await
        .unwrap()
        .send_keys("Draft interrogatories")
        .await
        .unwrap();
    c.find(Locator::Id("add-time")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath(
            "//table[@id='time-entries']//td[contains(., 'Draft interrogatories')]",
        ))
        .await
        .expect("manual entry listed");

    b.goto("/billing/invoices").await;
    c.find(Locator::Id("prebill_matter"))
        .await
        .unwrap()
        .select_by_label(&matter_label)
        .await
        .unwrap();
    c.find(Locator::Id("create-prebill")).await.unwrap().click().await.unwrap();
    c.wait()
        .for_element(Locator::Id("approve"))
        .await
        .expect("pre-bill page")
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("issue")).await.expect("approved").click().await.unwrap();
    c.wait().for_element(Locator::Id("ledes-1998b")).await.expect("issued");
    let status = c.find(Locator::Id("invoice-status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "issued");
    let url = c.current_url().await.unwrap();
    let invoice_id = url.path().rsplit('/').next().unwrap().to_string();

    // Download with the browser's own session cookie and check what comes back.
    let cookie = c.get_named_cookie("lawdesk_session").await.unwrap();
    let http = |path: String| {
        let cookie = cookie.value().to_string();
        let base = b.base.clone();
        async move {
            let req = format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: lawdesk_session={cookie}\r\nConnection: close\r\n\r\n",
                base.trim_start_matches("http://")
            );
            let mut stream =
                tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.unwrap();
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            stream.write_all(req.as_bytes()).await.unwrap();
            let mut out = Vec::new();
            stream.read_to_end(&mut out).await.unwrap();
            String::from_utf8_lossy(&out).into_owned()
        }
    };
    let pdf = http(format!("/billing/invoices/{invoice_id}/pdf")).await;
    assert!(
        pdf.to_ascii_lowercase().contains("content-type: application/pdf"),
        "{}",
        &pdf[..pdf.len().min(400)]
    );
    assert!(pdf.contains("%PDF-"));
    let ledes = http(format!("/billing/invoices/{invoice_id}/ledes?format=1998b")).await;
    let body = ledes.split("\r\n\r\n").nth(1).unwrap_or_default();
    assert!(body.starts_with("LEDES1998B[]"), "{ledes}");
    billing::ledes::validate(body).expect("the browser's LEDES export validates");
}

#[tokio::test]
async fn provider_work_recorded_by_delegation_is_billed_through_once_with_markup() {
    let t = TestApp::demo().await;
    let m1 = t.matter_id("0001").await;
    let alice = token(&t, "alice").await;
    let today = chrono::Utc::now().date_naive();
    let period = serde_json::json!({
        "from": (today - chrono::Days::new(31)).to_string(),
        "to": (today + chrono::Days::new(1)).to_string(),
        "markup": "0.10"
    });
    let path = format!("/api/v1/billing/matters/{m1}/provider-work");
    // The demo's LPO reviewer completed one batch of the 50,000-document review for Meridian.
    let r = t.api("POST", &path, &alice, Some(period.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let added: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let added = added.as_array().unwrap();
    assert_eq!(added.len(), 1, "{}", r.body);
    assert_eq!(added[0]["code"], "E123");
    assert!(added[0]["description"].as_str().unwrap().contains("Meridian"), "{}", r.body);
    let dec = |k: &str| added[0][k].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
    let cost = dec("quantity") * dec("unit_cost");
    assert!(cost > rust_decimal::Decimal::ZERO, "{}", r.body);
    let expected = cost * rust_decimal::Decimal::new(10, 2);
    assert!((dec("markup") - expected).abs() <= rust_decimal::Decimal::new(1, 2), "{}", r.body);

    // The same period again bills nothing twice.
    let r = t.api("POST", &path, &alice, Some(period.clone())).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body.trim(), "[]");

    // Billing is the firm's: the provider's own people and the assistant are refused.
    for who in ["manoj", "vera"] {
        let tok = token(&t, who).await;
        let r = t.api("POST", &path, &tok, Some(period.clone())).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
    }
}
