//! LEDES file validation: structure, field formats, requirements and the arithmetic between fields.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::spec::{
    FieldKind, LedesFormat, Required, TIMEKEEPER_CLASSIFICATIONS, idx, is_currency, required_in,
};
use super::{InvoiceSummary, LedesError, LedesSummary};

/// Totals may differ from the recomputed value by one cent: exporters round each product.
const TOLERANCE: Decimal = dec!(0.01);
const TEXT_MAX_BYTES: usize = 15 * 1024;

/// What the validator treats as an error rather than a warning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValidationOptions {
    /// INVOICE_TOTAL must equal the sum of the invoice's LINE_ITEM_TOTALs in 98BI files too.
    /// Off by default because published 98BI samples do not satisfy it; 1998B always requires it.
    pub strict_98bi_totals: bool,
}

impl ValidationOptions {
    pub const STRICT: ValidationOptions = ValidationOptions { strict_98bi_totals: true };
}

/// Validates a LEDES 1998B or 98BI file with the default options.
pub fn validate(text: &str) -> Result<LedesSummary, Vec<LedesError>> {
    validate_with(text, ValidationOptions::default())
}

/// Validates raw bytes: UTF-8, or Windows-1252/Latin-1 text as older billing systems write it.
pub fn validate_bytes(bytes: &[u8]) -> Result<LedesSummary, Vec<LedesError>> {
    match std::str::from_utf8(bytes) {
        Ok(text) => validate(text),
        // Every byte maps to a char in Latin-1, so this decoding cannot fail.
        Err(_) => validate(&bytes.iter().map(|&b| char::from(b)).collect::<String>()),
    }
}

/// A record: the text between `[]` terminators and the line it starts on.
struct Record<'a> {
    line: usize,
    text: &'a str,
}

fn split_records(text: &str) -> (Vec<Record<'_>>, Option<Record<'_>>) {
    let mut records = Vec::new();
    let mut line = 1;
    let mut rest = text;
    while let Some(end) = rest.find("[]") {
        let chunk = &rest[..end];
        let trimmed = chunk.trim_start_matches(['\r', '\n', ' ', '\t']);
        line += chunk[..chunk.len() - trimmed.len()].matches('\n').count();
        records.push(Record { line, text: trimmed });
        line += trimmed.matches('\n').count();
        rest = &rest[end + 2..];
    }
    let tail = rest.trim_start_matches(['\r', '\n', ' ', '\t']);
    line += rest[..rest.len() - tail.len()].matches('\n').count();
    let tail = tail.trim_end();
    let unterminated = (!tail.is_empty()).then_some(Record { line, text: tail });
    (records, unterminated)
}

fn err(line: usize, field: &str, message: impl Into<String>) -> LedesError {
    LedesError { line, field: field.to_owned(), message: message.into() }
}

/// Validates with explicit options; see [`ValidationOptions`].
pub fn validate_with(
    text: &str,
    options: ValidationOptions,
) -> Result<LedesSummary, Vec<LedesError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let (records, unterminated) = split_records(text);
    if let Some(tail) = &unterminated {
        errors.push(err(
            tail.line,
            "(record)",
            "text after the last record is not terminated by []",
        ));
    }
    let Some(header) = records.first() else {
        errors.push(err(1, "(header)", "missing LEDES header record (e.g. LEDES1998B[])"));
        return Err(errors);
    };
    let Some(names) = records.get(1) else {
        errors.push(err(header.line + 1, "(field names)", "missing field-name record"));
        return Err(errors);
    };
    let name_list: Vec<&str> = names.text.split('|').collect();
    let format = match header.text.trim_end() {
        "LEDES1998B" => LedesFormat::Ledes1998B,
        "LEDES98BI V2" | "LEDES98BI" => LedesFormat::Ledes98BI,
        other => {
            errors.push(err(
                header.line,
                "(header)",
                format!("invalid header {other:?}: expected LEDES1998B[] or LEDES98BI V2[]"),
            ));
            // Keep checking the data as whichever layout the field names suggest.
            if name_list.len() == LedesFormat::Ledes98BI.fields().len() {
                LedesFormat::Ledes98BI
            } else {
                LedesFormat::Ledes1998B
            }
        }
    };
    check_field_names(format, names, &name_list, &mut errors);

    let specs = format.fields();
    let mut invoices: BTreeMap<String, InvoiceAcc> = BTreeMap::new();
    // Invoices with a malformed record: their sums would be partial, so their totals are not compared.
    let mut incomplete: HashSet<String> = HashSet::new();
    let data = &records[2..];
    if data.is_empty() {
        errors.push(err(names.line + 1, "(record)", "the file has no line items"));
    }
    for record in data {
        let fields: Vec<&str> = record.text.split('|').collect();
        if fields.len() != specs.len() {
            errors.push(err(
                record.line,
                "(record)",
                format!(
                    "record has {} fields, expected {} (is a [] terminator missing?)",
                    fields.len(),
                    specs.len()
                ),
            ));
            continue;
        }
        let before = errors.len();
        let line_type = fields[idx::LINE_TYPE];
        for (position, (spec, value)) in specs.iter().zip(&fields).enumerate() {
            if value.contains(['\r', '\n']) {
                errors.push(err(
                    record.line,
                    spec.name,
                    "line break inside a record (each record ends with [])",
                ));
                continue;
            }
            let required = match required_in(format, position) {
                Required::Always => true,
                Required::Optional => false,
                Required::OnFeeLines => line_type == "F",
                Required::OnFeeAndExpenseLines => line_type == "F" || line_type == "E",
            };
            if value.is_empty() {
                if required {
                    let when = match required_in(format, position) {
                        Required::OnFeeLines => " on fee (F) lines",
                        Required::OnFeeAndExpenseLines => " on fee and expense lines",
                        _ => "",
                    };
                    errors.push(err(record.line, spec.name, format!("value is required{when}")));
                }
                continue;
            }
            if let Err(message) = check_value(spec.kind, value) {
                errors.push(err(record.line, spec.name, message));
            }
        }
        if errors.len() > before {
            // Arithmetic on malformed values would only repeat the same complaint.
            incomplete.insert(fields[idx::INVOICE_NUMBER].to_owned());
            continue;
        }
        check_line_arithmetic(format, record.line, &fields, &mut errors);
        if date(fields[idx::BILLING_START_DATE]) > date(fields[idx::BILLING_END_DATE]) {
            warnings.push(err(
                record.line,
                "BILLING_END_DATE",
                "billing period ends before it starts",
            ));
        }
        let number = fields[idx::INVOICE_NUMBER].to_owned();
        let acc = invoices.entry(number).or_insert_with(|| InvoiceAcc::new(record.line, &fields));
        acc.add(format, record.line, &fields, &mut errors);
    }

    let mut summaries = Vec::new();
    for (number, acc) in invoices {
        if !incomplete.contains(&number) && (acc.invoice_total - acc.sum_of_lines).abs() > TOLERANCE
        {
            let problem = err(
                acc.first_line,
                "INVOICE_TOTAL",
                format!(
                    "invoice {number}: INVOICE_TOTAL {} differs from the sum of its LINE_ITEM_TOTALs {}",
                    acc.invoice_total, acc.sum_of_lines
                ),
            );
            if format == LedesFormat::Ledes1998B || options.strict_98bi_totals {
                errors.push(problem);
            } else {
                warnings.push(problem);
            }
        }
        summaries.push(InvoiceSummary {
            invoice_number: number,
            client_id: acc.client_id,
            line_items: acc.line_items,
            invoice_total: acc.invoice_total,
            sum_of_line_totals: acc.sum_of_lines,
        });
    }
    if errors.is_empty() {
        Ok(LedesSummary { format, line_items: data.len(), invoices: summaries, warnings })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

fn check_field_names(
    format: LedesFormat,
    names: &Record<'_>,
    found: &[&str],
    errors: &mut Vec<LedesError>,
) {
    let expected: Vec<&str> = format.field_names().collect();
    if found.len() != expected.len() {
        errors.push(err(
            names.line,
            "(field names)",
            format!(
                "{} field names, expected the {} of {}",
                found.len(),
                expected.len(),
                format.header()
            ),
        ));
        return;
    }
    for (want, got) in expected.iter().zip(found) {
        if want != got {
            errors.push(err(names.line, want, format!("field name {got:?} should be {want:?}")));
        }
    }
}

fn date(value: &str) -> Option<NaiveDate> {
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(value, "%Y%m%d").ok()
}

fn amount(value: &str) -> Option<Decimal> {
    Decimal::from_str(value).ok()
}

/// `-?digits(.decimals)?` with bounded digit counts, as LEDES numeric fields allow.
fn is_decimal_literal(value: &str, max_int_digits: usize, max_decimals: usize) -> bool {
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !int.is_empty()
        && int.len() <= max_int_digits
        && digits(int)
        && frac.is_none_or(|f| f.len() <= max_decimals && digits(f))
}

fn check_value(kind: FieldKind, value: &str) -> Result<(), String> {
    match kind {
        FieldKind::Date => {
            date(value).map(|_| ()).ok_or_else(|| format!("{value:?} is not a valid YYYYMMDD date"))
        }
        FieldKind::Char(max) => {
            let n = value.chars().count();
            if n > max { Err(format!("{n} characters, at most {max} allowed")) } else { Ok(()) }
        }
        FieldKind::Text => {
            if value.len() > TEXT_MAX_BYTES {
                Err("longer than 15 KB".to_owned())
            } else {
                Ok(())
            }
        }
        FieldKind::Amount(max_int) => {
            if is_decimal_literal(value, max_int, 4) {
                Ok(())
            } else {
                Err(format!(
                    "{value:?} is not a number with at most {max_int} digits and 4 decimals"
                ))
            }
        }
        FieldKind::LineType => match value {
            "F" | "E" | "IF" | "IE" => Ok(()),
            _ => Err(format!("{value:?} is not one of F, E, IF, IE")),
        },
        FieldKind::Classification => {
            if TIMEKEEPER_CLASSIFICATIONS.contains(&value) {
                Ok(())
            } else {
                Err(format!("{value:?} is not a LEDES timekeeper classification"))
            }
        }
        FieldKind::Currency => {
            if is_currency(value) {
                Ok(())
            } else {
                Err(format!("{value:?} is not an ISO 4217 currency code"))
            }
        }
        FieldKind::Country => {
            if (2..=3).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_uppercase()) {
                Ok(())
            } else {
                Err(format!("{value:?} is not an ISO 3166 country code"))
            }
        }
        FieldKind::AccountType => match value {
            "O" | "T" => Ok(()),
            _ => Err(format!("{value:?} is not O or T")),
        },
        FieldKind::TaxRate => {
            let ok = is_decimal_literal(value, 1, 10)
                && amount(value).is_some_and(|r| r >= Decimal::ZERO && r < Decimal::ONE);
            if ok {
                Ok(())
            } else {
                Err(format!("{value:?} is not a rate between 0 and 1 with at most 10 decimals"))
            }
        }
    }
}

fn value_or_zero(value: &str) -> Decimal {
    amount(value).unwrap_or(Decimal::ZERO)
}

/// LINE_ITEM_TOTAL = units × unit cost + adjustment; 98BI lines may also include their tax.
fn check_line_arithmetic(
    format: LedesFormat,
    line: usize,
    fields: &[&str],
    errors: &mut Vec<LedesError>,
) {
    let net = value_or_zero(fields[idx::UNITS]) * value_or_zero(fields[idx::UNIT_COST])
        + value_or_zero(fields[idx::ADJUSTMENT]);
    let total = value_or_zero(fields[idx::LINE_TOTAL]);
    let close = |expected: Decimal| (expected - total).abs() <= TOLERANCE;
    let ok = match format {
        LedesFormat::Ledes1998B => close(net),
        LedesFormat::Ledes98BI => {
            close(net) || close(net + value_or_zero(fields[idx::LINE_TAX_TOTAL]))
        }
    };
    if !ok {
        let with_tax =
            if format == LedesFormat::Ledes98BI { " (+ LINE_ITEM_TAX_TOTAL)" } else { "" };
        errors.push(err(
            line,
            "LINE_ITEM_TOTAL",
            format!(
                "{total} is not LINE_ITEM_NUMBER_OF_UNITS × LINE_ITEM_UNIT_COST + LINE_ITEM_ADJUSTMENT_AMOUNT{with_tax} = {}",
                net.normalize()
            ),
        ));
    }
}

/// What one invoice's lines add up to while the file is read.
struct InvoiceAcc {
    first_line: usize,
    first_fields: Vec<String>,
    client_id: String,
    invoice_total: Decimal,
    sum_of_lines: Decimal,
    line_items: usize,
    line_numbers: HashMap<String, usize>,
}

impl InvoiceAcc {
    fn new(line: usize, fields: &[&str]) -> Self {
        Self {
            first_line: line,
            first_fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            client_id: fields[idx::CLIENT_ID].to_owned(),
            invoice_total: value_or_zero(fields[idx::INVOICE_TOTAL]),
            sum_of_lines: Decimal::ZERO,
            line_items: 0,
            line_numbers: HashMap::new(),
        }
    }

    fn add(
        &mut self,
        format: LedesFormat,
        line: usize,
        fields: &[&str],
        errors: &mut Vec<LedesError>,
    ) {
        for (spec, (value, first)) in
            format.fields().iter().zip(fields.iter().zip(&self.first_fields))
        {
            if spec.invoice_level && value != first {
                errors.push(err(
                    line,
                    spec.name,
                    format!(
                        "{value:?} differs from {first:?} on line {} of the same invoice",
                        self.first_line
                    ),
                ));
            }
        }
        let number = fields[idx::LINE_ITEM_NUMBER];
        if let Some(previous) = self.line_numbers.insert(number.to_owned(), line) {
            errors.push(err(
                line,
                "LINE_ITEM_NUMBER",
                format!(
                    "line item number {number} already used on line {previous} of the same invoice"
                ),
            ));
        }
        self.sum_of_lines += value_or_zero(fields[idx::LINE_TOTAL]);
        self.line_items += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_literals() {
        assert!(is_decimal_literal("1250.", 10, 4));
        assert!(is_decimal_literal("-70", 10, 4));
        assert!(is_decimal_literal("0.2000", 10, 4));
        assert!(!is_decimal_literal("1250.12311", 10, 4));
        assert!(!is_decimal_literal("12345678901", 10, 4));
        assert!(!is_decimal_literal("1,250", 10, 4));
        assert!(!is_decimal_literal("", 10, 4));
        assert!(!is_decimal_literal(".5", 10, 4));
    }

    #[test]
    fn dates_must_exist() {
        assert!(date("19990228").is_some());
        assert!(date("19990229").is_none());
        assert!(date("19990199").is_none());
        assert!(date("1999-01-01").is_none());
    }

    #[test]
    fn records_split_on_terminators_with_line_numbers() {
        let (records, tail) = split_records("A[]\r\nB[]\n\nC[]D[]\n");
        let lines: Vec<(usize, &str)> = records.iter().map(|r| (r.line, r.text)).collect();
        assert_eq!(lines, vec![(1, "A"), (2, "B"), (4, "C"), (4, "D")]);
        assert!(tail.is_none());
        let (_, tail) = split_records("A[]\nB");
        assert_eq!(tail.map(|t| (t.line, t.text)), Some((2, "B")));
    }
}
