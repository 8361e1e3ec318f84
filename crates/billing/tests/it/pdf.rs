//! The invoice PDF read back by poppler's `pdftotext`: the letterhead, the lines, the write-down
//! reason and the totals are really on the page, not just somewhere in the byte stream.

use billing::invoice::Address;
use billing::pdf::{PdfOptions, render_invoice_pdf};
use std::io::Write;
use std::process::Command;

/// The text of a PDF as poppler lays it out, or None (said on stderr) when pdftotext is missing.
pub(crate) fn pdftotext(bytes: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("lawdesk-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!(
        "{:x}.pdf",
        bytes.len() * 31 + bytes.iter().map(|&b| b as usize).sum::<usize>()
    ));
    std::fs::write(&path, bytes).expect("write the PDF");
    let out = match Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output() {
        Ok(out) => out,
        Err(_) => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED (pdf text check): pdftotext not installed (apt-get install poppler-utils)"
            );
            return None;
        }
    };
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).expect("pdftotext prints UTF-8"))
}

#[test]
fn invoice_pdf_shows_letterhead_lines_reasons_and_totals() {
    let mut invoice = crate::ledes::sample_invoice();
    invoice.law_firm.address = Some(Address {
        line1: "100 Congress Ave, Suite 900".into(),
        city: "Austin".into(),
        region: "TX".into(),
        postcode: "78701".into(),
        country: "USA".into(),
        ..Address::default()
    });
    let options = PdfOptions {
        stamp: Some("Balance due by 2024-03-06".into()),
        footer: vec!["Pay by wire to Quill & Moss LLP operating account.".into()],
    };
    let bytes = render_invoice_pdf(&invoice, &options);
    let Some(text) = pdftotext(&bytes) else { return };
    let totals = invoice.totals();
    for expected in [
        "Quill & Moss LLP",
        "100 Congress Ave, Suite 900",
        "Austin TX 78701",
        "Invoice INV202400007",
        "Balance due by 2024-03-06",
        "Bluejay Inc",
        "Quill, Ada",
        "L120/A104",
        "Review complaint [draft]",
        "Learning time",
        "Volume discount",
        &format!("USD {}", billing::money::format_money(totals.total)),
        "Pay by wire",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF text:\n{text}");
    }
}
