//! LEDES 1998B and 98BI export of invoices.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::spec::{FieldKind, LedesFormat};
use crate::invoice::{Invoice, InvoiceLine, InvoiceTotals, LineKind};
use crate::money::format_money;

/// Writes one invoice as a LEDES 1998B file.
pub fn export_1998b(invoice: &Invoice) -> String {
    export(LedesFormat::Ledes1998B, std::slice::from_ref(invoice))
}

/// Writes one invoice as a LEDES 98BI (V2) file, with its tax, currency and address fields.
pub fn export_98bi(invoice: &Invoice) -> String {
    export(LedesFormat::Ledes98BI, std::slice::from_ref(invoice))
}

/// Writes several invoices into one file of the given format.
///
/// Text is made safe for the format (`|`, brackets and line breaks become spaces or parentheses)
/// and cut to the field's maximum length. 1998B has no tax fields: there INVOICE_TOTAL and
/// LINE_ITEM_TOTAL are the pre-tax (net) amounts; 98BI line totals include the line's tax.
pub fn export(format: LedesFormat, invoices: &[Invoice]) -> String {
    let mut out = String::new();
    out.push_str(format.header());
    out.push_str("[]\n");
    out.push_str(&format.field_names().collect::<Vec<_>>().join("|"));
    out.push_str("[]\n");
    for invoice in invoices {
        // Once per invoice: recomputing per line made export quadratic in the line count.
        let totals = invoice.totals();
        for (number, line) in invoice.lines.iter().enumerate() {
            let values = record(format, invoice, &totals, number + 1, line);
            let cleaned: Vec<String> = format
                .fields()
                .iter()
                .zip(values)
                .map(|(spec, value)| clean(spec.kind, &value))
                .collect();
            out.push_str(&cleaned.join("|"));
            out.push_str("[]\n");
        }
    }
    out
}

fn ymd(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// Quantities keep up to four decimals without trailing zeros: `2`, `0.2`, `1.25`.
fn quantity(value: Decimal) -> String {
    value.round_dp(4).normalize().to_string()
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn clean(kind: FieldKind, value: &str) -> String {
    let safe: String = value
        .chars()
        .map(|c| match c {
            '|' | '\r' | '\n' | '\t' => ' ',
            '[' => '(',
            ']' => ')',
            other => other,
        })
        .collect();
    match kind {
        FieldKind::Char(max) => safe.chars().take(max).collect(),
        FieldKind::Text => truncate_bytes(safe, 15 * 1024),
        _ => safe,
    }
}

fn truncate_bytes(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

fn record(
    format: LedesFormat,
    invoice: &Invoice,
    totals: &InvoiceTotals,
    line_number: usize,
    line: &InvoiceLine,
) -> Vec<String> {
    let is_98bi = format == LedesFormat::Ledes98BI;
    let (invoice_total, line_total) =
        if is_98bi { (totals.total, line.total()) } else { (totals.net, line.net()) };
    let fee_timekeeper = line.timekeeper.as_ref().filter(|_| line.kind == LineKind::Fee);
    let tk =
        |f: fn(&crate::invoice::Timekeeper) -> String| fee_timekeeper.map(f).unwrap_or_default();
    let (units, unit_cost) = if line.kind.is_adjustment() {
        // Adjustment lines carry their whole amount in LINE_ITEM_ADJUSTMENT_AMOUNT.
        ("1".to_owned(), String::new())
    } else {
        (quantity(line.units), quantity(line.unit_cost))
    };
    let mut values = vec![
        ymd(invoice.date),
        invoice.number.clone(),
        invoice.client.id.clone(),
        invoice.law_firm_matter_id.clone(),
        format_money(invoice_total),
        ymd(invoice.billing_start),
        ymd(invoice.billing_end),
        invoice.description.clone(),
        line_number.to_string(),
        line.kind.ledes_code().to_owned(),
        units,
        format_money(line.adjustment),
        format_money(line_total),
        ymd(line.date),
        opt(&line.task_code),
        opt(&line.expense_code),
        opt(&line.activity_code),
        tk(|t| t.id.clone()),
        line.description.clone(),
        invoice.law_firm.id.clone(),
        unit_cost,
        tk(|t| t.display_name()),
        tk(|t| t.classification.clone()),
        opt(&invoice.client_matter_id),
    ];
    if is_98bi {
        let law_firm_address = invoice.law_firm.address.clone().unwrap_or_default();
        let client_address = invoice.client.address.clone().unwrap_or_default();
        let (tax_rate, tax_type) = match &line.tax {
            Some(tax) => (quantity_rate(tax.rate), tax.kind.clone()),
            None => (String::new(), String::new()),
        };
        values.extend([
            opt(&invoice.po_number),
            opt(&invoice.client.tax_id),
            invoice.matter_name.clone(),
            format_money(totals.tax),
            format_money(totals.net),
            invoice.currency.clone(),
            tk(|t| t.last_name.clone()),
            tk(|t| t.first_name.clone()),
            // ACCOUNT_TYPE is optional and its meaning is not ours to assert.
            String::new(),
            invoice.law_firm.name.clone(),
            law_firm_address.line1,
            law_firm_address.line2,
            law_firm_address.city,
            law_firm_address.region,
            law_firm_address.postcode,
            law_firm_address.country,
            invoice.client.name.clone(),
            client_address.line1,
            client_address.line2,
            client_address.city,
            client_address.region,
            client_address.postcode,
            client_address.country,
            tax_rate,
            format_money(line.tax_amount()),
            tax_type,
            format_money(totals.tax),
            invoice.currency.clone(),
        ]);
    }
    values
}

/// Tax rates keep up to ten decimals, the most 98BI allows.
fn quantity_rate(rate: Decimal) -> String {
    rate.round_dp(10).normalize().to_string()
}
