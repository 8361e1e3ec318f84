//! Server-rendered SVG bar charts for the dashboard: labelled horizontal bars, an optional reference line (a
//! budget, a threshold) and every text escaped. Pure string building, so pages and reports can embed it.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::advisor::escape_xml;

/// One bar: its label, value and whether to draw it in the highlight colour (over budget, breached …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: Decimal,
    pub highlight: bool,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: Decimal) -> Bar {
        Bar { label: label.into(), value, highlight: false }
    }
}

/// A horizontal bar chart. `reference` draws a dashed vertical line at a value (e.g. the budget), and the scale
/// always includes it so the comparison is visible. Values print with `suffix` (e.g. " USD", "%").
pub fn svg_bars(
    title: &str,
    bars: &[Bar],
    reference: Option<(&str, Decimal)>,
    suffix: &str,
) -> String {
    const WIDTH: u32 = 640;
    const LABEL_WIDTH: u32 = 190;
    const BAR_HEIGHT: u32 = 14;
    const GAP: u32 = 6;
    let max = bars
        .iter()
        .map(|b| b.value)
        .chain(reference.map(|(_, v)| v))
        .max()
        .unwrap_or_default()
        .max(Decimal::ZERO);
    let space = Decimal::from(WIDTH - LABEL_WIDTH - 110);
    let scale = |v: Decimal| {
        if max.is_zero() { Decimal::ZERO } else { (v.max(Decimal::ZERO) / max * space).round() }
    };
    let height = 34 + bars.len().max(1) as u32 * (BAR_HEIGHT + GAP) + 16;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape_xml(title)
    );
    let _ = writeln!(
        svg,
        r#"<text x="4" y="16" font-size="13" font-weight="bold">{}</text>"#,
        escape_xml(title)
    );
    if bars.is_empty() {
        let _ = writeln!(svg, r##"<text x="4" y="44" fill="#666">No data yet.</text>"##);
    }
    let mut y = 30;
    for bar in bars {
        let width = scale(bar.value);
        let fill = if bar.highlight { "#b3261e" } else { "#2b6cb0" };
        let _ = writeln!(
            svg,
            r#"<text x="4" y="{ty}">{label}</text><rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{fill}"/><text x="{vx}" y="{ty}">{value}{suffix}</text>"#,
            ty = y + 11,
            label = escape_xml(&bar.label),
            vx = Decimal::from(LABEL_WIDTH + 4) + width,
            value = escape_xml(&bar.value.to_string()),
            suffix = escape_xml(suffix),
        );
        y += BAR_HEIGHT + GAP;
    }
    if let Some((label, value)) = reference {
        let x = Decimal::from(LABEL_WIDTH) + scale(value);
        let _ = writeln!(
            svg,
            r##"<line x1="{x}" y1="26" x2="{x}" y2="{y}" stroke="#444" stroke-dasharray="4 3"/><text x="{x}" y="{ly}" fill="#444">{text}</text>"##,
            ly = y + 12,
            text = escape_xml(&format!("{label} {value}{suffix}")),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn bars_scale_to_the_largest_value_or_reference_and_escape_labels() {
        let bars = vec![Bar::new("LPO <offshore>", dec!(300)), Bar::new("VA & co", dec!(150))];
        let svg = svg_bars("Spend", &bars, Some(("budget", dec!(600))), " USD");
        // 340 px of bar space: the budget (600) is the maximum, so 300 is half of it.
        assert!(svg.contains(r#"width="170" height="14""#), "{svg}");
        assert!(svg.contains(r#"width="85" height="14""#), "{svg}");
        assert!(svg.contains("LPO &lt;offshore&gt;") && svg.contains("VA &amp; co"));
        assert!(svg.contains("budget 600 USD"));
        assert!(svg_bars("Empty", &[], None, "").contains("No data yet."));
    }
}
