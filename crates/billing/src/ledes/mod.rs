//! LEDES e-billing: export of invoices to LEDES 1998B / 98BI and validation of LEDES files.

mod export;
pub mod spec;
mod validate;

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use export::{export, export_98bi, export_1998b};
pub use spec::LedesFormat;
pub use validate::{ValidationOptions, validate, validate_bytes, validate_with};

/// One problem found in a LEDES file: the 1-based line, the field (or `(header)`, `(field names)`,
/// `(record)` for structural problems) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedesError {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for LedesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

impl std::error::Error for LedesError {}

/// One invoice found in a valid file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub invoice_number: String,
    pub client_id: String,
    pub line_items: usize,
    pub invoice_total: Decimal,
    pub sum_of_line_totals: Decimal,
}

/// What a valid file contains, with any warnings that did not make it invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedesSummary {
    pub format: LedesFormat,
    pub line_items: usize,
    pub invoices: Vec<InvoiceSummary>,
    pub warnings: Vec<LedesError>,
}
