//! Use cases for time, expenses, rates, the billing cycle, payments, trust accounting and LEDES export.
//!
//! Who may do what (checked here, before any data is touched, on top of matter visibility):
//! - admins and attorneys bill: rates, write-downs, approval, issue, payments, reports, trust;
//! - staff and virtual assistants enter time and expenses and prepare pre-bills on matters they
//!   can see;
//! - LPO users and clients see no billing at all.

use crate::{App, AppError, Result};
use billing::invoice::{
    Address, Invoice, InvoiceLine, InvoiceNumbering, LineKind, Party, Timekeeper,
};
use billing::ledes::LedesFormat;
use billing::rates::{FeeArrangement, Markup, RateTable};
use billing::time::{RoundingMode, RoundingRule};
use billing::trust::{EntryId, EntryKind, Journal, NewEntry, ReconciliationReport};
use chrono::{Datelike, NaiveDate};
use domain::{Action, Actor, Id, Role};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use store::billing::{
    BankStatementRow, EntryFilter, ExpenseRow, InvoiceLineRow, InvoiceRow, PaymentRow, RateRow,
    TimeEntryRow, TimerRow, TrustBalance, TrustEntryRow,
};

/// The settings key holding [`BillingSettings`] as JSON.
pub const SETTINGS_KEY: &str = "billing.settings";

/// What a billing use case needs the actor to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BillingRight {
    /// Record time and expenses, run timers.
    EnterTime,
    /// Create a pre-bill (draft invoice) and look at invoices.
    PrepareBill,
    /// Adjust, approve, issue, void, take payments, see reports, set rates.
    Bill,
    /// Anything in the trust account.
    Trust,
}

/// Whether `actor`'s role carries `right` at all (matter visibility is checked separately).
pub fn may(actor: &Actor, right: BillingRight) -> bool {
    if !actor.active {
        return false;
    }
    match actor.role {
        Role::Admin | Role::Attorney => true,
        Role::Staff | Role::VirtualAssistant => {
            matches!(right, BillingRight::EnterTime | BillingRight::PrepareBill)
        }
        Role::LpoManager | Role::LpoReviewer | Role::Client => false,
    }
}

/// Firm-wide billing settings: the letterhead, currency, rounding, tax and invoice numbering.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct BillingSettings {
    pub firm_name: String,
    pub firm_tax_id: String,
    pub firm_address: Address,
    pub currency: String,
    pub rounding_increment: Decimal,
    pub rounding_mode: RoundingMode,
    /// Applied to every line of new pre-bills; zero for none.
    pub tax_rate: Decimal,
    pub tax_kind: String,
    pub numbering: InvoiceNumbering,
    /// Days after the invoice date payment is due (printed on the PDF).
    pub payment_terms_days: i64,
}

impl Default for BillingSettings {
    fn default() -> Self {
        BillingSettings {
            firm_name: "Law firm".into(),
            firm_tax_id: "00-0000000".into(),
            firm_address: Address::default(),
            currency: "USD".into(),
            rounding_increment: Decimal::new(1, 1),
            rounding_mode: RoundingMode::Up,
            tax_rate: Decimal::ZERO,
            tax_kind: "SALES".into(),
            numbering: InvoiceNumbering::default(),
            payment_terms_days: 30,
        }
    }
}

impl BillingSettings {
    pub fn rounding(&self) -> RoundingRule {
        RoundingRule::new(self.rounding_increment, self.rounding_mode).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TimeForm {
    pub matter_id: String,
    pub work_date: String,
    pub hours: String,
    pub task_code: String,
    pub activity_code: String,
    pub narrative: String,
    /// "on" (or "true") when billable; absent means non-billable and needs a reason.
    pub billable: Option<String>,
    pub non_billable_reason: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TimerForm {
    pub matter_id: String,
    pub narrative: String,
    pub task_code: String,
    pub activity_code: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ExpenseForm {
    pub matter_id: String,
    pub expense_date: String,
    pub code: String,
    pub description: String,
    pub quantity: String,
    pub unit_cost: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TrustForm {
    pub matter_id: String,
    pub amount: String,
    pub entry_date: String,
    pub memo: String,
    pub payee: String,
    pub reference: String,
    pub invoice_id: String,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ArrangementForm {
    pub kind: String,
    pub amount: String,
    pub percent: String,
    pub provider: String,
    pub fee_after_costs: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PaymentForm {
    pub amount: String,
    pub paid_on: String,
    /// check, wire, card, cash, trust.
    pub method: String,
    pub reference: String,
}

/// Everything the invoice page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InvoiceView {
    pub invoice: InvoiceRow,
    pub lines: Vec<InvoiceLineRow>,
    pub payments: Vec<PaymentRow>,
    pub totals: billing::invoice::InvoiceTotals,
    pub trust_balance: Decimal,
    pub can_bill: bool,
    pub can_use_trust: bool,
}

/// A/R aging, WIP, realization and collection over what the actor may see.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BillingReports {
    pub as_of: NaiveDate,
    pub aging: billing::receivables::AgingBuckets,
    pub open_invoices: Vec<InvoiceRow>,
    pub wip_time: Decimal,
    pub wip_expenses: Decimal,
    pub wip_hours: Decimal,
    /// Value of all billable time at standard rates (billed or not).
    pub worked_value: Decimal,
    pub billed: Decimal,
    pub collected: Decimal,
    pub realization: billing::receivables::Realization,
}

/// The trust page: balances per client and the journal (only matters the actor may see).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrustOverview {
    pub balances: Vec<TrustBalance>,
    pub entries: Vec<TrustEntryRow>,
    pub statements: Vec<BankStatementRow>,
    pub total: Decimal,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid { field: field.into(), message: message.into() }
}

fn parse_id(field: &str, s: &str) -> Result<Id> {
    Id::parse(s.trim()).map_err(|_| invalid(field, "choose an entry from the list"))
}

fn parse_decimal(field: &str, s: &str) -> Result<Decimal> {
    let cleaned: String = s.trim().chars().filter(|c| !matches!(c, ',' | '$' | ' ')).collect();
    Decimal::from_str(&cleaned).map_err(|_| invalid(field, "enter a number like 1250.00"))
}

fn parse_amount(field: &str, s: &str) -> Result<Decimal> {
    let d = parse_decimal(field, s)?;
    if d <= Decimal::ZERO {
        return Err(invalid(field, "enter an amount greater than zero"));
    }
    if d.scale() > 2 && d != d.round_dp(2) {
        return Err(invalid(field, "amounts have at most two decimals"));
    }
    Ok(d.round_dp(2))
}

fn parse_day(field: &str, s: &str, default: NaiveDate) -> Result<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(default);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| invalid(field, "use a date like 2026-11-30"))
}

fn opt_text(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn check_code(
    field: &str,
    code: &str,
    lookup: fn(&str) -> Option<&'static billing::utbms::UtbmsCode>,
) -> Result<Option<String>> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Ok(None);
    }
    lookup(&code)
        .map(|c| Some(c.code.to_string()))
        .ok_or_else(|| invalid(field, format!("{code} is not a UTBMS code")))
}

/// A billing period written as `2026-11` (a month) or `2026-11-01..2026-11-15`.
pub fn parse_period(s: &str) -> Result<(NaiveDate, NaiveDate)> {
    let s = s.trim();
    if let Some((a, b)) = s.split_once("..") {
        let from = parse_day("period", a, NaiveDate::MIN)?;
        let to = parse_day("period", b, NaiveDate::MIN)?;
        if to < from {
            return Err(invalid("period", "the period ends before it starts"));
        }
        return Ok((from, to));
    }
    let first = NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| {
        invalid("period", "use a month like 2026-11 or a range like 2026-11-01..2026-11-15")
    })?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .expect("the first of the next month exists");
    Ok((first, next.pred_opt().expect("the day before the first of a month exists")))
}

/// Splits a display name into (first, last) for LEDES: the last word is the last name.
fn split_name(name: &str) -> (String, String) {
    match name.trim().rsplit_once(' ') {
        Some((first, last)) => (first.to_string(), last.to_string()),
        None => (String::new(), name.trim().to_string()),
    }
}

fn line_kind(kind: &str) -> Result<LineKind> {
    Ok(match kind {
        "fee" => LineKind::Fee,
        "expense" => LineKind::Expense,
        "fee_adjustment" => LineKind::FeeAdjustment,
        "expense_adjustment" => LineKind::ExpenseAdjustment,
        other => return Err(AppError::Internal(format!("unknown invoice line kind {other:?}"))),
    })
}

/// The pure invoice model of stored lines (for totals, the PDF and LEDES).
fn model_lines(lines: &[InvoiceLineRow]) -> Result<Vec<InvoiceLine>> {
    lines
        .iter()
        .map(|l| {
            let kind = line_kind(&l.kind)?;
            let timekeeper = match (&l.timekeeper_id, &l.timekeeper_name) {
                (Some(id), Some(name)) => {
                    let (first_name, last_name) = split_name(name);
                    Some(Timekeeper {
                        id: timekeeper_code(*id),
                        first_name,
                        last_name,
                        classification: l.classification.clone().unwrap_or_else(|| "OTHER".into()),
                    })
                }
                _ => None,
            };
            Ok(InvoiceLine {
                kind,
                date: l.line_date,
                description: l.description.clone(),
                units: l.units,
                unit_cost: l.unit_cost,
                adjustment: l.adjustment,
                adjustment_reason: l.adjustment_reason.clone(),
                task_code: l.task_code.clone(),
                activity_code: l.activity_code.clone(),
                expense_code: l.expense_code.clone(),
                timekeeper,
                tax: l.tax_rate.map(|rate| billing::invoice::LineTax {
                    rate,
                    kind: l.tax_kind.clone().unwrap_or_default(),
                }),
            })
        })
        .collect()
}

/// LEDES timekeeper ids are at most 20 characters; a user's id shortened to its random tail
/// stays unique in practice and stable across invoices.
fn timekeeper_code(id: Id) -> String {
    let s = id.to_string().replace('-', "");
    format!("TK{}", &s[s.len().saturating_sub(12)..])
}

fn row_of_line(
    position: i64,
    l: &InvoiceLine,
    timekeeper: Option<(Id, String, String)>,
    at: chrono::DateTime<chrono::Utc>,
) -> InvoiceLineRow {
    let kind = match l.kind {
        LineKind::Fee => "fee",
        LineKind::Expense => "expense",
        LineKind::FeeAdjustment => "fee_adjustment",
        LineKind::ExpenseAdjustment => "expense_adjustment",
    };
    InvoiceLineRow {
        id: Id::new_at(at),
        position,
        kind: kind.into(),
        line_date: l.date,
        description: l.description.clone(),
        units: l.units,
        unit_cost: l.unit_cost,
        adjustment: l.adjustment,
        adjustment_reason: l.adjustment_reason.clone(),
        task_code: l.task_code.clone(),
        activity_code: l.activity_code.clone(),
        expense_code: l.expense_code.clone(),
        timekeeper_id: timekeeper.as_ref().map(|t| t.0),
        timekeeper_name: timekeeper.as_ref().map(|t| t.1.clone()),
        classification: timekeeper.map(|t| t.2),
        tax_rate: l.tax.as_ref().map(|t| t.rate),
        tax_kind: l.tax.as_ref().map(|t| t.kind.clone()),
    }
}

fn classification_for(role: Role) -> &'static str {
    match role {
        Role::Admin => "PARTNR",
        Role::Attorney => "ASSOC",
        Role::Staff | Role::VirtualAssistant => "PARLEG",
        _ => "OTHER",
    }
}

impl App {
    // ---- authorization -----------------------------------------------------------------------

    fn require_billing(&self, actor: &Actor, right: BillingRight) -> Result<()> {
        if may(actor, right) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// The right by role, then visibility of the matter (walls beat roles).
    async fn require_billing_on(
        &self,
        actor: &Actor,
        matter: Id,
        right: BillingRight,
    ) -> Result<()> {
        self.require_billing(actor, right)?;
        let access = self.store.matter_access(actor, matter).await?;
        self.require(actor, Action::ViewMatter(access))
    }

    /// Loads an invoice after checking the actor may see its matter with `right`.
    async fn invoice_for(
        &self,
        actor: &Actor,
        id: Id,
        right: BillingRight,
    ) -> Result<(InvoiceRow, Vec<InvoiceLineRow>)> {
        self.require_billing(actor, right)?;
        let (inv, lines) = self.store.invoice(id).await?;
        self.require_billing_on(actor, inv.matter_id, right).await?;
        Ok((inv, lines))
    }

    // ---- settings, rates, arrangements --------------------------------------------------------

    pub async fn billing_settings(&self) -> Result<BillingSettings> {
        match self.store.setting(SETTINGS_KEY).await? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| AppError::Internal(format!("billing settings: {e}"))),
            None => Ok(BillingSettings::default()),
        }
    }

    pub async fn set_billing_settings(&self, actor: &Actor, s: &BillingSettings) -> Result<()> {
        self.require(actor, Action::ManageUsers)?;
        if s.firm_name.trim().is_empty() {
            return Err(invalid("firm_name", "the letterhead needs the firm's name"));
        }
        if RoundingRule::new(s.rounding_increment, s.rounding_mode).is_err() {
            return Err(invalid("rounding_increment", "the rounding increment must be positive"));
        }
        if s.tax_rate < Decimal::ZERO || s.tax_rate >= Decimal::ONE {
            return Err(invalid("tax_rate", "a tax rate is a fraction such as 0.0825"));
        }
        let json = serde_json::to_string(s).map_err(|e| AppError::Internal(e.to_string()))?;
        let ev = self
            .event(actor, "billing.settings", "settings", SETTINGS_KEY)
            .with(serde_json::json!(s));
        Ok(self.store.set_setting(SETTINGS_KEY, &json, ev).await?)
    }

    /// Sets a timekeeper's rate: `scope` is `default`, `client` (scope_id a client) or `matter`.
    pub async fn set_rate(
        &self,
        actor: &Actor,
        user: Id,
        scope: &str,
        scope_id: Option<Id>,
        rate: Decimal,
    ) -> Result<()> {
        self.require_billing(actor, BillingRight::Bill)?;
        let target = self.store.user(user).await?;
        if rate < Decimal::ZERO {
            return Err(invalid("rate", "a rate cannot be negative"));
        }
        match (scope, scope_id) {
            ("default", None) => {}
            ("client", Some(c)) => {
                self.store.client(c).await?;
            }
            ("matter", Some(m)) => self.require_billing_on(actor, m, BillingRight::Bill).await?,
            _ => {
                return Err(invalid(
                    "scope",
                    "a rate is a default, or for one client or one matter",
                ));
            }
        }
        let row = RateRow {
            user_id: user,
            user_name: target.display_name.clone(),
            scope: scope.into(),
            scope_id,
            rate,
            classification: classification_for(target.role).into(),
        };
        let ev = self.event(actor, "billing.rate_set", "user", user).with(serde_json::json!({
            "scope": scope, "scope_id": scope_id.map(|i| i.to_string()), "rate": rate.to_string()
        }));
        Ok(self.store.set_rate(&row, self.now(), ev).await?)
    }

    pub async fn rates(&self, actor: &Actor) -> Result<Vec<RateRow>> {
        self.require_billing(actor, BillingRight::Bill)?;
        Ok(self.store.rates().await?)
    }

    async fn rate_table(&self) -> Result<(RateTable, HashMap<Id, String>)> {
        let mut table = RateTable::new();
        let mut classes = HashMap::new();
        for r in self.store.rates().await? {
            let user = r.user_id.to_string();
            match (r.scope.as_str(), r.scope_id) {
                ("client", Some(c)) => {
                    table.set_client_rate(&c.to_string(), &user, r.rate);
                }
                ("matter", Some(m)) => {
                    table.set_matter_rate(&m.to_string(), &user, r.rate);
                }
                _ => {
                    table.set_default(&user, r.rate);
                    classes.insert(r.user_id, r.classification.clone());
                }
            }
        }
        Ok((table, classes))
    }

    pub async fn set_arrangement(
        &self,
        actor: &Actor,
        matter: Id,
        arrangement: &FeeArrangement,
    ) -> Result<()> {
        self.require_billing_on(actor, matter, BillingRight::Bill).await?;
        let kind = match arrangement {
            FeeArrangement::Hourly => "hourly",
            FeeArrangement::FlatFee { .. } => "flat_fee",
            FeeArrangement::Contingency { .. } => "contingency",
            FeeArrangement::EvergreenRetainer { .. } => "evergreen_retainer",
            FeeArrangement::PassThrough { .. } => "pass_through",
        };
        let detail =
            serde_json::to_value(arrangement).map_err(|e| AppError::Internal(e.to_string()))?;
        let ev =
            self.event(actor, "billing.arrangement_set", "matter", matter).with(detail.clone());
        Ok(self.store.set_arrangement(matter, kind, &detail, self.now(), ev).await?)
    }

    /// Sets a matter's arrangement from a form: `kind` is hourly, flat_fee (amount),
    /// contingency (percent, e.g. 33), evergreen_retainer (amount = minimum trust balance) or
    /// pass_through (provider, percent = markup).
    pub async fn set_arrangement_form(
        &self,
        actor: &Actor,
        matter: Id,
        f: &ArrangementForm,
    ) -> Result<FeeArrangement> {
        let percent = |field: &str| -> Result<Decimal> {
            let p = parse_decimal(field, &f.percent)?;
            if p < Decimal::ZERO || p > Decimal::from(100) {
                return Err(invalid(field, "a percentage between 0 and 100"));
            }
            Ok(p / Decimal::from(100))
        };
        let arrangement = match f.kind.trim() {
            "hourly" => FeeArrangement::Hourly,
            "flat_fee" => FeeArrangement::FlatFee { amount: parse_amount("amount", &f.amount)? },
            "contingency" => FeeArrangement::Contingency {
                percent: percent("percent")?,
                fee_after_costs: f.fee_after_costs.is_some(),
            },
            "evergreen_retainer" => FeeArrangement::EvergreenRetainer {
                minimum_balance: parse_amount("amount", &f.amount)?,
            },
            "pass_through" => FeeArrangement::PassThrough {
                provider: domain::validate::required("provider", &f.provider, 200)?,
                unit_prices: BTreeMap::new(),
                retainer_hours: None,
                markup: if f.percent.trim().is_empty() {
                    None
                } else {
                    Some(Markup::Percent(percent("percent")?))
                },
            },
            _ => {
                return Err(invalid(
                    "kind",
                    "choose hourly, flat fee, contingency, evergreen retainer or pass-through",
                ));
            }
        };
        self.set_arrangement(actor, matter, &arrangement).await?;
        Ok(arrangement)
    }

    /// The matter's fee arrangement (hourly unless set otherwise).
    pub async fn arrangement(&self, actor: &Actor, matter: Id) -> Result<FeeArrangement> {
        self.require_billing_on(actor, matter, BillingRight::PrepareBill).await?;
        self.stored_arrangement(matter).await
    }

    async fn stored_arrangement(&self, matter: Id) -> Result<FeeArrangement> {
        match self.store.arrangement(matter).await? {
            Some((_, detail)) => serde_json::from_value(detail)
                .map_err(|e| AppError::Internal(format!("arrangement: {e}"))),
            None => Ok(FeeArrangement::Hourly),
        }
    }

    // ---- time and timers ---------------------------------------------------------------------

    /// Records a manual time entry, rounded by the firm's rule.
    pub async fn add_time_entry(&self, actor: &Actor, f: &TimeForm) -> Result<TimeEntryRow> {
        let matter = parse_id("matter_id", &f.matter_id)?;
        self.require_billing_on(actor, matter, BillingRight::EnterTime).await?;
        let recorded = parse_decimal("hours", &f.hours)?;
        if recorded <= Decimal::ZERO || recorded > Decimal::from(24) {
            return Err(invalid("hours", "enter between 0.1 and 24 hours"));
        }
        let today = self.now().date_naive();
        let entry = self
            .time_entry_row(
                actor,
                matter,
                parse_day("work_date", &f.work_date, today)?,
                recorded,
                &f.task_code,
                &f.activity_code,
                &f.narrative,
                f.billable.is_some(),
                &f.non_billable_reason,
            )
            .await?;
        let ev = self.event(actor, "time.create", "time_entry", entry.id).with(serde_json::json!({
            "matter": matter.to_string(), "hours": entry.hours.to_string(), "billable": entry.billable
        }));
        self.store.create_time_entry(&entry, ev).await?;
        Ok(entry)
    }

    #[allow(clippy::too_many_arguments)]
    async fn time_entry_row(
        &self,
        actor: &Actor,
        matter: Id,
        date: NaiveDate,
        recorded: Decimal,
        task: &str,
        activity: &str,
        narrative: &str,
        billable: bool,
        reason: &str,
    ) -> Result<TimeEntryRow> {
        let narrative = domain::validate::required("narrative", narrative, 4000)?;
        let task_code = check_code("task_code", task, billing::utbms::task_code)?;
        let activity_code = check_code("activity_code", activity, billing::utbms::activity_code)?;
        let non_billable_reason = opt_text(reason);
        if !billable && non_billable_reason.is_none() {
            return Err(invalid("non_billable_reason", "say why this time is not billable"));
        }
        let hours = self
            .billing_settings()
            .await?
            .rounding()
            .apply(recorded)
            .map_err(|e| invalid("hours", e.to_string()))?;
        let now = self.now();
        Ok(TimeEntryRow {
            id: Id::new_at(now),
            matter_id: matter,
            matter_number: String::new(),
            user_id: actor.user_id,
            user_name: String::new(),
            work_date: date,
            recorded_hours: recorded.round_dp(4),
            hours,
            task_code,
            activity_code,
            narrative,
            billable,
            non_billable_reason: if billable { None } else { non_billable_reason },
            status: "unbilled".into(),
            invoice_id: None,
            created_by: actor.user_id,
            created_at: now,
        })
    }

    /// Time the actor may see: their own for staff and assistants, the matters' for billers.
    pub async fn time_entries(
        &self,
        actor: &Actor,
        filter: &EntryFilter,
    ) -> Result<Vec<TimeEntryRow>> {
        self.require_billing(actor, BillingRight::EnterTime)?;
        let mut f = filter.clone();
        if !may(actor, BillingRight::Bill) && f.matter_id.is_none() {
            f.user_id = Some(actor.user_id);
        }
        Ok(self.store.time_entries(Some(actor), &f).await?)
    }

    pub async fn start_timer(&self, actor: &Actor, f: &TimerForm) -> Result<TimerRow> {
        let matter = parse_id("matter_id", &f.matter_id)?;
        self.require_billing_on(actor, matter, BillingRight::EnterTime).await?;
        let now = self.now();
        let t = TimerRow {
            id: Id::new_at(now),
            user_id: actor.user_id,
            matter_id: matter,
            matter_number: String::new(),
            narrative: f.narrative.trim().chars().take(4000).collect(),
            task_code: check_code("task_code", &f.task_code, billing::utbms::task_code)?,
            activity_code: check_code(
                "activity_code",
                &f.activity_code,
                billing::utbms::activity_code,
            )?,
            started_at: now,
        };
        let ev = self
            .event(actor, "time.timer_start", "timer", t.id)
            .with(serde_json::json!({"matter": matter.to_string()}));
        self.store.start_timer(&t, ev).await?;
        Ok(t)
    }

    pub async fn running_timers(&self, actor: &Actor) -> Result<Vec<TimerRow>> {
        self.require_billing(actor, BillingRight::EnterTime)?;
        Ok(self.store.running_timers(actor.user_id).await?)
    }

    /// Stops one of the actor's running timers into a billable time entry (a timer that ran
    /// less than the rounding increment still bills one increment when rounding up).
    pub async fn stop_timer(&self, actor: &Actor, timer: Id) -> Result<TimeEntryRow> {
        self.require_billing(actor, BillingRight::EnterTime)?;
        let t = self
            .store
            .running_timers(actor.user_id)
            .await?
            .into_iter()
            .find(|t| t.id == timer)
            .ok_or(AppError::NotFound("running timer"))?;
        self.require_billing_on(actor, t.matter_id, BillingRight::EnterTime).await?;
        let now = self.now();
        let recorded = billing::time::elapsed_hours(t.started_at, now)
            .map_err(|e| invalid("timer", e.to_string()))?;
        let narrative = if t.narrative.trim().is_empty() {
            "Work on matter (timer)".to_string()
        } else {
            t.narrative.clone()
        };
        let mut entry = self
            .time_entry_row(
                actor,
                t.matter_id,
                now.date_naive(),
                recorded,
                t.task_code.as_deref().unwrap_or(""),
                t.activity_code.as_deref().unwrap_or(""),
                &narrative,
                true,
                "",
            )
            .await?;
        if entry.hours.is_zero() {
            // A timer that ran at all bills at least one increment.
            entry.hours = self.billing_settings().await?.rounding_increment;
        }
        let ev = self.event(actor, "time.timer_stop", "timer", t.id).with(serde_json::json!({
            "time_entry": entry.id.to_string(), "recorded_hours": entry.recorded_hours.to_string(), "hours": entry.hours.to_string()
        }));
        self.store.stop_timer(t.id, now, &entry, ev).await?;
        Ok(entry)
    }

    // ---- expenses and pass-through -----------------------------------------------------------

    pub async fn add_expense(
        &self,
        actor: &Actor,
        f: &ExpenseForm,
        receipt: Option<(&str, &[u8])>,
    ) -> Result<ExpenseRow> {
        let matter = parse_id("matter_id", &f.matter_id)?;
        self.require_billing_on(actor, matter, BillingRight::EnterTime).await?;
        let code = check_code("code", &f.code, billing::utbms::expense_code)?
            .ok_or_else(|| invalid("code", "choose a UTBMS expense code"))?;
        let quantity = if f.quantity.trim().is_empty() {
            Decimal::ONE
        } else {
            parse_decimal("quantity", &f.quantity)?
        };
        if quantity <= Decimal::ZERO {
            return Err(invalid("quantity", "enter a quantity greater than zero"));
        }
        let unit_cost = parse_amount("unit_cost", &f.unit_cost)?;
        let receipt_name = match receipt {
            Some((name, bytes)) => {
                if bytes.len() > crate::MAX_ATTACHMENT_BYTES {
                    return Err(invalid(
                        "receipt",
                        format!(
                            "receipts may be at most {} MB",
                            crate::MAX_ATTACHMENT_BYTES / 1024 / 1024
                        ),
                    ));
                }
                let name: String = name
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("receipt")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                crate::attachment_type(&name)
                    .map_err(|_| invalid("receipt", "receipts may be PDF, PNG or JPEG files"))?;
                Some(name)
            }
            None => None,
        };
        let now = self.now();
        let e = ExpenseRow {
            id: Id::new_at(now),
            matter_id: matter,
            matter_number: String::new(),
            user_id: actor.user_id,
            expense_date: parse_day("expense_date", &f.expense_date, now.date_naive())?,
            code,
            description: domain::validate::required("description", &f.description, 2000)?,
            quantity,
            unit_cost,
            markup: Decimal::ZERO,
            receipt_sha256: None,
            receipt_name,
            status: "unbilled".into(),
            invoice_id: None,
            created_at: now,
        };
        let ev = self.event(actor, "expense.create", "expense", e.id).with(serde_json::json!({
            "matter": matter.to_string(), "amount": e.amount().to_string(), "code": e.code
        }));
        Ok(self.store.create_expense(&e, receipt.map(|(_, b)| b), ev).await?)
    }

    /// The receipt of an expense, for download.
    pub async fn expense_receipt(&self, actor: &Actor, expense: Id) -> Result<(String, Vec<u8>)> {
        self.require_billing(actor, BillingRight::EnterTime)?;
        let e = self.store.expense(expense).await?;
        self.require_billing_on(actor, e.matter_id, BillingRight::EnterTime).await?;
        let (Some(sha), Some(name)) = (e.receipt_sha256, e.receipt_name) else {
            return Err(AppError::NotFound("receipt"));
        };
        Ok((name, self.store.blobs().get(&sha).await?))
    }

    pub async fn expenses(&self, actor: &Actor, filter: &EntryFilter) -> Result<Vec<ExpenseRow>> {
        self.require_billing(actor, BillingRight::EnterTime)?;
        let mut f = filter.clone();
        if !may(actor, BillingRight::Bill) && f.matter_id.is_none() {
            f.user_id = Some(actor.user_id);
        }
        Ok(self.store.expenses(Some(actor), &f).await?)
    }

    /// Bills provider work through to the client: `units` at `unit_price`, plus an optional
    /// markup (a fraction of the cost), as a UTBMS E123 ("other professionals") charge on the
    /// matter's next pre-bill. Delegation records the delivered units; the lead wires it here.
    pub async fn add_pass_through(
        &self,
        actor: &Actor,
        matter: Id,
        description: &str,
        units: Decimal,
        unit_price: Decimal,
        markup: Option<Decimal>,
    ) -> Result<ExpenseRow> {
        self.require_billing_on(actor, matter, BillingRight::Bill).await?;
        if units <= Decimal::ZERO || unit_price < Decimal::ZERO {
            return Err(invalid("units", "units must be positive and prices not negative"));
        }
        let mut prices = BTreeMap::new();
        prices.insert("units".to_string(), unit_price);
        let charge = billing::rates::pass_through_charge(
            &prices,
            &[("units".into(), units)],
            Decimal::ZERO,
            markup.map(Markup::Percent),
        )
        .map_err(|e| invalid("units", e.to_string()))?;
        let now = self.now();
        let e = ExpenseRow {
            id: Id::new_at(now),
            matter_id: matter,
            matter_number: String::new(),
            user_id: actor.user_id,
            expense_date: now.date_naive(),
            code: "E123".into(),
            description: domain::validate::required("description", description, 2000)?,
            quantity: units,
            unit_cost: unit_price,
            markup: charge.markup,
            receipt_sha256: None,
            receipt_name: None,
            status: "unbilled".into(),
            invoice_id: None,
            created_at: now,
        };
        let ev = self.event(actor, "expense.pass_through", "expense", e.id).with(serde_json::json!({
            "matter": matter.to_string(), "cost": charge.cost.to_string(), "markup": charge.markup.to_string()
        }));
        Ok(self.store.create_expense(&e, None, ev).await?)
    }

    // ---- the billing cycle -------------------------------------------------------------------

    /// Creates the pre-bill (a draft invoice) for a matter and period from its unbilled time and
    /// expenses, priced by the matter's arrangement and the rate table.
    pub async fn create_prebill(
        &self,
        actor: &Actor,
        matter: Id,
        period: (NaiveDate, NaiveDate),
    ) -> Result<InvoiceRow> {
        self.require_billing_on(actor, matter, BillingRight::PrepareBill).await?;
        let m = self.store.matter(matter).await?;
        let settings = self.billing_settings().await?;
        let arrangement = self.stored_arrangement(matter).await?;
        let filter = EntryFilter {
            matter_id: Some(matter),
            unbilled_only: true,
            from: Some(period.0),
            to: Some(period.1),
            ..Default::default()
        };
        let time: Vec<TimeEntryRow> = self
            .store
            .time_entries(None, &filter)
            .await?
            .into_iter()
            .filter(|t| t.billable)
            .collect();
        let expenses = self.store.expenses(None, &filter).await?;
        if time.is_empty() && expenses.is_empty() {
            return Err(invalid(
                "period",
                "there is no unbilled billable time or expense on this matter in that period",
            ));
        }
        let (rates, classes) = self.rate_table().await?;
        let mut names: HashMap<Id, (String, Role)> = HashMap::new();
        let now = self.now();
        let mut lines: Vec<InvoiceLineRow> = Vec::new();
        let tax = |l: InvoiceLine| {
            if settings.tax_rate.is_zero() {
                l
            } else {
                l.with_tax(settings.tax_rate, &settings.tax_kind)
            }
        };
        let bills_hours = matches!(
            arrangement,
            FeeArrangement::Hourly
                | FeeArrangement::EvergreenRetainer { .. }
                | FeeArrangement::PassThrough { .. }
        );
        for t in &time {
            if !bills_hours {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(t.user_id) {
                let u = self.store.user(t.user_id).await?;
                slot.insert((u.display_name, u.role));
            }
            let (name, role) = names[&t.user_id].clone();
            let rate = rates
                .resolve(&t.user_id.to_string(), &m.client_id.to_string(), &matter.to_string())
                .map_err(|_| {
                    invalid(
                        "rates",
                        format!("{name} has no billing rate; set one on the billing rates page"),
                    )
                })?;
            let (first_name, last_name) = split_name(&name);
            let classification =
                classes.get(&t.user_id).cloned().unwrap_or_else(|| classification_for(role).into());
            let tk = Timekeeper {
                id: timekeeper_code(t.user_id),
                first_name,
                last_name,
                classification: classification.clone(),
            };
            let line =
                tax(InvoiceLine::fee(t.work_date, tk, t.hours, rate.hourly_rate, &t.narrative)
                    .with_codes(t.task_code.as_deref(), t.activity_code.as_deref()));
            lines.push(row_of_line(
                lines.len() as i64 + 1,
                &line,
                Some((t.user_id, name, classification)),
                now,
            ));
        }
        match &arrangement {
            FeeArrangement::FlatFee { amount } => {
                let mut line = InvoiceLine::expense(
                    period.1,
                    "",
                    Decimal::ONE,
                    *amount,
                    "Flat fee per engagement letter",
                );
                line.kind = LineKind::Fee;
                line.expense_code = None;
                lines.push(row_of_line(lines.len() as i64 + 1, &tax(line), None, now));
            }
            FeeArrangement::Contingency { percent, .. } => {
                // The fee is taken from the recovery at settlement, not billed by period.
                let _ = percent;
            }
            _ => {}
        }
        for e in &expenses {
            let line = tax(InvoiceLine::expense(
                e.expense_date,
                &e.code,
                e.quantity,
                e.unit_cost,
                &e.description,
            ));
            lines.push(row_of_line(lines.len() as i64 + 1, &line, None, now));
            if !e.markup.is_zero() {
                let markup = tax(InvoiceLine::expense(
                    e.expense_date,
                    &e.code,
                    Decimal::ONE,
                    e.markup,
                    &format!("Markup on {}", e.description),
                ));
                lines.push(row_of_line(lines.len() as i64 + 1, &markup, None, now));
            }
        }
        let total = total_of(&lines)?;
        let inv = InvoiceRow {
            id: Id::new_at(now),
            matter_id: matter,
            matter_number: m.number.clone(),
            matter_title: m.title.clone(),
            client_id: m.client_id,
            client_name: String::new(),
            number: None,
            status: "draft".into(),
            period_start: period.0,
            period_end: period.1,
            invoice_date: None,
            description: format!("Professional services {} to {}", period.0, period.1),
            currency: settings.currency.clone(),
            total,
            paid: Decimal::ZERO,
            created_by: actor.user_id,
            created_at: now,
            version: 1,
        };
        let time_ids: Vec<Id> = time.iter().map(|t| t.id).collect();
        let expense_ids: Vec<Id> = expenses.iter().map(|e| e.id).collect();
        let ev = self.event(actor, "invoice.prebill", "invoice", inv.id).with(serde_json::json!({
            "matter": matter.to_string(), "period": [period.0.to_string(), period.1.to_string()],
            "time_entries": time_ids.len(), "expenses": expense_ids.len(), "total": total.to_string()
        }));
        self.store.create_invoice(&inv, &lines, &time_ids, &expense_ids, ev).await?;
        Ok(self.store.invoice(inv.id).await?.0)
    }

    pub async fn invoices(&self, actor: &Actor, matter: Option<Id>) -> Result<Vec<InvoiceRow>> {
        self.require_billing(actor, BillingRight::PrepareBill)?;
        Ok(self.store.invoices(Some(actor), matter).await?)
    }

    pub async fn invoice_view(&self, actor: &Actor, id: Id) -> Result<InvoiceView> {
        let (invoice, lines) = self.invoice_for(actor, id, BillingRight::PrepareBill).await?;
        let totals = invoice_totals(&lines)?;
        let trust_balance = self
            .store
            .trust_balances()
            .await?
            .into_iter()
            .find(|b| b.client_id == invoice.client_id)
            .map(|b| b.balance)
            .unwrap_or_default();
        Ok(InvoiceView {
            payments: self.store.payments(id).await?,
            can_bill: may(actor, BillingRight::Bill),
            can_use_trust: may(actor, BillingRight::Trust),
            invoice,
            lines,
            totals,
            trust_balance,
        })
    }

    /// Writes a draft line down by `amount` (up, when negative) with a reason.
    pub async fn write_down(
        &self,
        actor: &Actor,
        invoice: Id,
        position: i64,
        amount: &str,
        reason: &str,
    ) -> Result<InvoiceRow> {
        let (inv, lines) = self.invoice_for(actor, invoice, BillingRight::Bill).await?;
        let amount = parse_decimal("amount", amount)?.round_dp(2);
        let reason = domain::validate::required("reason", reason, 500)?;
        let mut model = model_lines(&lines)?;
        let index = lines
            .iter()
            .position(|l| l.position == position)
            .ok_or(AppError::NotFound("invoice line"))?;
        if amount > model[index].gross() + model[index].adjustment {
            return Err(invalid("amount", "a write-down cannot exceed the line's amount"));
        }
        model[index] = model[index].clone().write_down(amount, &reason);
        let ev =
            self.event(actor, "invoice.write_down", "invoice", invoice).with(serde_json::json!({
                "line": position, "amount": amount.to_string(), "reason": reason
            }));
        self.save_draft(inv, &lines, model, ev).await
    }

    /// Adds an invoice-level discount on fees: `percent` (10 for ten percent) or an amount.
    pub async fn discount(
        &self,
        actor: &Actor,
        invoice: Id,
        percent: &str,
        amount: &str,
        reason: &str,
    ) -> Result<InvoiceRow> {
        let (inv, lines) = self.invoice_for(actor, invoice, BillingRight::Bill).await?;
        let reason = domain::validate::required("reason", reason, 500)?;
        let discount = match (opt_text(percent), opt_text(amount)) {
            (Some(p), None) => billing::invoice::Discount::Percent(
                parse_decimal("percent", &p)? / Decimal::from(100),
            ),
            (None, Some(a)) => billing::invoice::Discount::Amount(parse_amount("amount", &a)?),
            _ => return Err(invalid("percent", "give either a percentage or an amount")),
        };
        let mut model = self.invoice_model(&inv, &lines).await?;
        let taken = model
            .add_discount(true, discount, &reason)
            .map_err(|e| invalid("percent", e.to_string()))?;
        let ev = self
            .event(actor, "invoice.discount", "invoice", invoice)
            .with(serde_json::json!({"amount": taken.to_string(), "reason": reason}));
        self.save_draft(inv, &lines, model.lines, ev).await
    }

    async fn save_draft(
        &self,
        inv: InvoiceRow,
        old: &[InvoiceLineRow],
        model: Vec<InvoiceLine>,
        ev: store::AuditEvent,
    ) -> Result<InvoiceRow> {
        let now = self.now();
        let rows: Vec<InvoiceLineRow> = model
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let tk = old.get(i).and_then(|o| {
                    Some((
                        o.timekeeper_id?,
                        o.timekeeper_name.clone()?,
                        o.classification.clone().unwrap_or_default(),
                    ))
                });
                let mut row = row_of_line(i as i64 + 1, l, tk, now);
                if let Some(o) = old.get(i) {
                    row.id = o.id;
                }
                row
            })
            .collect();
        let total = total_of(&rows)?;
        self.store.replace_draft_lines(inv.id, inv.version, &rows, total, now, ev).await?;
        Ok(self.store.invoice(inv.id).await?.0)
    }

    pub async fn approve_invoice(&self, actor: &Actor, invoice: Id) -> Result<()> {
        self.invoice_for(actor, invoice, BillingRight::Bill).await?;
        let ev = self.event(actor, "invoice.approve", "invoice", invoice);
        self.store
            .transition_invoice(invoice, &["draft"], "approved", None, self.now(), ev)
            .await?;
        Ok(())
    }

    /// Issues an approved invoice: the next number of the year, today's date.
    pub async fn issue_invoice(&self, actor: &Actor, invoice: Id) -> Result<String> {
        let (inv, _) = self.invoice_for(actor, invoice, BillingRight::Bill).await?;
        let settings = self.billing_settings().await?;
        let date = self.now().date_naive();
        let year = date.year();
        let format =
            move |seq: i64| settings.numbering.format(year, u64::try_from(seq).unwrap_or_default());
        let ev = self
            .event(actor, "invoice.issue", "invoice", invoice)
            .with(serde_json::json!({"total": inv.total.to_string()}));
        self.store
            .transition_invoice(
                invoice,
                &["approved"],
                "issued",
                Some((date, &format)),
                self.now(),
                ev,
            )
            .await?
            .ok_or_else(|| AppError::Internal("issuing returned no number".into()))
    }

    /// Voids an invoice with no payments; its time and expenses become unbilled again.
    pub async fn void_invoice(&self, actor: &Actor, invoice: Id, reason: &str) -> Result<()> {
        self.invoice_for(actor, invoice, BillingRight::Bill).await?;
        let reason = domain::validate::required("reason", reason, 500)?;
        let ev = self
            .event(actor, "invoice.void", "invoice", invoice)
            .with(serde_json::json!({"reason": reason}));
        self.store
            .transition_invoice(
                invoice,
                &["draft", "approved", "issued"],
                "void",
                None,
                self.now(),
                ev,
            )
            .await?;
        Ok(())
    }

    /// Records a payment by check, wire, card or cash; `trust` goes through the trust journal.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        invoice: Id,
        f: &PaymentForm,
    ) -> Result<String> {
        if f.method == "trust" {
            return self.pay_from_trust(actor, invoice, &f.amount, &f.paid_on).await;
        }
        self.invoice_for(actor, invoice, BillingRight::Bill).await?;
        if !matches!(f.method.as_str(), "check" | "wire" | "card" | "cash") {
            return Err(invalid("method", "choose check, wire, card, cash or trust"));
        }
        let amount = parse_amount("amount", &f.amount)?;
        let now = self.now();
        let p = PaymentRow {
            id: Id::new_at(now),
            invoice_id: invoice,
            paid_on: parse_day("paid_on", &f.paid_on, now.date_naive())?,
            amount,
            method: f.method.clone(),
            reference: opt_text(&f.reference),
            trust_entry_id: None,
            created_by: actor.user_id,
            created_at: now,
        };
        let ev = self
            .event(actor, "invoice.payment", "invoice", invoice)
            .with(serde_json::json!({"amount": amount.to_string(), "method": p.method}));
        Ok(self.store.record_payment(&p, ev).await?)
    }

    /// Reverses a check, wire, card or cash payment by recording its negative (nothing is
    /// deleted); the invoice goes back to issued or partially paid. Trust payments are reversed
    /// through their trust entry, so ledger and invoice stay in step.
    pub async fn reverse_payment(
        &self,
        actor: &Actor,
        invoice: Id,
        payment: Id,
        reason: &str,
    ) -> Result<String> {
        self.invoice_for(actor, invoice, BillingRight::Bill).await?;
        let reason = domain::validate::required("reason", reason, 500)?;
        let payments = self.store.payments(invoice).await?;
        let original =
            payments.iter().find(|p| p.id == payment).ok_or(AppError::NotFound("payment"))?;
        if original.method == "trust" {
            return Err(AppError::Conflict(
                "reverse the trust transfer on the trust page instead".into(),
            ));
        }
        let marker = format!("reversal of {}", original.id);
        if original.amount <= Decimal::ZERO
            || payments.iter().any(|p| p.reference.as_deref() == Some(marker.as_str()))
        {
            return Err(AppError::Conflict(
                "this payment has already been reversed or is a reversal".into(),
            ));
        }
        let now = self.now();
        let p = PaymentRow {
            id: Id::new_at(now),
            invoice_id: invoice,
            paid_on: now.date_naive(),
            amount: -original.amount,
            method: original.method.clone(),
            reference: Some(marker),
            trust_entry_id: None,
            created_by: actor.user_id,
            created_at: now,
        };
        let ev = self.event(actor, "invoice.payment_reverse", "invoice", invoice).with(serde_json::json!({
            "payment": payment.to_string(), "amount": original.amount.to_string(), "reason": reason
        }));
        Ok(self.store.record_payment(&p, ev).await?)
    }

    /// Pays an invoice from the client's trust ledger: a transfer to operating against the
    /// invoice and the payment, in one transaction.
    pub async fn pay_from_trust(
        &self,
        actor: &Actor,
        invoice: Id,
        amount: &str,
        date: &str,
    ) -> Result<String> {
        let (inv, _) = self.invoice_for(actor, invoice, BillingRight::Trust).await?;
        let amount = parse_amount("amount", amount)?;
        let now = self.now();
        let entry_date = parse_day("paid_on", date, now.date_naive())?;
        let label = inv.number.clone().unwrap_or_else(|| "draft".into());
        let e = TrustEntryRow {
            id: Id::new_at(now),
            client_id: inv.client_id,
            client_name: inv.client_name.clone(),
            matter_id: Some(inv.matter_id),
            entry_date,
            kind: "transfer".into(),
            amount: -amount,
            memo: format!("Transfer to operating for invoice {label}"),
            payee: None,
            reference: Some(label.clone()),
            invoice_id: Some(invoice),
            reversal_of: None,
            balance_after: Decimal::ZERO,
            created_by: actor.user_id,
            created_at: now,
        };
        let p = PaymentRow {
            id: Id::new_at(now),
            invoice_id: invoice,
            paid_on: entry_date,
            amount,
            method: "trust".into(),
            reference: Some(label),
            trust_entry_id: Some(e.id),
            created_by: actor.user_id,
            created_at: now,
        };
        let ev = self.event(actor, "trust.transfer", "invoice", invoice).with(
            serde_json::json!({"amount": amount.to_string(), "trust_entry": e.id.to_string()}),
        );
        self.store.post_trust_entry(&e, Some(&p), ev).await?;
        Ok(self.store.invoice(invoice).await?.0.status)
    }

    // ---- invoice documents -------------------------------------------------------------------

    /// The pure invoice model of a stored invoice, with the firm's letterhead from settings.
    pub async fn invoice_model(
        &self,
        inv: &InvoiceRow,
        lines: &[InvoiceLineRow],
    ) -> Result<Invoice> {
        let settings = self.billing_settings().await?;
        let client = self.store.client(inv.client_id).await?;
        Ok(Invoice {
            number: inv.number.clone().unwrap_or_else(|| "DRAFT".into()),
            date: inv.invoice_date.unwrap_or(inv.period_end),
            billing_start: inv.period_start,
            billing_end: inv.period_end,
            description: inv.description.clone(),
            client: Party {
                id: client.code.clone(),
                name: client.name.clone(),
                tax_id: None,
                address: None,
            },
            law_firm: Party {
                id: settings.firm_tax_id.clone(),
                name: settings.firm_name.clone(),
                tax_id: opt_text(&settings.firm_tax_id),
                address: Some(settings.firm_address.clone()),
            },
            law_firm_matter_id: inv.matter_number.clone(),
            client_matter_id: None,
            matter_name: inv.matter_title.clone(),
            po_number: None,
            currency: inv.currency.clone(),
            lines: model_lines(lines)?,
        })
    }

    /// The invoice as a PDF with the firm's letterhead; returns (file name, bytes).
    pub async fn invoice_pdf(&self, actor: &Actor, id: Id) -> Result<(String, Vec<u8>)> {
        let (inv, lines) = self.invoice_for(actor, id, BillingRight::PrepareBill).await?;
        let settings = self.billing_settings().await?;
        let model = self.invoice_model(&inv, &lines).await?;
        let stamp = match inv.status.as_str() {
            "draft" | "approved" => Some(format!("PRE-BILL ({}) - not an invoice", inv.status)),
            "void" => Some("VOID".to_string()),
            _ => inv.invoice_date.map(|d| {
                format!(
                    "Payment due by {}",
                    d + chrono::Duration::days(settings.payment_terms_days)
                )
            }),
        };
        let options = billing::pdf::PdfOptions {
            stamp,
            footer: vec![format!(
                "Please quote invoice {} with your payment. Questions: {}.",
                model.number, settings.firm_name
            )],
        };
        Ok((format!("{}.pdf", model.number), billing::pdf::render_invoice_pdf(&model, &options)))
    }

    /// The invoice in LEDES 1998B or 98BI, checked by the validator before it leaves.
    pub async fn invoice_ledes(
        &self,
        actor: &Actor,
        id: Id,
        format: LedesFormat,
    ) -> Result<(String, String)> {
        let (inv, lines) = self.invoice_for(actor, id, BillingRight::PrepareBill).await?;
        if inv.number.is_none() || inv.status == "void" {
            return Err(AppError::Conflict("only issued invoices can be exported to LEDES".into()));
        }
        let model = self.invoice_model(&inv, &lines).await?;
        let text = billing::ledes::export(format, std::slice::from_ref(&model));
        if let Err(errors) = billing::ledes::validate(&text) {
            let first = errors.first().map(ToString::to_string).unwrap_or_default();
            return Err(AppError::Internal(format!("exported LEDES does not validate: {first}")));
        }
        let suffix = match format {
            LedesFormat::Ledes1998B => "1998b",
            LedesFormat::Ledes98BI => "98bi",
        };
        Ok((format!("{}-{suffix}.txt", model.number), text))
    }

    /// Issued invoice id by its number (for the CLI).
    pub async fn invoice_id_by_number(&self, actor: &Actor, number: &str) -> Result<Id> {
        self.require_billing(actor, BillingRight::PrepareBill)?;
        Ok(self.store.invoice_id_by_number(number).await?)
    }

    // ---- reports -----------------------------------------------------------------------------

    pub async fn billing_reports(&self, actor: &Actor, as_of: NaiveDate) -> Result<BillingReports> {
        self.require_billing(actor, BillingRight::Bill)?;
        let invoices: Vec<InvoiceRow> = self
            .store
            .invoices(Some(actor), None)
            .await?
            .into_iter()
            .filter(|i| i.status != "void")
            .collect();
        let issued: Vec<&InvoiceRow> = invoices.iter().filter(|i| i.number.is_some()).collect();
        let receivables: Vec<billing::receivables::Receivable> = issued
            .iter()
            .map(|i| billing::receivables::Receivable {
                invoice_number: i.number.clone().unwrap_or_default(),
                client_id: i.client_id.to_string(),
                invoice_date: i.invoice_date.unwrap_or(i.period_end),
                balance: i.balance_due(),
            })
            .collect();
        let aging = billing::receivables::age_receivables(&receivables, as_of);
        let (rates, _) = self.rate_table().await?;
        let all_time = self.store.time_entries(Some(actor), &EntryFilter::default()).await?;
        let mut clients: HashMap<Id, Id> = HashMap::new();
        let mut worked_value = Decimal::ZERO;
        let mut wip_time = Decimal::ZERO;
        let mut wip_hours = Decimal::ZERO;
        for t in all_time.iter().filter(|t| t.billable) {
            if let std::collections::hash_map::Entry::Vacant(v) = clients.entry(t.matter_id) {
                v.insert(self.store.matter(t.matter_id).await?.client_id);
            }
            let rate = rates
                .resolve(
                    &t.user_id.to_string(),
                    &clients[&t.matter_id].to_string(),
                    &t.matter_id.to_string(),
                )
                .map(|r| r.hourly_rate)
                .unwrap_or_default();
            let value = billing::rates::hourly_fee(t.hours, rate);
            worked_value += value;
            if t.invoice_id.is_none() {
                wip_time += value;
                wip_hours += t.hours;
            }
        }
        let wip_expenses: Decimal = self
            .store
            .expenses(Some(actor), &EntryFilter { unbilled_only: true, ..Default::default() })
            .await?
            .iter()
            .map(ExpenseRow::amount)
            .sum();
        let billed: Decimal = issued.iter().map(|i| i.total).sum();
        let collected: Decimal = issued.iter().map(|i| i.paid).sum();
        Ok(BillingReports {
            as_of,
            aging,
            open_invoices: issued
                .iter()
                .filter(|i| i.balance_due() > Decimal::ZERO)
                .map(|i| (*i).clone())
                .collect(),
            wip_time,
            wip_expenses,
            wip_hours,
            worked_value,
            billed,
            collected,
            realization: billing::receivables::realization(worked_value, billed, collected),
        })
    }

    // ---- trust -------------------------------------------------------------------------------

    async fn visible_matters(&self, actor: &Actor) -> Result<HashSet<Id>> {
        let mut out = HashSet::new();
        let mut page = 1;
        loop {
            let (rows, more) = self
                .store
                .list_matters(actor, &Default::default(), store::Page::new(page, 200))
                .await?;
            out.extend(rows.into_iter().map(|r| r.matter.id));
            if !more {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// Client trust balances and the journal lines on matters the actor may see.
    pub async fn trust_overview(&self, actor: &Actor) -> Result<TrustOverview> {
        self.require_billing(actor, BillingRight::Trust)?;
        let visible = self.visible_matters(actor).await?;
        let entries: Vec<TrustEntryRow> = self
            .store
            .trust_entries(None)
            .await?
            .into_iter()
            .filter(|e| e.matter_id.is_none_or(|m| visible.contains(&m)))
            .collect();
        let seen: HashSet<Id> = entries.iter().map(|e| e.client_id).collect();
        let balances: Vec<TrustBalance> = self
            .store
            .trust_balances()
            .await?
            .into_iter()
            .filter(|b| actor.role == Role::Admin || seen.contains(&b.client_id))
            .collect();
        Ok(TrustOverview {
            total: balances.iter().map(|b| b.balance).sum(),
            balances,
            entries,
            statements: if actor.role == Role::Admin {
                self.store.bank_statements().await?
            } else {
                vec![]
            },
        })
    }

    async fn trust_entry_for(
        &self,
        actor: &Actor,
        kind: &str,
        f: &TrustForm,
    ) -> Result<TrustEntryRow> {
        let matter = parse_id("matter_id", &f.matter_id)?;
        self.require_billing_on(actor, matter, BillingRight::Trust).await?;
        let m = self.store.matter(matter).await?;
        let client = self.store.client(m.client_id).await?;
        let amount = parse_amount("amount", &f.amount)?;
        let now = self.now();
        Ok(TrustEntryRow {
            id: Id::new_at(now),
            client_id: client.id,
            client_name: client.name,
            matter_id: Some(matter),
            entry_date: parse_day("entry_date", &f.entry_date, now.date_naive())?,
            kind: kind.into(),
            amount: if kind == "deposit" { amount } else { -amount },
            memo: domain::validate::required("memo", &f.memo, 500)?,
            payee: opt_text(&f.payee),
            reference: opt_text(&f.reference),
            invoice_id: None,
            reversal_of: None,
            balance_after: Decimal::ZERO,
            created_by: actor.user_id,
            created_at: now,
        })
    }

    /// Money received into trust for a client, recorded against one of its matters.
    pub async fn trust_deposit(&self, actor: &Actor, f: &TrustForm) -> Result<TrustEntryRow> {
        let e = self.trust_entry_for(actor, "deposit", f).await?;
        let ev = self.event(actor, "trust.deposit", "trust_entry", e.id).with(
            serde_json::json!({"client": e.client_id.to_string(), "amount": e.amount.to_string()}),
        );
        Ok(self.store.post_trust_entry(&e, None, ev).await?)
    }

    /// Money paid out of trust on the client's behalf; refused if the ledger would go negative.
    pub async fn trust_disburse(&self, actor: &Actor, f: &TrustForm) -> Result<TrustEntryRow> {
        let e = self.trust_entry_for(actor, "disbursement", f).await?;
        if e.payee.is_none() {
            return Err(invalid("payee", "name who is paid"));
        }
        let ev = self.event(actor, "trust.disburse", "trust_entry", e.id).with(serde_json::json!({"client": e.client_id.to_string(), "amount": e.amount.to_string(), "payee": e.payee}));
        Ok(self.store.post_trust_entry(&e, None, ev).await?)
    }

    /// Reverses a journal entry by posting its opposite (a transfer's payment is reversed too).
    pub async fn trust_reverse(
        &self,
        actor: &Actor,
        entry: Id,
        reason: &str,
    ) -> Result<TrustEntryRow> {
        self.require_billing(actor, BillingRight::Trust)?;
        let original = self.store.trust_entry(entry).await?;
        if let Some(m) = original.matter_id {
            self.require_billing_on(actor, m, BillingRight::Trust).await?;
        }
        if original.kind == "reversal" {
            return Err(AppError::Conflict(
                "a reversal cannot be reversed; post a new entry".into(),
            ));
        }
        let reason = domain::validate::required("reason", reason, 500)?;
        let now = self.now();
        let e = TrustEntryRow {
            id: Id::new_at(now),
            kind: "reversal".into(),
            amount: -original.amount,
            memo: format!("Reversal: {reason}"),
            reversal_of: Some(original.id),
            entry_date: now.date_naive(),
            balance_after: Decimal::ZERO,
            created_by: actor.user_id,
            created_at: now,
            ..original.clone()
        };
        let payment = match (original.kind.as_str(), original.invoice_id) {
            ("transfer", Some(invoice)) => Some(PaymentRow {
                id: Id::new_at(now),
                invoice_id: invoice,
                paid_on: now.date_naive(),
                amount: original.amount,
                method: "trust".into(),
                reference: Some(format!("reversal of {}", original.id)),
                trust_entry_id: Some(e.id),
                created_by: actor.user_id,
                created_at: now,
            }),
            _ => None,
        };
        let ev = self
            .event(actor, "trust.reverse", "trust_entry", e.id)
            .with(serde_json::json!({"of": original.id.to_string(), "reason": reason}));
        Ok(self.store.post_trust_entry(&e, payment.as_ref(), ev).await?)
    }

    /// Imports a bank statement (CSV with date, description, amount[, reference], or OFX).
    pub async fn import_bank_statement(
        &self,
        actor: &Actor,
        filename: &str,
        bytes: &[u8],
        opening_balance: &str,
    ) -> Result<BankStatementRow> {
        self.require(actor, Action::ManageUsers)?;
        self.require_billing(actor, BillingRight::Trust)?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| invalid("file", "the statement is not UTF-8 text"))?;
        let is_ofx = filename.to_ascii_lowercase().ends_with(".ofx")
            || text.contains("<OFX>")
            || text.contains("OFXHEADER");
        let statement = if is_ofx {
            billing::bank::parse_ofx(text)
        } else {
            let opening = if opening_balance.trim().is_empty() {
                Decimal::ZERO
            } else {
                parse_decimal("opening_balance", opening_balance)?
            };
            billing::bank::parse_csv(text, opening)
        }
        .map_err(|e| invalid("file", e.to_string()))?;
        let now = self.now();
        let as_of = statement.transactions.iter().map(|t| t.date).max().unwrap_or(now.date_naive());
        let row = BankStatementRow {
            id: Id::new_at(now),
            filename: filename.chars().filter(|c| !c.is_control()).take(200).collect(),
            format: if is_ofx { "ofx".into() } else { "csv".into() },
            blob_sha256: String::new(),
            as_of,
            closing_balance: statement.closing_balance,
            transactions: serde_json::to_string(&statement)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            imported_by: actor.user_id,
            imported_at: now,
        };
        let ev = self.event(actor, "trust.statement_import", "bank_statement", row.id).with(serde_json::json!({
            "filename": row.filename, "transactions": statement.transactions.len(), "closing_balance": statement.closing_balance.to_string()
        }));
        Ok(self.store.save_bank_statement(&row, bytes, ev).await?)
    }

    /// Three-way reconciliation of a stored statement: bank = journal = sum of client ledgers.
    /// Client ids in the report are replaced by client names.
    pub async fn reconcile(
        &self,
        actor: &Actor,
        statement: Id,
        as_of: Option<NaiveDate>,
    ) -> Result<ReconciliationReport> {
        self.require(actor, Action::ManageUsers)?;
        let row = self
            .store
            .bank_statements()
            .await?
            .into_iter()
            .find(|s| s.id == statement)
            .ok_or(AppError::NotFound("bank statement"))?;
        let parsed: billing::bank::BankStatement = serde_json::from_str(&row.transactions)
            .map_err(|e| AppError::Internal(format!("statement: {e}")))?;
        let entries = self.store.trust_entries(None).await?;
        let journal = journal_of(&entries)?;
        let mut report = billing::trust::reconcile(&journal, &parsed, as_of.unwrap_or(row.as_of));
        let names: HashMap<String, String> =
            entries.iter().map(|e| (e.client_id.to_string(), e.client_name.clone())).collect();
        for (client, _) in &mut report.client_balances {
            if let Some(n) = names.get(client) {
                *client = n.clone();
            }
        }
        let ev = self.event(actor, "trust.reconcile", "bank_statement", statement).with(serde_json::json!({"reconciled": report.reconciled, "bank_vs_journal": report.bank_vs_journal.to_string()}));
        self.store.audit(ev).await?;
        Ok(report)
    }
}

/// Rebuilds the pure trust journal from stored entries (the store already enforced its rules;
/// posting them again checks nothing was stored that the rules would refuse).
pub fn journal_of(entries: &[TrustEntryRow]) -> Result<Journal> {
    let mut journal = Journal::new();
    let mut ids: HashMap<Id, EntryId> = HashMap::new();
    for e in entries {
        let client_id = e.client_id.to_string();
        let kind = match e.kind.as_str() {
            "deposit" => EntryKind::Deposit { client_id, amount: e.amount },
            "disbursement" => EntryKind::Disbursement {
                client_id,
                amount: -e.amount,
                payee: e.payee.clone().unwrap_or_default(),
            },
            "transfer" => {
                let invoice_id = e.invoice_id.map(|i| i.to_string()).unwrap_or_default();
                let open = journal.invoice_balance(&invoice_id).unwrap_or_default();
                journal.register_invoice(&invoice_id, &client_id, open - e.amount);
                EntryKind::TransferToOperating { client_id, amount: -e.amount, invoice_id }
            }
            "reversal" => {
                let of = e.reversal_of.and_then(|o| ids.get(&o).copied()).ok_or_else(|| {
                    AppError::Internal(format!("reversal {} of an unknown entry", e.id))
                })?;
                EntryKind::Reversal { of }
            }
            other => return Err(AppError::Internal(format!("unknown trust entry kind {other:?}"))),
        };
        let id = journal
            .post(NewEntry {
                date: e.entry_date,
                kind,
                reference: e.reference.clone(),
                memo: e.memo.clone(),
            })
            .map_err(|err| {
                AppError::Internal(format!(
                    "stored trust entry {} breaks a trust rule: {err}",
                    e.id
                ))
            })?;
        ids.insert(e.id, id);
    }
    Ok(journal)
}

fn invoice_totals(lines: &[InvoiceLineRow]) -> Result<billing::invoice::InvoiceTotals> {
    let model = model_lines(lines)?;
    let invoice = Invoice {
        number: String::new(),
        date: NaiveDate::MIN,
        billing_start: NaiveDate::MIN,
        billing_end: NaiveDate::MIN,
        description: String::new(),
        client: Party::default(),
        law_firm: Party::default(),
        law_firm_matter_id: String::new(),
        client_matter_id: None,
        matter_name: String::new(),
        po_number: None,
        currency: String::new(),
        lines: model,
    };
    Ok(invoice.totals())
}

fn total_of(lines: &[InvoiceLineRow]) -> Result<Decimal> {
    Ok(invoice_totals(lines)?.total)
}

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`):
/// the letterhead, rates, four weeks of time by alice, sam and vera, an expense, an issued and
/// partly paid invoice for last month on 2026-0001, and a trust deposit for the Rivera estate.
pub(crate) async fn demo(app: &App, firm: &crate::demo::DemoFirm) -> Result<()> {
    use crate::auth::actor_of;
    let [admin, alice, ben, sam, vera] = [0, 1, 2, 3, 4].map(|i| actor_of(&firm.users[i]));
    let [acme, rivera, _harbor] = firm.matters;
    let settings = BillingSettings {
        firm_name: "Barton & Okafor LLP".into(),
        firm_tax_id: "84-1234567".into(),
        firm_address: Address {
            line1: "200 Park Avenue, Suite 1700".into(),
            line2: String::new(),
            city: "New York".into(),
            region: "NY".into(),
            postcode: "10166".into(),
            country: "USA".into(),
        },
        ..BillingSettings::default()
    };
    app.set_billing_settings(&admin, &settings).await?;
    for (who, rate) in [(&admin, 450), (&alice, 395), (&ben, 425), (&sam, 165), (&vera, 85)] {
        app.set_rate(&admin, who.user_id, "default", None, Decimal::from(rate)).await?;
    }
    // Acme negotiated a lower rate for alice on its matters.
    let acme_client = app.store.matter(acme).await?.client_id;
    app.set_rate(&admin, alice.user_id, "client", Some(acme_client), Decimal::from(375)).await?;

    let today = app.now().date_naive();
    let work: [(&Actor, Id, i64, &str, &str, &str, &str); 12] = [
        (
            &alice,
            acme,
            38,
            "2.4",
            "L120",
            "A104",
            "Analyze complaint and Initech's licensing history",
        ),
        (&sam, acme, 37, "1.5", "L140", "A103", "Organize pleadings file and exhibit index"),
        (&alice, acme, 34, "3.1", "L210", "A103", "Draft answer and affirmative defenses"),
        (&vera, acme, 33, "0.8", "L140", "A101", "Docket answer deadline and reminders"),
        (&alice, acme, 30, "1.2", "L120", "A106", "Call with client on litigation strategy"),
        (&sam, acme, 27, "2.0", "L310", "A103", "Prepare initial disclosures draft"),
        (&vera, rivera, 26, "1.6", "L140", "A103", "Assemble estate asset schedule"),
        (&alice, acme, 20, "2.7", "L310", "A104", "Review Initech document requests"),
        (&vera, acme, 12, "0.6", "L140", "A101", "Calendar deposition dates"),
        (&sam, acme, 9, "1.1", "L320", "A103", "Prepare deposition binders"),
        (&vera, rivera, 5, "2.2", "L140", "A103", "Draft trust funding checklist"),
        (&alice, acme, 3, "1.9", "L330", "A101", "Prepare for Initech CFO deposition"),
    ];
    for (who, matter, days_ago, hours, task, activity, narrative) in work {
        let form = TimeForm {
            matter_id: matter.to_string(),
            work_date: (today - chrono::Duration::days(days_ago)).to_string(),
            hours: hours.into(),
            task_code: task.into(),
            activity_code: activity.into(),
            narrative: narrative.into(),
            billable: Some("on".into()),
            non_billable_reason: String::new(),
        };
        app.add_time_entry(who, &form).await?;
    }
    let training = TimeForm {
        matter_id: acme.to_string(),
        work_date: (today - chrono::Duration::days(8)).to_string(),
        hours: "0.5".into(),
        narrative: "Learn the court's e-filing system".into(),
        billable: None,
        non_billable_reason: "Training".into(),
        ..TimeForm::default()
    };
    app.add_time_entry(&sam, &training).await?;
    let copies = ExpenseForm {
        matter_id: acme.to_string(),
        expense_date: (today - chrono::Duration::days(32)).to_string(),
        code: "E112".into(),
        description: "Filing fee, answer".into(),
        quantity: "1".into(),
        unit_cost: "405.00".into(),
    };
    app.add_expense(&alice, &copies, None).await?;

    // Last month's work on Acme becomes an issued invoice with a partial payment.
    let first_of_month = today.with_day(1).expect("the first of a month exists");
    let last_month = first_of_month.pred_opt().expect("there is a day before the first");
    let period = (last_month.with_day(1).expect("the first of a month exists"), last_month);
    let draft = app.create_prebill(&alice, acme, period).await?;
    app.approve_invoice(&alice, draft.id).await?;
    app.issue_invoice(&alice, draft.id).await?;
    let half = (draft.total / Decimal::from(2)).round_dp(2);
    {
        let payment = PaymentForm {
            amount: half.to_string(),
            paid_on: today.to_string(),
            method: "wire".into(),
            reference: "ACME-WIRE-0917".into(),
        };
        app.record_payment(&alice, draft.id, &payment).await?;
    }
    let deposit = TrustForm {
        matter_id: rivera.to_string(),
        amount: "15000.00".into(),
        entry_date: (today - chrono::Duration::days(20)).to_string(),
        memo: "Retainer deposit from the estate".into(),
        payee: String::new(),
        reference: "CHK-1042".into(),
        invoice_id: String::new(),
    };
    app.trust_deposit(&ben, &deposit).await?;
    Ok(())
}
