//! `lawdesk billing` commands for billing, end to end through the binary (`crate::lawdesk`).

use crate::lawdesk;

#[test]
fn billing_invoice_prints_a_prebill_and_ledes_exports_a_valid_issued_invoice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (ok, out) = lawdesk(&data, &["demo"]);
    assert!(ok, "{out}");
    let now = chrono::Utc::now().date_naive();
    let year = now.format("%Y").to_string();
    // Nothing on the Rivera estate has been invoiced: vera's last 30 days become a pre-bill.
    let matter = format!("{year}-0002");
    let month = format!("{}..{now}", now - chrono::Duration::days(30));

    let (ok, out) =
        lawdesk(&data, &["billing", "invoice", "--matter", &matter, "--period", &month]);
    assert!(ok, "{out}");
    assert!(out.contains("Pre-bill") && out.contains("Rivera"), "{out}");
    assert!(out.contains("Vera Lindqvist") && out.contains("L140/A103"), "{out}");
    // 1.6 h + 2.2 h at vera's 85.00.
    assert!(out.contains("total USD 323.00"), "{out}");
    // The same entries cannot be billed twice.
    let (ok, out) =
        lawdesk(&data, &["billing", "invoice", "--matter", &matter, "--period", &month]);
    assert!(!ok && out.contains("no unbilled billable time"), "{out}");
    let (ok, out) =
        lawdesk(&data, &["billing", "invoice", "--matter", "1999-0001", "--period", &month]);
    assert!(!ok && out.contains("no matter numbered 1999-0001"), "{out}");

    // The demo issued last month's invoice as the year's first number.
    let number = format!("INV{year}00001");
    let file = dir.path().join("inv.txt");
    let (ok, out) = lawdesk(
        &data,
        &["billing", "ledes", "--invoice", &number, "--out", file.to_str().unwrap()],
    );
    assert!(ok, "{out}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("LEDES1998B[]"), "{text}");
    let (ok, out) = lawdesk(&data, &["billing", "ledes-validate", file.to_str().unwrap()]);
    assert!(ok && out.contains("valid"), "{out}");
    let (ok, out) = lawdesk(&data, &["billing", "ledes", "--invoice", &number, "--format", "98bi"]);
    assert!(ok && out.starts_with("LEDES98BI V2[]"), "{out}");
    let (ok, out) = lawdesk(&data, &["billing", "ledes", "--invoice", &number, "--format", "xml"]);
    assert!(!ok && out.contains("use 1998b or 98bi"), "{out}");
    // LPO users see no billing, whatever the door.
    let (ok, out) =
        lawdesk(&data, &["billing", "ledes", "--invoice", &number, "--as", "priya@demo.lawdesk"]);
    assert!(!ok && out.contains("do not have access"), "{out}");
}
