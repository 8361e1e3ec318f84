//! Bank statement import for trust reconciliation: CSV (date, description, amount, reference) and
//! OFX (SGML 1.x and XML 2.x `STMTTRN` blocks).

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankTransaction {
    pub date: NaiveDate,
    pub description: String,
    /// Positive for money in, negative for money out.
    pub amount: Decimal,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankStatement {
    /// First day the statement covers, when the source says so.
    pub period_start: Option<NaiveDate>,
    pub closing_balance: Decimal,
    pub transactions: Vec<BankTransaction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    #[error(
        "CSV header must name date, description, amount (and optionally reference) columns; missing {0}"
    )]
    MissingColumn(&'static str),
    #[error("CSV: {0}")]
    Csv(String),
    #[error("row {row}: invalid date {value:?}")]
    BadDate { row: usize, value: String },
    #[error("row {row}: invalid amount {value:?}")]
    BadAmount { row: usize, value: String },
    #[error("OFX transaction {index}: missing {field}")]
    OfxMissing { index: usize, field: &'static str },
    #[error("no STMTTRN transactions found in OFX text")]
    NoOfxTransactions,
}

/// Parses dates as banks write them: 2024-01-31, 20240131, 01/31/2024 (US order), 31.01.2024.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    ["%Y-%m-%d", "%Y%m%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(v, f).ok())
}

/// Parses amounts such as `-1,234.56`, `$1,234.56` or accounting-style `(50.00)`.
pub fn parse_amount(value: &str) -> Option<Decimal> {
    let v = value.trim();
    let (negative, v) = match v.strip_prefix('(').and_then(|s| s.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, v),
    };
    let cleaned: String = v.chars().filter(|c| !matches!(c, ',' | '$' | '£' | '€' | ' ')).collect();
    let amount = Decimal::from_str(&cleaned).ok()?;
    Some(if negative { -amount } else { amount })
}

/// Imports a CSV statement with a header row naming the columns (any order, case-insensitive).
/// CSV files carry no balance, so the closing balance is `opening_balance` plus the transactions.
pub fn parse_csv(text: &str, opening_balance: Decimal) -> Result<BankStatement, ImportError> {
    let mut reader =
        csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| ImportError::Csv(e.to_string()))?.clone();
    let column = |name: &'static str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let date_col = column("date").ok_or(ImportError::MissingColumn("date"))?;
    let desc_col = column("description").ok_or(ImportError::MissingColumn("description"))?;
    let amount_col = column("amount").ok_or(ImportError::MissingColumn("amount"))?;
    let ref_col = column("reference");
    let mut transactions = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2; // 1-based, after the header row
        let record = record.map_err(|e| ImportError::Csv(e.to_string()))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: usize| record.get(c).unwrap_or_default();
        let date = parse_date(get(date_col))
            .ok_or_else(|| ImportError::BadDate { row, value: get(date_col).into() })?;
        let amount = parse_amount(get(amount_col))
            .ok_or_else(|| ImportError::BadAmount { row, value: get(amount_col).into() })?;
        let reference = ref_col.map(get).filter(|r| !r.is_empty()).map(str::to_owned);
        transactions.push(BankTransaction {
            date,
            description: get(desc_col).to_owned(),
            amount,
            reference,
        });
    }
    let closing_balance = opening_balance + transactions.iter().map(|t| t.amount).sum::<Decimal>();
    let period_start = transactions.iter().map(|t| t.date).min();
    Ok(BankStatement { period_start, closing_balance, transactions })
}

/// The value of `<TAG>` inside `block`: up to the next `<` (SGML leaves elements unclosed,
/// XML closes them; both end where the next tag starts).
fn ofx_value(block: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let upper = block.to_ascii_uppercase();
    let start = upper.find(&open)? + open.len();
    let rest = &block[start..];
    let end = rest.find('<').unwrap_or(rest.len());
    let value = rest[..end].trim();
    (!value.is_empty()).then(|| decode_entities(value))
}

fn decode_entities(value: &str) -> String {
    value
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// OFX dates start with YYYYMMDD, optionally followed by time and zone (`20240115120000[-5:EST]`).
fn ofx_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()
}

/// Imports an OFX statement (SGML 1.x or XML 2.x). The closing balance is LEDGERBAL/BALAMT when
/// present, else the sum of the transactions.
pub fn parse_ofx(text: &str) -> Result<BankStatement, ImportError> {
    let upper = text.to_ascii_uppercase();
    let mut transactions = Vec::new();
    let mut search_from = 0;
    while let Some(found) = upper[search_from..].find("<STMTTRN>") {
        let start = search_from + found + "<STMTTRN>".len();
        let end = upper[start..].find("</STMTTRN>").map_or_else(
            // SGML may omit the closing tag: the block then ends at the next one or the list end.
            || {
                ["<STMTTRN>", "</BANKTRANLIST>"]
                    .iter()
                    .filter_map(|t| upper[start..].find(t))
                    .min()
                    .map_or(text.len(), |e| start + e)
            },
            |e| start + e,
        );
        let block = &text[start..end];
        let index = transactions.len() + 1;
        let date = ofx_value(block, "DTPOSTED")
            .and_then(|d| ofx_date(&d))
            .ok_or(ImportError::OfxMissing { index, field: "DTPOSTED" })?;
        let raw_amount =
            ofx_value(block, "TRNAMT").ok_or(ImportError::OfxMissing { index, field: "TRNAMT" })?;
        let amount = parse_amount(&raw_amount)
            .ok_or(ImportError::BadAmount { row: index, value: raw_amount.clone() })?;
        let description = [ofx_value(block, "NAME"), ofx_value(block, "MEMO")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" - ");
        let reference = ofx_value(block, "CHECKNUM")
            .or_else(|| ofx_value(block, "REFNUM"))
            .or_else(|| ofx_value(block, "FITID"));
        transactions.push(BankTransaction { date, description, amount, reference });
        search_from = end;
    }
    if transactions.is_empty() {
        return Err(ImportError::NoOfxTransactions);
    }
    let ledger_balance = upper
        .find("<LEDGERBAL>")
        .and_then(|i| ofx_value(&text[i..], "BALAMT"))
        .and_then(|v| parse_amount(&v));
    let closing_balance =
        ledger_balance.unwrap_or_else(|| transactions.iter().map(|t| t.amount).sum());
    let period_start = ofx_value(text, "DTSTART").and_then(|d| ofx_date(&d));
    Ok(BankStatement { period_start, closing_balance, transactions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn csv_with_reordered_columns_and_formats() {
        let text = "Reference,Date,Description,Amount\n\
                    W-1,2024-01-05,\"Deposit, Acme retainer\",\"5,000.00\"\n\
                    1001,01/20/2024,Check to court,(250.00)\n\
                    ,20240131,Bank fee,-15\n";
        let s = parse_csv(text, dec!(100)).unwrap();
        assert_eq!(s.transactions.len(), 3);
        assert_eq!(s.transactions[0].description, "Deposit, Acme retainer");
        assert_eq!(s.transactions[1].amount, dec!(-250.00));
        assert_eq!(s.transactions[2].reference, None);
        assert_eq!(s.closing_balance, dec!(4835.00));
        assert_eq!(s.period_start, NaiveDate::from_ymd_opt(2024, 1, 5));
        assert!(matches!(
            parse_csv("date,amount\n", dec!(0)),
            Err(ImportError::MissingColumn("description"))
        ));
        assert!(matches!(
            parse_csv("date,description,amount\nsoon,x,1\n", dec!(0)),
            Err(ImportError::BadDate { row: 2, .. })
        ));
    }

    #[test]
    fn ofx_sgml_without_closing_tags() {
        let text = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>\n\
            <BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n\
            <STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240105120000[-5:EST]<TRNAMT>5000.00<FITID>A1<NAME>ACME CORP<MEMO>Retainer\n\
            <STMTTRN><TRNTYPE>CHECK<DTPOSTED>20240120<TRNAMT>-250.00<FITID>A2<CHECKNUM>1001<NAME>Clerk &amp; Court\n\
            </BANKTRANLIST><LEDGERBAL><BALAMT>4750.00<DTASOF>20240131</LEDGERBAL></STMTRS>";
        let s = parse_ofx(text).unwrap();
        assert_eq!(s.transactions.len(), 2);
        assert_eq!(s.transactions[0].description, "ACME CORP - Retainer");
        assert_eq!(s.transactions[0].reference.as_deref(), Some("A1"));
        assert_eq!(s.transactions[1].reference.as_deref(), Some("1001"));
        assert_eq!(s.transactions[1].description, "Clerk & Court");
        assert_eq!(s.closing_balance, dec!(4750.00));
        assert_eq!(s.period_start, NaiveDate::from_ymd_opt(2024, 1, 1));
    }

    #[test]
    fn ofx_xml_with_closing_tags() {
        let text = r#"<?xml version="1.0"?><?OFX OFXHEADER="200" VERSION="220"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>
  <STMTTRN>
    <TRNTYPE>DEBIT</TRNTYPE>
    <DTPOSTED>20240201</DTPOSTED>
    <TRNAMT>-12.50</TRNAMT>
    <FITID>X9</FITID>
    <NAME>Service charge</NAME>
  </STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"#;
        let s = parse_ofx(text).unwrap();
        assert_eq!(s.transactions.len(), 1);
        assert_eq!(s.transactions[0].amount, dec!(-12.50));
        assert_eq!(s.closing_balance, dec!(-12.50));
        assert!(matches!(parse_ofx("<OFX></OFX>"), Err(ImportError::NoOfxTransactions)));
        assert!(matches!(
            parse_ofx("<STMTTRN><DTPOSTED>20240101</STMTTRN>"),
            Err(ImportError::OfxMissing { field: "TRNAMT", .. })
        ));
    }
}
