//! Storage for billing: time entries, timers, expenses, rates, invoices, payments and the trust journal.
//!
//! Invariants kept here, inside each write transaction:
//! - A client's trust ledger never goes negative. Every posting first takes the client's
//!   `trust_accounts` row (an `UPDATE`, so a row lock on PostgreSQL; SQLite has one writer), then
//!   reads the balance, checks and writes; concurrent disbursements queue instead of racing.
//! - The trust journal is append-only: mistakes are undone by a reversal, at most one per entry.
//! - A time entry or expense is on at most one live invoice (`invoice_id` is claimed with
//!   `WHERE invoice_id IS NULL`), and invoice status moves only along draft → approved → issued →
//!   partially paid / paid, or to void (which releases the entries) before any payment.
//! - Invoice numbers come from the `sequences` table inside the issuing transaction.

use crate::audit::{AuditEvent, append};
use crate::matters::push_matter_visible;
use crate::sql::{RowExt, Sql, parse_date, ts};
use crate::{Result, Store, StoreError, conflict_on_unique};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Actor, Id};
use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::str::FromStr;

/// Tables this module owns, parents first; backup and restore copy them.
pub(crate) const TABLES: &[&str] = &[
    "billing_rates",
    "billing_arrangements",
    "invoices",
    "invoice_lines",
    "time_entries",
    "timers",
    "expenses",
    "payments",
    "trust_accounts",
    "trust_entries",
    "bank_statements",
];

fn dec(r: &AnyRow, col: &str) -> Result<Decimal> {
    let s = r.text(col)?;
    Decimal::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col} {s:?}: {e}")))
}

fn opt_dec(r: &AnyRow, col: &str) -> Result<Option<Decimal>> {
    r.opt_text(col)?
        .map(|s| {
            Decimal::from_str(&s).map_err(|e| StoreError::Corrupt(format!("{col} {s:?}: {e}")))
        })
        .transpose()
}

fn money(d: Decimal) -> String {
    d.normalize().to_string()
}

fn opt_id_col(r: &AnyRow, col: &str) -> Result<Option<Id>> {
    crate::sql::opt_id(r.opt_text(col)?)
}

/// A timekeeper's rate in one scope.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RateRow {
    pub user_id: Id,
    pub user_name: String,
    /// `default`, `client` or `matter`.
    pub scope: String,
    /// The client or matter id for those scopes; `None` for the default.
    pub scope_id: Option<Id>,
    pub rate: Decimal,
    /// LEDES timekeeper classification (PARTNR, ASSOC, PARLEG...).
    pub classification: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimeEntryRow {
    pub id: Id,
    pub matter_id: Id,
    pub matter_number: String,
    pub user_id: Id,
    pub user_name: String,
    pub work_date: NaiveDate,
    /// As recorded (a timer's exact elapsed time, or what the user typed).
    pub recorded_hours: Decimal,
    /// After the firm's rounding rule: what is billed.
    pub hours: Decimal,
    pub task_code: Option<String>,
    pub activity_code: Option<String>,
    pub narrative: String,
    pub billable: bool,
    pub non_billable_reason: Option<String>,
    /// `unbilled` or `billed`.
    pub status: String,
    pub invoice_id: Option<Id>,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimerRow {
    pub id: Id,
    pub user_id: Id,
    pub matter_id: Id,
    pub matter_number: String,
    pub narrative: String,
    pub task_code: Option<String>,
    pub activity_code: Option<String>,
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExpenseRow {
    pub id: Id,
    pub matter_id: Id,
    pub matter_number: String,
    pub user_id: Id,
    pub expense_date: NaiveDate,
    /// UTBMS expense code (E101…).
    pub code: String,
    pub description: String,
    pub quantity: Decimal,
    pub unit_cost: Decimal,
    /// Added on top of quantity × unit cost (pass-through markup); zero for plain expenses.
    pub markup: Decimal,
    pub receipt_sha256: Option<String>,
    pub receipt_name: Option<String>,
    pub status: String,
    pub invoice_id: Option<Id>,
    pub created_at: DateTime<Utc>,
}

impl ExpenseRow {
    pub fn amount(&self) -> Decimal {
        (self.quantity * self.unit_cost).round_dp(2) + self.markup
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InvoiceRow {
    pub id: Id,
    pub matter_id: Id,
    pub matter_number: String,
    pub matter_title: String,
    pub client_id: Id,
    pub client_name: String,
    pub number: Option<String>,
    /// draft, approved, issued, partially_paid, paid, void.
    pub status: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub invoice_date: Option<NaiveDate>,
    pub description: String,
    pub currency: String,
    pub total: Decimal,
    /// Sum of payments (reversals included).
    pub paid: Decimal,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl InvoiceRow {
    pub fn balance_due(&self) -> Decimal {
        self.total - self.paid
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InvoiceLineRow {
    pub id: Id,
    pub position: i64,
    /// fee, expense, fee_adjustment, expense_adjustment.
    pub kind: String,
    pub line_date: NaiveDate,
    pub description: String,
    pub units: Decimal,
    pub unit_cost: Decimal,
    pub adjustment: Decimal,
    pub adjustment_reason: Option<String>,
    pub task_code: Option<String>,
    pub activity_code: Option<String>,
    pub expense_code: Option<String>,
    pub timekeeper_id: Option<Id>,
    pub timekeeper_name: Option<String>,
    pub classification: Option<String>,
    pub tax_rate: Option<Decimal>,
    pub tax_kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PaymentRow {
    pub id: Id,
    pub invoice_id: Id,
    pub paid_on: NaiveDate,
    /// Negative for the reversal of a payment.
    pub amount: Decimal,
    /// check, wire, card, cash, trust.
    pub method: String,
    pub reference: Option<String>,
    pub trust_entry_id: Option<Id>,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrustEntryRow {
    pub id: Id,
    pub client_id: Id,
    pub client_name: String,
    pub matter_id: Option<Id>,
    pub entry_date: NaiveDate,
    /// deposit, disbursement, transfer, reversal.
    pub kind: String,
    /// Signed: money in positive.
    pub amount: Decimal,
    pub memo: String,
    pub payee: Option<String>,
    pub reference: Option<String>,
    pub invoice_id: Option<Id>,
    pub reversal_of: Option<Id>,
    /// The client's ledger balance right after this entry (set by the store).
    pub balance_after: Decimal,
    pub created_by: Id,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrustBalance {
    pub client_id: Id,
    pub client_name: String,
    pub balance: Decimal,
    pub postings: i64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BankStatementRow {
    pub id: Id,
    pub filename: String,
    /// csv or ofx.
    pub format: String,
    pub blob_sha256: String,
    pub as_of: NaiveDate,
    pub closing_balance: Decimal,
    /// The parsed statement as JSON (`billing::bank::BankStatement`).
    pub transactions: String,
    pub imported_by: Id,
    pub imported_at: DateTime<Utc>,
}

/// Which time entries or expenses to list.
#[derive(Debug, Clone, Default)]
pub struct EntryFilter {
    pub matter_id: Option<Id>,
    pub user_id: Option<Id>,
    /// Only those on no invoice.
    pub unbilled_only: bool,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub invoice_id: Option<Id>,
}

fn time_from_row(r: &AnyRow) -> Result<TimeEntryRow> {
    Ok(TimeEntryRow {
        id: r.id("id")?,
        matter_id: r.id("matter_id")?,
        matter_number: r.text("matter_number")?,
        user_id: r.id("user_id")?,
        user_name: r.text("user_name")?,
        work_date: parse_date(&r.text("work_date")?)?,
        recorded_hours: dec(r, "recorded_hours")?,
        hours: dec(r, "hours")?,
        task_code: r.opt_text("task_code")?,
        activity_code: r.opt_text("activity_code")?,
        narrative: r.text("narrative")?,
        billable: r.flag("billable")?,
        non_billable_reason: r.opt_text("non_billable_reason")?,
        status: r.text("status")?,
        invoice_id: opt_id_col(r, "invoice_id")?,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
    })
}

fn expense_from_row(r: &AnyRow) -> Result<ExpenseRow> {
    Ok(ExpenseRow {
        id: r.id("id")?,
        matter_id: r.id("matter_id")?,
        matter_number: r.text("matter_number")?,
        user_id: r.id("user_id")?,
        expense_date: parse_date(&r.text("expense_date")?)?,
        code: r.text("code")?,
        description: r.text("description")?,
        quantity: dec(r, "quantity")?,
        unit_cost: dec(r, "unit_cost")?,
        markup: dec(r, "markup")?,
        receipt_sha256: r.opt_text("receipt_sha256")?,
        receipt_name: r.opt_text("receipt_name")?,
        status: r.text("status")?,
        invoice_id: opt_id_col(r, "invoice_id")?,
        created_at: r.time("created_at")?,
    })
}

fn invoice_from_row(r: &AnyRow) -> Result<InvoiceRow> {
    Ok(InvoiceRow {
        id: r.id("id")?,
        matter_id: r.id("matter_id")?,
        matter_number: r.text("matter_number")?,
        matter_title: r.text("matter_title")?,
        client_id: r.id("client_id")?,
        client_name: r.text("client_name")?,
        number: r.opt_text("number")?,
        status: r.text("status")?,
        period_start: parse_date(&r.text("period_start")?)?,
        period_end: parse_date(&r.text("period_end")?)?,
        invoice_date: r.opt_text("invoice_date")?.as_deref().map(parse_date).transpose()?,
        description: r.text("description")?,
        currency: r.text("currency")?,
        total: dec(r, "total")?,
        paid: Decimal::ZERO,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
        version: r.int("version")?,
    })
}

fn line_from_row(r: &AnyRow) -> Result<InvoiceLineRow> {
    Ok(InvoiceLineRow {
        id: r.id("id")?,
        position: r.int("position")?,
        kind: r.text("kind")?,
        line_date: parse_date(&r.text("line_date")?)?,
        description: r.text("description")?,
        units: dec(r, "units")?,
        unit_cost: dec(r, "unit_cost")?,
        adjustment: dec(r, "adjustment")?,
        adjustment_reason: r.opt_text("adjustment_reason")?,
        task_code: r.opt_text("task_code")?,
        activity_code: r.opt_text("activity_code")?,
        expense_code: r.opt_text("expense_code")?,
        timekeeper_id: opt_id_col(r, "timekeeper_id")?,
        timekeeper_name: r.opt_text("timekeeper_name")?,
        classification: r.opt_text("classification")?,
        tax_rate: opt_dec(r, "tax_rate")?,
        tax_kind: r.opt_text("tax_kind")?,
    })
}

fn payment_from_row(r: &AnyRow) -> Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.id("id")?,
        invoice_id: r.id("invoice_id")?,
        paid_on: parse_date(&r.text("paid_on")?)?,
        amount: dec(r, "amount")?,
        method: r.text("method")?,
        reference: r.opt_text("reference")?,
        trust_entry_id: opt_id_col(r, "trust_entry_id")?,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
    })
}

fn trust_from_row(r: &AnyRow) -> Result<TrustEntryRow> {
    Ok(TrustEntryRow {
        id: r.id("id")?,
        client_id: r.id("client_id")?,
        client_name: r.text("client_name")?,
        matter_id: opt_id_col(r, "matter_id")?,
        entry_date: parse_date(&r.text("entry_date")?)?,
        kind: r.text("kind")?,
        amount: dec(r, "amount")?,
        memo: r.text("memo")?,
        payee: r.opt_text("payee")?,
        reference: r.opt_text("reference")?,
        invoice_id: opt_id_col(r, "invoice_id")?,
        reversal_of: opt_id_col(r, "reversal_of")?,
        balance_after: dec(r, "balance_after")?,
        created_by: r.id("created_by")?,
        created_at: r.time("created_at")?,
    })
}

const SELECT_TIME: &str = "SELECT t.*, m.number AS matter_number, u.display_name AS user_name \
     FROM time_entries t JOIN matters m ON m.id = t.matter_id JOIN users u ON u.id = t.user_id WHERE 1 = 1";
const SELECT_EXPENSES: &str = "SELECT e.*, m.number AS matter_number \
     FROM expenses e JOIN matters m ON m.id = e.matter_id WHERE 1 = 1";
const SELECT_INVOICES: &str = "SELECT i.*, m.number AS matter_number, m.title AS matter_title, c.name AS client_name \
     FROM invoices i JOIN matters m ON m.id = i.matter_id JOIN clients cl ON cl.id = i.client_id \
     JOIN contacts c ON c.id = cl.contact_id WHERE 1 = 1";
const SELECT_TRUST: &str = "SELECT e.*, c.name AS client_name FROM trust_entries e \
     JOIN clients cl ON cl.id = e.client_id JOIN contacts c ON c.id = cl.contact_id WHERE 1 = 1";

fn push_entry_filter(sql: &mut Sql, f: &EntryFilter, alias: &str, date_col: &str) {
    if let Some(m) = f.matter_id {
        sql.push(&format!(" AND {alias}.matter_id = "));
        sql.bind_text(m.to_string());
    }
    if let Some(u) = f.user_id {
        sql.push(&format!(" AND {alias}.user_id = "));
        sql.bind_text(u.to_string());
    }
    if f.unbilled_only {
        sql.push(&format!(" AND {alias}.invoice_id IS NULL"));
    }
    if let Some(i) = f.invoice_id {
        sql.push(&format!(" AND {alias}.invoice_id = "));
        sql.bind_text(i.to_string());
    }
    if let Some(d) = f.from {
        sql.push(&format!(" AND {alias}.{date_col} >= "));
        sql.bind_text(d.to_string());
    }
    if let Some(d) = f.to {
        sql.push(&format!(" AND {alias}.{date_col} <= "));
        sql.bind_text(d.to_string());
    }
}

async fn next_sequence(tx: &mut Transaction<'static, Any>, scope: &str) -> Result<i64> {
    sqlx::query(
        "INSERT INTO sequences (scope, last_value) VALUES ($1, 0) ON CONFLICT (scope) DO NOTHING",
    )
    .bind(scope)
    .execute(&mut **tx)
    .await?;
    let (v,): (i64,) = sqlx::query_as(
        "UPDATE sequences SET last_value = last_value + 1 WHERE scope = $1 RETURNING last_value",
    )
    .bind(scope)
    .fetch_one(&mut **tx)
    .await?;
    Ok(v)
}

async fn insert_time_entry(tx: &mut Transaction<'static, Any>, t: &TimeEntryRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO time_entries (id, matter_id, user_id, work_date, recorded_hours, hours, task_code, activity_code, narrative, \
         billable, non_billable_reason, status, invoice_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'unbilled', NULL, $12, $13)",
    )
    .bind(t.id.to_string())
    .bind(t.matter_id.to_string())
    .bind(t.user_id.to_string())
    .bind(t.work_date.to_string())
    .bind(money(t.recorded_hours))
    .bind(money(t.hours))
    .bind(t.task_code.clone())
    .bind(t.activity_code.clone())
    .bind(&t.narrative)
    .bind(i64::from(t.billable))
    .bind(t.non_billable_reason.clone())
    .bind(t.created_by.to_string())
    .bind(ts(t.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_line(
    tx: &mut Transaction<'static, Any>,
    invoice: Id,
    l: &InvoiceLineRow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO invoice_lines (id, invoice_id, position, kind, line_date, description, units, unit_cost, adjustment, \
         adjustment_reason, task_code, activity_code, expense_code, timekeeper_id, timekeeper_name, classification, tax_rate, tax_kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
    .bind(l.id.to_string())
    .bind(invoice.to_string())
    .bind(l.position)
    .bind(&l.kind)
    .bind(l.line_date.to_string())
    .bind(&l.description)
    .bind(money(l.units))
    .bind(money(l.unit_cost))
    .bind(money(l.adjustment))
    .bind(l.adjustment_reason.clone())
    .bind(l.task_code.clone())
    .bind(l.activity_code.clone())
    .bind(l.expense_code.clone())
    .bind(l.timekeeper_id.map(|i| i.to_string()))
    .bind(l.timekeeper_name.clone())
    .bind(l.classification.clone())
    .bind(l.tax_rate.map(money))
    .bind(l.tax_kind.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes the invoice's row lock (bumping its version) and returns (status, total, version).
async fn lock_invoice(
    tx: &mut Transaction<'static, Any>,
    id: Id,
) -> Result<(String, Decimal, i64)> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "UPDATE invoices SET version = version + 1 WHERE id = $1 RETURNING status, total, version",
    )
    .bind(id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    let (status, total, version) = row.ok_or(StoreError::NotFound("invoice"))?;
    let total = Decimal::from_str(&total)
        .map_err(|e| StoreError::Corrupt(format!("invoice total {total:?}: {e}")))?;
    Ok((status, total, version))
}

async fn paid_on_invoice(tx: &mut Transaction<'static, Any>, id: Id) -> Result<Decimal> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT amount FROM payments WHERE invoice_id = $1")
        .bind(id.to_string())
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|(a,)| {
            Decimal::from_str(a).map_err(|e| StoreError::Corrupt(format!("payment {a:?}: {e}")))
        })
        .sum()
}

/// Inserts a payment against a locked, payable invoice and moves its status; refuses to take
/// the invoice below zero or above its total.
async fn apply_payment(tx: &mut Transaction<'static, Any>, p: &PaymentRow) -> Result<String> {
    let (status, total, _) = lock_invoice(tx, p.invoice_id).await?;
    if !matches!(status.as_str(), "issued" | "partially_paid" | "paid") {
        return Err(StoreError::Conflict(format!(
            "payments apply only to issued invoices; this one is {status}"
        )));
    }
    let paid = paid_on_invoice(tx, p.invoice_id).await? + p.amount;
    if paid > total {
        return Err(StoreError::Conflict(format!(
            "the payment exceeds the balance due of {}",
            (total - paid + p.amount).round_dp(2)
        )));
    }
    if paid < Decimal::ZERO {
        return Err(StoreError::Conflict("payments on an invoice cannot go below zero".into()));
    }
    sqlx::query(
        "INSERT INTO payments (id, invoice_id, paid_on, amount, method, reference, trust_entry_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(p.id.to_string())
    .bind(p.invoice_id.to_string())
    .bind(p.paid_on.to_string())
    .bind(money(p.amount))
    .bind(&p.method)
    .bind(p.reference.clone())
    .bind(p.trust_entry_id.map(|i| i.to_string()))
    .bind(p.created_by.to_string())
    .bind(ts(p.created_at))
    .execute(&mut **tx)
    .await?;
    let new_status = if paid == total {
        "paid"
    } else if paid.is_zero() {
        "issued"
    } else {
        "partially_paid"
    };
    sqlx::query("UPDATE invoices SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(new_status)
        .bind(ts(p.created_at))
        .bind(p.invoice_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(new_status.to_string())
}

impl Store {
    // ---- rates and arrangements --------------------------------------------------------------

    /// Sets (or replaces) a timekeeper's rate in one scope.
    pub async fn set_rate(&self, r: &RateRow, at: DateTime<Utc>, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO billing_rates (id, user_id, scope, scope_id, rate, classification, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (user_id, scope, scope_id) DO UPDATE SET rate = excluded.rate, classification = excluded.classification, updated_at = excluded.updated_at",
        )
        .bind(Id::new_at(at).to_string())
        .bind(r.user_id.to_string())
        .bind(&r.scope)
        .bind(r.scope_id.map(|i| i.to_string()).unwrap_or_default())
        .bind(money(r.rate))
        .bind(&r.classification)
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn rates(&self) -> Result<Vec<RateRow>> {
        let rows = sqlx::query(
            "SELECT r.*, u.display_name FROM billing_rates r JOIN users u ON u.id = r.user_id ORDER BY u.display_name, r.scope, r.scope_id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let scope_id = r.text("scope_id")?;
                Ok(RateRow {
                    user_id: r.id("user_id")?,
                    user_name: r.text("display_name")?,
                    scope: r.text("scope")?,
                    scope_id: if scope_id.is_empty() {
                        None
                    } else {
                        Some(crate::sql::parse_id(&scope_id)?)
                    },
                    rate: dec(r, "rate")?,
                    classification: r.text("classification")?,
                })
            })
            .collect()
    }

    pub async fn set_arrangement(
        &self,
        matter: Id,
        kind: &str,
        detail: &serde_json::Value,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO billing_arrangements (matter_id, kind, detail, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (matter_id) DO UPDATE SET kind = excluded.kind, detail = excluded.detail, updated_at = excluded.updated_at",
        )
        .bind(matter.to_string())
        .bind(kind)
        .bind(detail.to_string())
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The matter's arrangement as (kind, detail JSON), if one was set.
    pub async fn arrangement(&self, matter: Id) -> Result<Option<(String, serde_json::Value)>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT kind, detail FROM billing_arrangements WHERE matter_id = $1")
                .bind(matter.to_string())
                .fetch_optional(&self.read)
                .await?;
        row.map(|(k, d)| {
            serde_json::from_str(&d)
                .map(|v| (k, v))
                .map_err(|e| StoreError::Corrupt(format!("arrangement detail: {e}")))
        })
        .transpose()
    }

    // ---- time and timers ---------------------------------------------------------------------

    pub async fn create_time_entry(&self, t: &TimeEntryRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        insert_time_entry(&mut tx, t).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn time_entry(&self, id: Id) -> Result<TimeEntryRow> {
        let mut sql = Sql::new(SELECT_TIME);
        sql.push(" AND t.id = ");
        sql.bind_text(id.to_string());
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("time entry"))?;
        time_from_row(&row)
    }

    /// Time entries on matters `actor` may see (all matters when `actor` is `None`), oldest first.
    pub async fn time_entries(
        &self,
        actor: Option<&Actor>,
        f: &EntryFilter,
    ) -> Result<Vec<TimeEntryRow>> {
        let mut sql = Sql::new(SELECT_TIME);
        if let Some(a) = actor {
            push_matter_visible(&mut sql, a, "m");
        }
        push_entry_filter(&mut sql, f, "t", "work_date");
        sql.push(" ORDER BY t.work_date, t.created_at, t.id LIMIT 5000");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(time_from_row).collect()
    }

    pub async fn start_timer(&self, t: &TimerRow, audit: AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO timers (id, user_id, matter_id, narrative, task_code, activity_code, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(t.id.to_string())
        .bind(t.user_id.to_string())
        .bind(t.matter_id.to_string())
        .bind(&t.narrative)
        .bind(t.task_code.clone())
        .bind(t.activity_code.clone())
        .bind(ts(t.started_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user's running timers, oldest first.
    pub async fn running_timers(&self, user: Id) -> Result<Vec<TimerRow>> {
        let rows = sqlx::query(
            "SELECT t.*, m.number AS matter_number FROM timers t JOIN matters m ON m.id = t.matter_id \
             WHERE t.user_id = $1 AND t.stopped_at IS NULL ORDER BY t.started_at, t.id",
        )
        .bind(user.to_string())
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TimerRow {
                    id: r.id("id")?,
                    user_id: r.id("user_id")?,
                    matter_id: r.id("matter_id")?,
                    matter_number: r.text("matter_number")?,
                    narrative: r.text("narrative")?,
                    task_code: r.opt_text("task_code")?,
                    activity_code: r.opt_text("activity_code")?,
                    started_at: r.time("started_at")?,
                })
            })
            .collect()
    }

    /// Stops a running timer and records its time entry in one transaction; a timer stops once.
    pub async fn stop_timer(
        &self,
        timer: Id,
        stopped_at: DateTime<Utc>,
        entry: &TimeEntryRow,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        insert_time_entry(&mut tx, entry).await?;
        let n = sqlx::query(
            "UPDATE timers SET stopped_at = $1, time_entry_id = $2 WHERE id = $3 AND stopped_at IS NULL",
        )
        .bind(ts(stopped_at))
        .bind(entry.id.to_string())
        .bind(timer.to_string())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict("this timer is not running".into()));
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- expenses ----------------------------------------------------------------------------

    /// Records an expense; a receipt's bytes go to the blob store first (see `add_attachment`).
    pub async fn create_expense(
        &self,
        e: &ExpenseRow,
        receipt: Option<&[u8]>,
        audit: AuditEvent,
    ) -> Result<ExpenseRow> {
        let mut e = e.clone();
        if let Some(bytes) = receipt {
            e.receipt_sha256 = Some(self.blobs.put(bytes).await?);
        }
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO expenses (id, matter_id, user_id, expense_date, code, description, quantity, unit_cost, markup, \
             receipt_sha256, receipt_name, status, invoice_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'unbilled', NULL, $12)",
        )
        .bind(e.id.to_string())
        .bind(e.matter_id.to_string())
        .bind(e.user_id.to_string())
        .bind(e.expense_date.to_string())
        .bind(&e.code)
        .bind(&e.description)
        .bind(money(e.quantity))
        .bind(money(e.unit_cost))
        .bind(money(e.markup))
        .bind(e.receipt_sha256.clone())
        .bind(e.receipt_name.clone())
        .bind(ts(e.created_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(e)
    }

    pub async fn expense(&self, id: Id) -> Result<ExpenseRow> {
        let mut sql = Sql::new(SELECT_EXPENSES);
        sql.push(" AND e.id = ");
        sql.bind_text(id.to_string());
        let row =
            sql.query().fetch_optional(&self.read).await?.ok_or(StoreError::NotFound("expense"))?;
        expense_from_row(&row)
    }

    pub async fn expenses(
        &self,
        actor: Option<&Actor>,
        f: &EntryFilter,
    ) -> Result<Vec<ExpenseRow>> {
        let mut sql = Sql::new(SELECT_EXPENSES);
        if let Some(a) = actor {
            push_matter_visible(&mut sql, a, "m");
        }
        push_entry_filter(&mut sql, f, "e", "expense_date");
        sql.push(" ORDER BY e.expense_date, e.created_at, e.id LIMIT 5000");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(expense_from_row).collect()
    }

    // ---- invoices ----------------------------------------------------------------------------

    /// Creates a draft invoice with its lines and claims the time entries and expenses it bills;
    /// an entry already on another invoice makes the whole draft fail.
    pub async fn create_invoice(
        &self,
        inv: &InvoiceRow,
        lines: &[InvoiceLineRow],
        time_entries: &[Id],
        expenses: &[Id],
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO invoices (id, matter_id, client_id, number, status, period_start, period_end, invoice_date, description, \
             currency, total, created_by, created_at, updated_at, version) VALUES ($1, $2, $3, NULL, 'draft', $4, $5, NULL, $6, $7, $8, $9, $10, $10, 1)",
        )
        .bind(inv.id.to_string())
        .bind(inv.matter_id.to_string())
        .bind(inv.client_id.to_string())
        .bind(inv.period_start.to_string())
        .bind(inv.period_end.to_string())
        .bind(&inv.description)
        .bind(&inv.currency)
        .bind(money(inv.total))
        .bind(inv.created_by.to_string())
        .bind(ts(inv.created_at))
        .execute(&mut *tx)
        .await?;
        for l in lines {
            insert_line(&mut tx, inv.id, l).await?;
        }
        for (table, ids) in [("time_entries", time_entries), ("expenses", expenses)] {
            for id in ids {
                let n = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET invoice_id = $1 WHERE id = $2 AND invoice_id IS NULL"
                )))
                .bind(inv.id.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
                if n.rows_affected() == 0 {
                    return Err(StoreError::Conflict(
                        "an entry was billed on another invoice meanwhile; create the pre-bill again"
                            .into(),
                    ));
                }
            }
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn invoice(&self, id: Id) -> Result<(InvoiceRow, Vec<InvoiceLineRow>)> {
        let mut sql = Sql::new(SELECT_INVOICES);
        sql.push(" AND i.id = ");
        sql.bind_text(id.to_string());
        let row =
            sql.query().fetch_optional(&self.read).await?.ok_or(StoreError::NotFound("invoice"))?;
        let mut inv = invoice_from_row(&row)?;
        inv.paid = self.payments(id).await?.iter().map(|p| p.amount).sum();
        let lines =
            sqlx::query("SELECT * FROM invoice_lines WHERE invoice_id = $1 ORDER BY position")
                .bind(id.to_string())
                .fetch_all(&self.read)
                .await?;
        Ok((inv, lines.iter().map(line_from_row).collect::<Result<_>>()?))
    }

    pub async fn invoice_id_by_number(&self, number: &str) -> Result<Id> {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM invoices WHERE number = $1")
            .bind(number)
            .fetch_optional(&self.read)
            .await?;
        crate::sql::parse_id(&row.ok_or(StoreError::NotFound("invoice"))?.0)
    }

    /// Invoices on matters `actor` may see (all when `None`), newest first, with amounts paid.
    pub async fn invoices(
        &self,
        actor: Option<&Actor>,
        matter: Option<Id>,
    ) -> Result<Vec<InvoiceRow>> {
        let mut sql = Sql::new(SELECT_INVOICES);
        if let Some(a) = actor {
            push_matter_visible(&mut sql, a, "m");
        }
        if let Some(m) = matter {
            sql.push(" AND i.matter_id = ");
            sql.bind_text(m.to_string());
        }
        sql.push(" ORDER BY i.created_at DESC, i.id DESC LIMIT 2000");
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut out = rows.iter().map(invoice_from_row).collect::<Result<Vec<_>>>()?;
        let paid: Vec<(String, String)> =
            sqlx::query_as("SELECT invoice_id, amount FROM payments").fetch_all(&self.read).await?;
        for (invoice, amount) in paid {
            if let Some(i) = out.iter_mut().find(|i| i.id.to_string() == invoice) {
                i.paid += Decimal::from_str(&amount)
                    .map_err(|e| StoreError::Corrupt(format!("payment {amount:?}: {e}")))?;
            }
        }
        Ok(out)
    }

    /// Replaces the lines of a draft invoice (after a write-down or discount) and its total, if
    /// the invoice is still a draft at `expected_version`.
    pub async fn replace_draft_lines(
        &self,
        invoice: Id,
        expected_version: i64,
        lines: &[InvoiceLineRow],
        total: Decimal,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE invoices SET total = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4 AND status = 'draft'",
        )
        .bind(money(total))
        .bind(ts(at))
        .bind(invoice.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::Conflict(
                "the invoice changed meanwhile or is no longer a draft; reload it".into(),
            ));
        }
        // Draft lines are working papers, not records: the audit event carries what changed.
        sqlx::query("DELETE FROM invoice_lines WHERE invoice_id = $1")
            .bind(invoice.to_string())
            .execute(&mut *tx)
            .await?;
        for l in lines {
            insert_line(&mut tx, invoice, l).await?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves an invoice from `from` to `to`. Issuing takes the next number of the year's
    /// sequence (formatted by `number`) and marks its entries billed; voiding releases them.
    #[allow(clippy::too_many_arguments)]
    pub async fn transition_invoice(
        &self,
        invoice: Id,
        from: &[&str],
        to: &str,
        issue: Option<(NaiveDate, &(dyn Fn(i64) -> String + Sync))>,
        at: DateTime<Utc>,
        audit: AuditEvent,
    ) -> Result<Option<String>> {
        let mut tx = self.write.begin().await?;
        let (status, _, _) = lock_invoice(&mut tx, invoice).await?;
        if !from.contains(&status.as_str()) {
            return Err(StoreError::Conflict(format!(
                "the invoice is {status}; it cannot become {to}"
            )));
        }
        let mut number = None;
        if let Some((date, format)) = issue {
            use chrono::Datelike;
            let seq = next_sequence(&mut tx, &format!("invoice:{}", date.year())).await?;
            let n = format(seq);
            sqlx::query("UPDATE invoices SET number = $1, invoice_date = $2 WHERE id = $3")
                .bind(&n)
                .bind(date.to_string())
                .bind(invoice.to_string())
                .execute(&mut *tx)
                .await
                .map_err(|e| conflict_on_unique(e, || format!("invoice number {n} is taken")))?;
            for table in ["time_entries", "expenses"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET status = 'billed' WHERE invoice_id = $1"
                )))
                .bind(invoice.to_string())
                .execute(&mut *tx)
                .await?;
            }
            number = Some(n);
        }
        if to == "void" {
            if !paid_on_invoice(&mut tx, invoice).await?.is_zero() {
                return Err(StoreError::Conflict(
                    "reverse the payments before voiding this invoice".into(),
                ));
            }
            for table in ["time_entries", "expenses"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET status = 'unbilled', invoice_id = NULL WHERE invoice_id = $1"
                )))
                .bind(invoice.to_string())
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query("UPDATE invoices SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(to)
            .bind(ts(at))
            .bind(invoice.to_string())
            .execute(&mut *tx)
            .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(number)
    }

    // ---- payments ----------------------------------------------------------------------------

    /// Records a payment (negative: a reversal) and returns the invoice's new status.
    pub async fn record_payment(&self, p: &PaymentRow, audit: AuditEvent) -> Result<String> {
        let mut tx = self.write.begin().await?;
        let status = apply_payment(&mut tx, p).await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(status)
    }

    pub async fn payments(&self, invoice: Id) -> Result<Vec<PaymentRow>> {
        let rows =
            sqlx::query("SELECT * FROM payments WHERE invoice_id = $1 ORDER BY created_at, id")
                .bind(invoice.to_string())
                .fetch_all(&self.read)
                .await?;
        rows.iter().map(payment_from_row).collect()
    }

    // ---- trust -------------------------------------------------------------------------------

    /// Posts a trust journal entry. Inside one transaction it takes the client's ledger lock,
    /// refuses an entry that would take the ledger below zero, and (for a transfer to operating)
    /// records `payment` against the invoice. Returns the entry as stored, with its balance.
    pub async fn post_trust_entry(
        &self,
        e: &TrustEntryRow,
        payment: Option<&PaymentRow>,
        audit: AuditEvent,
    ) -> Result<TrustEntryRow> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO trust_accounts (client_id, balance, postings) VALUES ($1, '0', 0) ON CONFLICT (client_id) DO NOTHING",
        )
        .bind(e.client_id.to_string())
        .execute(&mut *tx)
        .await?;
        // The UPDATE takes the row lock (PostgreSQL) before the balance is read, so two
        // disbursements cannot both see the old balance.
        let (balance,): (String,) = sqlx::query_as(
            "UPDATE trust_accounts SET postings = postings + 1 WHERE client_id = $1 RETURNING balance",
        )
        .bind(e.client_id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let balance = Decimal::from_str(&balance)
            .map_err(|err| StoreError::Corrupt(format!("trust balance {balance:?}: {err}")))?;
        let after = balance + e.amount;
        if after < Decimal::ZERO {
            return Err(StoreError::Conflict(format!(
                "{} has {} in trust; taking out {} would make the ledger negative",
                e.client_name,
                balance.round_dp(2),
                (-e.amount).round_dp(2)
            )));
        }
        let mut stored = e.clone();
        stored.balance_after = after;
        sqlx::query(
            "INSERT INTO trust_entries (id, client_id, matter_id, entry_date, kind, amount, memo, payee, reference, invoice_id, \
             reversal_of, balance_after, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(e.id.to_string())
        .bind(e.client_id.to_string())
        .bind(e.matter_id.map(|i| i.to_string()))
        .bind(e.entry_date.to_string())
        .bind(&e.kind)
        .bind(money(e.amount))
        .bind(&e.memo)
        .bind(e.payee.clone())
        .bind(e.reference.clone())
        .bind(e.invoice_id.map(|i| i.to_string()))
        .bind(e.reversal_of.map(|i| i.to_string()))
        .bind(money(after))
        .bind(e.created_by.to_string())
        .bind(ts(e.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|err| conflict_on_unique(err, || "this entry has already been reversed".into()))?;
        sqlx::query("UPDATE trust_accounts SET balance = $1 WHERE client_id = $2")
            .bind(money(after))
            .bind(e.client_id.to_string())
            .execute(&mut *tx)
            .await?;
        if let Some(p) = payment {
            apply_payment(&mut tx, p).await?;
        }
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(stored)
    }

    pub async fn trust_entry(&self, id: Id) -> Result<TrustEntryRow> {
        let mut sql = Sql::new(SELECT_TRUST);
        sql.push(" AND e.id = ");
        sql.bind_text(id.to_string());
        let row = sql
            .query()
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound("trust entry"))?;
        trust_from_row(&row)
    }

    /// The journal in posting order, optionally for one client.
    pub async fn trust_entries(&self, client: Option<Id>) -> Result<Vec<TrustEntryRow>> {
        let mut sql = Sql::new(SELECT_TRUST);
        if let Some(c) = client {
            sql.push(" AND e.client_id = ");
            sql.bind_text(c.to_string());
        }
        sql.push(" ORDER BY e.created_at, e.id");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(trust_from_row).collect()
    }

    pub async fn trust_balances(&self) -> Result<Vec<TrustBalance>> {
        let rows = sqlx::query(
            "SELECT a.*, c.name AS client_name FROM trust_accounts a JOIN clients cl ON cl.id = a.client_id \
             JOIN contacts c ON c.id = cl.contact_id ORDER BY c.name",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TrustBalance {
                    client_id: r.id("client_id")?,
                    client_name: r.text("client_name")?,
                    balance: dec(r, "balance")?,
                    postings: r.int("postings")?,
                })
            })
            .collect()
    }

    /// Stores an imported bank statement: the file in the blob store, the parsed form here.
    pub async fn save_bank_statement(
        &self,
        s: &BankStatementRow,
        file: &[u8],
        audit: AuditEvent,
    ) -> Result<BankStatementRow> {
        let mut s = s.clone();
        s.blob_sha256 = self.blobs.put(file).await?;
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO bank_statements (id, filename, format, blob_sha256, as_of, closing_balance, transactions, imported_by, imported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(s.id.to_string())
        .bind(&s.filename)
        .bind(&s.format)
        .bind(&s.blob_sha256)
        .bind(s.as_of.to_string())
        .bind(money(s.closing_balance))
        .bind(&s.transactions)
        .bind(s.imported_by.to_string())
        .bind(ts(s.imported_at))
        .execute(&mut *tx)
        .await?;
        append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn bank_statements(&self) -> Result<Vec<BankStatementRow>> {
        let rows = sqlx::query("SELECT * FROM bank_statements ORDER BY imported_at DESC, id DESC")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(BankStatementRow {
                    id: r.id("id")?,
                    filename: r.text("filename")?,
                    format: r.text("format")?,
                    blob_sha256: r.text("blob_sha256")?,
                    as_of: parse_date(&r.text("as_of")?)?,
                    closing_balance: dec(r, "closing_balance")?,
                    transactions: r.text("transactions")?,
                    imported_by: r.id("imported_by")?,
                    imported_at: r.time("imported_at")?,
                })
            })
            .collect()
    }
}
