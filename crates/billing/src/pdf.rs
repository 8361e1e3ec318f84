//! The invoice as a PDF: letterhead, bill-to block, line table, totals and adjustment reasons.
//!
//! A pure function from the invoice model to bytes. Text is set in the PDF base-14 Helvetica
//! (no font is embedded, so the file stays small and any viewer renders it) with WinAnsi
//! encoding; characters outside Latin-1 are shown as `?` rather than dropped silently.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use rust_decimal::Decimal;

use crate::invoice::{Invoice, LineKind};
use crate::money::format_money;

const PAGE_WIDTH: f32 = 612.0; // US Letter
const PAGE_HEIGHT: f32 = 792.0;
const MARGIN: f32 = 54.0;
const LINE_GAP: f32 = 13.0;
const BODY_SIZE: f32 = 9.0;

/// What the invoice says besides its lines: the status stamp and payment instructions.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Printed under the title, e.g. "DRAFT – not for distribution" or "Balance due 2026-12-31".
    pub stamp: Option<String>,
    /// Footer lines (payment instructions, trust balance note...).
    pub footer: Vec<String>,
}

/// Renders `invoice` as a PDF document.
pub fn render_invoice_pdf(invoice: &Invoice, options: &PdfOptions) -> Vec<u8> {
    let mut pages: Vec<Content> = Vec::new();
    let mut w = PageWriter::new();

    // Letterhead: the firm's name and address.
    w.text(MARGIN, 16.0, true, &invoice.law_firm.name);
    if let Some(a) = &invoice.law_firm.address {
        for line in address_lines(a) {
            w.text(MARGIN, BODY_SIZE, false, &line);
        }
    }
    if let Some(tax_id) = &invoice.law_firm.tax_id {
        w.text(MARGIN, BODY_SIZE, false, &format!("Tax ID {tax_id}"));
    }
    w.rule();
    w.text(MARGIN, 14.0, true, &format!("Invoice {}", invoice.number));
    if let Some(stamp) = &options.stamp {
        w.text(MARGIN, BODY_SIZE, true, stamp);
    }
    w.skip(4.0);
    let facts = [
        ("Invoice date", invoice.date.format("%Y-%m-%d").to_string()),
        (
            "Billing period",
            format!(
                "{} to {}",
                invoice.billing_start.format("%Y-%m-%d"),
                invoice.billing_end.format("%Y-%m-%d")
            ),
        ),
        ("Matter", format!("{} {}", invoice.law_firm_matter_id, invoice.matter_name)),
        ("Bill to", invoice.client.name.clone()),
    ];
    for (label, value) in facts {
        w.pair(label, &value);
    }
    if let Some(a) = &invoice.client.address {
        for line in address_lines(a) {
            w.pair("", &line);
        }
    }
    w.skip(6.0);

    let columns = Columns::default();
    w.table_header(&columns);
    for line in &invoice.lines {
        if w.remaining() < 4.0 * LINE_GAP {
            pages.push(w.finish());
            w = PageWriter::new();
            w.table_header(&columns);
        }
        let who = match line.kind {
            LineKind::Fee => line.timekeeper.as_ref().map(|t| t.display_name()).unwrap_or_default(),
            LineKind::Expense => line.expense_code.clone().unwrap_or_default(),
            _ => String::from("Adjustment"),
        };
        let code = [line.task_code.as_deref(), line.activity_code.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("/");
        let description_lines = wrap(&line.description, 46);
        w.row(
            &columns,
            &line.date.format("%Y-%m-%d").to_string(),
            &who,
            &code,
            description_lines.first().map(String::as_str).unwrap_or(""),
            &if line.kind.is_adjustment() {
                String::new()
            } else {
                line.units.normalize().to_string()
            },
            &if line.kind.is_adjustment() { String::new() } else { format_money(line.unit_cost) },
            &format_money(line.net()),
        );
        for more in description_lines.iter().skip(1) {
            w.row(&columns, "", "", "", more, "", "", "");
        }
        if !line.adjustment.is_zero() && !line.kind.is_adjustment() {
            let reason = line.adjustment_reason.as_deref().unwrap_or("adjustment");
            w.row(
                &columns,
                "",
                "",
                "",
                &format!("  Adjusted {}: {reason}", format_money(line.adjustment)),
                "",
                "",
                "",
            );
        }
    }
    if w.remaining() < 9.0 * LINE_GAP {
        pages.push(w.finish());
        w = PageWriter::new();
    }
    w.rule();
    let totals = invoice.totals();
    let currency = &invoice.currency;
    let rows: [(&str, Decimal); 6] = [
        ("Fees", totals.fees),
        ("Expenses", totals.expenses),
        ("Write-downs and discounts", totals.adjustments),
        ("Net", totals.net),
        ("Tax", totals.tax),
        ("Total due", totals.total),
    ];
    for (label, amount) in rows {
        let bold = label == "Total due";
        w.right_pair(label, &format!("{currency} {}", format_money(amount)), bold);
    }
    if !options.footer.is_empty() {
        w.skip(10.0);
        for line in &options.footer {
            for part in wrap(line, 110) {
                w.text(MARGIN, BODY_SIZE, false, &part);
            }
        }
    }
    pages.push(w.finish());
    assemble(pages)
}

fn address_lines(a: &crate::invoice::Address) -> Vec<String> {
    let city_line = [a.city.as_str(), a.region.as_str(), a.postcode.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [a.line1.clone(), a.line2.clone(), city_line, a.country.clone()]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect()
}

/// Greedy word wrap by character count (Helvetica at 9 pt is about 4.5 pt per character).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    out
}

/// Latin-1 bytes for WinAnsi-encoded base-14 fonts; anything else becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{2013}' | '\u{2014}' => b'-',
            '\u{2018}' | '\u{2019}' => b'\'',
            '\u{201C}' | '\u{201D}' => b'"',
            c if (c as u32) < 256 && !c.is_control() => c as u8,
            _ => b'?',
        })
        .collect()
}

/// Approximate Helvetica advance width in thousandths of an em; exact for digits and the
/// punctuation in amounts, which are what gets right-aligned.
fn char_width(c: u8) -> f32 {
    match c {
        b'0'..=b'9' | b'$' => 556.0,
        b'.' | b',' | b' ' => 278.0,
        b'-' => 333.0,
        b'A'..=b'Z' => 667.0,
        _ => 556.0,
    }
}

fn text_width(bytes: &[u8], size: f32) -> f32 {
    bytes.iter().map(|&c| char_width(c)).sum::<f32>() * size / 1000.0
}

/// Column x positions of the line table.
struct Columns {
    date: f32,
    who: f32,
    code: f32,
    description: f32,
    /// Right edges of the numeric columns.
    units_right: f32,
    rate_right: f32,
    amount_right: f32,
}

impl Default for Columns {
    fn default() -> Self {
        Columns {
            date: MARGIN,
            who: MARGIN + 54.0,
            code: MARGIN + 140.0,
            description: MARGIN + 196.0,
            units_right: PAGE_WIDTH - MARGIN - 120.0,
            rate_right: PAGE_WIDTH - MARGIN - 62.0,
            amount_right: PAGE_WIDTH - MARGIN,
        }
    }
}

/// Lays text out top-down on one page.
struct PageWriter {
    content: Content,
    y: f32,
}

impl PageWriter {
    fn new() -> Self {
        PageWriter { content: Content::new(), y: PAGE_HEIGHT - MARGIN }
    }

    fn remaining(&self) -> f32 {
        self.y - MARGIN
    }

    fn skip(&mut self, points: f32) {
        self.y -= points;
    }

    fn put(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let bytes = win_ansi(text);
        self.content
            .begin_text()
            .set_font(Name(if bold { b"F2" } else { b"F1" }), size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    fn put_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let width = text_width(&win_ansi(text), size);
        self.put(right - width, y, size, bold, text);
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        self.y -= size.max(LINE_GAP);
        self.put(x, self.y, size, bold, text);
    }

    fn pair(&mut self, label: &str, value: &str) {
        self.y -= LINE_GAP;
        self.put(MARGIN, self.y, BODY_SIZE, true, label);
        self.put(MARGIN + 90.0, self.y, BODY_SIZE, false, value);
    }

    fn right_pair(&mut self, label: &str, value: &str, bold: bool) {
        self.y -= LINE_GAP;
        self.put_right(PAGE_WIDTH - MARGIN - 110.0, self.y, BODY_SIZE, bold, label);
        self.put_right(PAGE_WIDTH - MARGIN, self.y, BODY_SIZE, bold, value);
    }

    fn rule(&mut self) {
        self.y -= 6.0;
        self.content
            .set_line_width(0.5)
            .move_to(MARGIN, self.y)
            .line_to(PAGE_WIDTH - MARGIN, self.y)
            .stroke();
        self.y -= 4.0;
    }

    fn table_header(&mut self, c: &Columns) {
        self.y -= LINE_GAP;
        let y = self.y;
        self.put(c.date, y, BODY_SIZE, true, "Date");
        self.put(c.who, y, BODY_SIZE, true, "Timekeeper");
        self.put(c.code, y, BODY_SIZE, true, "Codes");
        self.put(c.description, y, BODY_SIZE, true, "Description");
        self.put_right(c.units_right, y, BODY_SIZE, true, "Units");
        self.put_right(c.rate_right, y, BODY_SIZE, true, "Rate");
        self.put_right(c.amount_right, y, BODY_SIZE, true, "Amount");
        self.rule();
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        c: &Columns,
        date: &str,
        who: &str,
        code: &str,
        description: &str,
        units: &str,
        rate: &str,
        amount: &str,
    ) {
        self.y -= LINE_GAP;
        let y = self.y;
        self.put(c.date, y, BODY_SIZE, false, date);
        let who: String = who.chars().take(18).collect();
        self.put(c.who, y, BODY_SIZE, false, &who);
        self.put(c.code, y, BODY_SIZE, false, code);
        self.put(c.description, y, BODY_SIZE, false, description);
        self.put_right(c.units_right, y, BODY_SIZE, false, units);
        self.put_right(c.rate_right, y, BODY_SIZE, false, rate);
        self.put_right(c.amount_right, y, BODY_SIZE, false, amount);
    }

    fn finish(self) -> Content {
        self.content
    }
}

/// Writes the catalog, page tree, the two fonts and one content stream per page.
fn assemble(pages: Vec<Content>) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let mut next = 5;
    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    let ids: Vec<(Ref, Ref)> = pages
        .iter()
        .map(|_| {
            let ids = (Ref::new(next), Ref::new(next + 1));
            next += 2;
            ids
        })
        .collect();
    let count = i32::try_from(ids.len()).expect("an invoice has far fewer than 2^31 pages");
    pdf.pages(tree_id).kids(ids.iter().map(|(page, _)| *page)).count(count);
    pdf.type1_font(regular_id)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for ((page_id, content_id), content) in ids.into_iter().zip(pages) {
        let mut page = pdf.page(page_id);
        page.parent(tree_id)
            .media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT))
            .contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular_id);
        fonts.pair(Name(b"F2"), bold_id);
        fonts.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::tests::sample_invoice;

    fn page_count(bytes: &[u8]) -> usize {
        let text = String::from_utf8_lossy(bytes);
        text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
    }

    #[test]
    fn a_pdf_with_base14_fonts_that_paginates_long_invoices() {
        let bytes = render_invoice_pdf(&sample_invoice(), &PdfOptions::default());
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-"), "a PDF header");
        assert!(text.contains("/BaseFont /Helvetica"), "base-14 Helvetica, not embedded");
        assert!(!text.contains("/FontFile"), "no embedded font program");
        assert_eq!(page_count(&bytes), 1);
        let mut long = sample_invoice();
        let line = long.lines[0].clone();
        long.lines = vec![line; 120];
        // 120 lines with a write-down note each are 240 table rows: at least four pages.
        assert!(page_count(&render_invoice_pdf(&long, &PdfOptions::default())) >= 4);
    }

    #[test]
    fn non_latin_text_becomes_question_marks_and_wrap_keeps_words() {
        assert_eq!(win_ansi("Müller – 東京"), b"M\xfcller - ??".to_vec());
        assert_eq!(wrap("one two three four", 9), vec!["one two", "three", "four"]);
        assert_eq!(wrap("", 9), vec![String::new()]);
    }
}
