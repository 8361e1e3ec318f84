//! The advisor's report as a PDF: text in base-14 Helvetica (no font embedding) and the cost bar charts drawn with
//! PDF path operators. Pure: the bytes are returned, the caller writes or serves them.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::advisor::{Advice, DeliveryModel};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 48.0;
const FONT: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Base-14 fonts speak WinAnsi; keep to printable ASCII and spell out the few symbols the advisor uses.
fn ascii(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '×' => "x".to_owned(),
            '—' | '–' => "-".to_owned(),
            '’' | '‘' => "'".to_owned(),
            '“' | '”' => "\"".to_owned(),
            '≈' => "~".to_owned(),
            c if c.is_ascii() && !c.is_ascii_control() => c.to_string(),
            _ => "?".to_owned(),
        })
        .collect()
}

/// Lays out pages top to bottom, starting a new page when the next line would not fit.
struct Writer {
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn new() -> Writer {
        Writer { pages: vec![Content::new()], y: PAGE_HEIGHT - MARGIN }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("there is always a page")
    }

    fn need(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(Content::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn text(&mut self, x: f32, size: f32, bold: bool, text: &str) {
        self.need(size + 4.0);
        self.y -= size + 4.0;
        let y = self.y;
        let text = ascii(text);
        let page = self.page();
        page.begin_text();
        page.set_font(if bold { BOLD } else { FONT }, size);
        page.next_line(x, y);
        page.show(Str(text.as_bytes()));
        page.end_text();
    }

    /// Wraps `text` to the page width (Helvetica averages about half the font size per character).
    fn paragraph(&mut self, x: f32, size: f32, text: &str) {
        let per_line = ((PAGE_WIDTH - x - MARGIN) / (size * 0.5)) as usize;
        let mut line = String::new();
        for word in text.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > per_line {
                self.text(x, size, false, &line);
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            self.text(x, size, false, &line);
        }
    }

    /// One horizontal bar with its label and value.
    fn bar(&mut self, label: &str, value: Decimal, max: Decimal, highlight: bool) {
        self.need(14.0);
        self.y -= 14.0;
        let y = self.y;
        let space = PAGE_WIDTH - 2.0 * MARGIN - 200.0;
        let width = if max.is_zero() {
            0.0
        } else {
            (value / max).to_f32().unwrap_or(0.0).clamp(0.0, 1.0) * space
        };
        let label = ascii(label);
        let amount = value.to_string();
        let page = self.page();
        page.begin_text();
        page.set_font(FONT, 9.0);
        page.next_line(MARGIN + 8.0, y + 2.0);
        page.show(Str(label.as_bytes()));
        page.end_text();
        if highlight {
            page.set_fill_rgb(0.17, 0.48, 0.24);
        } else {
            page.set_fill_rgb(0.42, 0.56, 0.71);
        }
        page.rect(MARGIN + 140.0, y, width.max(0.5), 10.0);
        page.fill_nonzero();
        page.set_fill_rgb(0.0, 0.0, 0.0);
        page.begin_text();
        page.set_font(FONT, 9.0);
        page.next_line(MARGIN + 144.0 + width, y + 2.0);
        page.show(Str(amount.as_bytes()));
        page.end_text();
    }

    fn rule(&mut self) {
        self.need(8.0);
        self.y -= 6.0;
        let y = self.y;
        let page = self.page();
        page.set_stroke_rgb(0.7, 0.7, 0.7);
        page.set_line_width(0.5);
        page.move_to(MARGIN, y);
        page.line_to(PAGE_WIDTH - MARGIN, y);
        page.stroke();
    }
}

/// The advisor report: totals, then per service line the recommendation, a bar per allowed option, the
/// break-even volume, the ×2/×5 projection and the reasons.
pub fn advice_pdf(advice: &Advice) -> Vec<u8> {
    let mut w = Writer::new();
    w.text(MARGIN, 18.0, true, &format!("Delegation advice: {}", advice.profile_name));
    w.text(
        MARGIN,
        10.0,
        false,
        &format!(
            "Monthly figures in {}. Recommended {} vs all in-house {}: saving {} a month.{}",
            advice.currency,
            advice.total_recommended,
            advice.total_in_house,
            advice.total_saving,
            if advice.onshore_only { " Onshore only." } else { "" }
        ),
    );
    if let Some(budget) = advice.monthly_budget {
        w.text(MARGIN, 10.0, false, &format!("Monthly budget: {budget} {}", advice.currency));
    }
    let allowed = |model: DeliveryModel| !(advice.onshore_only && model.is_offshore());
    let max = advice
        .lines
        .iter()
        .flat_map(|l| l.options.iter().filter(|o| allowed(o.model)))
        .map(|o| o.monthly_cost)
        .max()
        .unwrap_or_default();
    for line in &advice.lines {
        w.rule();
        w.text(
            MARGIN,
            12.0,
            true,
            &format!(
                "{}: {} {} a month",
                line.service_line.label(),
                line.monthly_volume,
                line.unit
            ),
        );
        w.text(
            MARGIN,
            10.0,
            false,
            &format!(
                "Recommended: {} at {} (saving {} against in-house)",
                line.recommended.label(),
                line.recommended_cost,
                line.saving_vs_in_house
            ),
        );
        for option in line.options.iter().filter(|o| allowed(o.model)) {
            let label = match option.ineligible_because {
                Some(_) => format!("{} *", option.model.label()),
                None => option.model.label().to_owned(),
            };
            w.bar(&label, option.monthly_cost, max, option.model == line.recommended);
        }
        match line.break_even_lpo_vs_va {
            Some(v) => w.text(
                MARGIN + 8.0,
                9.0,
                false,
                &format!(
                    "LPO becomes cheaper than a virtual assistant from {v} {} a month.",
                    line.unit
                ),
            ),
            None => w.text(
                MARGIN + 8.0,
                9.0,
                false,
                "A virtual assistant stays cheaper than LPO at any volume.",
            ),
        }
        let projections: Vec<String> = line
            .projections
            .iter()
            .map(|p| format!("x{}: {} ({})", p.multiplier, p.recommended.label(), p.monthly_cost))
            .collect();
        w.text(MARGIN + 8.0, 9.0, false, &format!("Projection: {}", projections.join("; ")));
        for reason in &line.reasons {
            w.paragraph(MARGIN + 8.0, 9.0, &format!("- {reason}"));
        }
    }
    if !advice.reasons.is_empty() {
        w.rule();
        for reason in &advice.reasons {
            w.paragraph(MARGIN, 10.0, reason);
        }
    }
    w.text(MARGIN, 8.0, false, "* costed but not suitable for this work.");

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let bold = Ref::new(4);
    let first_page = 5;
    let count = w.pages.len() as i32;
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(first_page + 2 * i)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count);
    pdf.type1_font(font)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for (i, content) in w.pages.into_iter().enumerate() {
        let page_id = page_ids[i];
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        resources.fonts().pair(FONT, font).pair(BOLD, bold);
        resources.finish();
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_is_a_pdf_with_every_line_and_drawn_bars() {
        let advice = crate::advisor::advise_toml(include_str!(
            "../../../examples/large-firm-review.profile.toml"
        ))
        .expect("example profile");
        let bytes = advice_pdf(&advice);
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.trim_end().ends_with("%%EOF"));
        for line in &advice.lines {
            assert!(text.contains(line.service_line.label()), "{}", line.service_line.label());
        }
        // Bars are filled rectangles: one `re` per allowed option.
        let bars = advice.lines.iter().map(|l| l.options.len()).sum::<usize>();
        assert!(text.matches(" re\n").count() >= bars, "expected {bars} bars");
        assert!(text.contains("/Helvetica"));
    }

    #[test]
    fn non_ascii_is_spelled_out_for_base_fonts() {
        assert_eq!(ascii("×2 — ok é"), "x2 - ok ?");
    }
}
