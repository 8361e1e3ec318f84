//! Trust (IOLTA) accounting: an append-only journal, client ledgers derived from it, and three-way
//! reconciliation against a bank statement.
//!
//! Nothing is ever deleted: a mistake is undone by posting a reversal. Every posting that would take
//! a client's ledger below zero, or pay an invoice more than it owes, is refused.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::bank::{BankStatement, BankTransaction};

/// Identifies a posted journal entry; ids increase in posting order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntryId(pub u64);

/// What a trust posting does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    Deposit {
        client_id: String,
        amount: Decimal,
    },
    Disbursement {
        client_id: String,
        amount: Decimal,
        payee: String,
    },
    /// Earned fees moved to the operating account; only against a registered invoice.
    TransferToOperating {
        client_id: String,
        amount: Decimal,
        invoice_id: String,
    },
    /// Undoes a prior entry by posting its opposite.
    Reversal {
        of: EntryId,
    },
}

/// A posting request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    pub date: NaiveDate,
    pub kind: EntryKind,
    /// Check number, wire reference, bank FITID...: used to match the bank statement.
    pub reference: Option<String>,
    pub memo: String,
}

/// An entry as recorded, with its signed effect on the client's ledger and on the bank balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedEntry {
    pub id: EntryId,
    pub date: NaiveDate,
    pub kind: EntryKind,
    pub reference: Option<String>,
    pub memo: String,
    pub client_id: String,
    /// Positive for money in, negative for money out.
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TrustError {
    #[error("amount must be positive, got {0}")]
    NonPositiveAmount(Decimal),
    #[error("client {client_id} has {balance} in trust, cannot take out {requested}")]
    InsufficientFunds { client_id: String, balance: Decimal, requested: Decimal },
    #[error("invoice {0} is not registered with the trust journal")]
    UnknownInvoice(String),
    #[error("invoice {invoice_id} belongs to client {invoice_client}, not {client_id}")]
    InvoiceClientMismatch { invoice_id: String, invoice_client: String, client_id: String },
    #[error("invoice {invoice_id} has a balance of {balance}, cannot transfer {requested}")]
    ExceedsInvoiceBalance { invoice_id: String, balance: Decimal, requested: Decimal },
    #[error("no journal entry {0:?}")]
    UnknownEntry(EntryId),
    #[error("entry {0:?} has already been reversed")]
    AlreadyReversed(EntryId),
    #[error("entry {0:?} is a reversal; post a new entry instead of reversing a reversal")]
    CannotReverseReversal(EntryId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct OpenInvoice {
    client_id: String,
    balance: Decimal,
}

/// The trust journal: the only source of truth; balances and ledgers are derived from it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    entries: Vec<PostedEntry>,
    balances: BTreeMap<String, Decimal>,
    invoices: BTreeMap<String, OpenInvoice>,
    reversed: BTreeSet<EntryId>,
}

/// One line of a client ledger with the running balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    pub entry_id: EntryId,
    pub date: NaiveDate,
    pub memo: String,
    pub amount: Decimal,
    pub balance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientLedger {
    pub client_id: String,
    pub lines: Vec<LedgerLine>,
    pub balance: Decimal,
}

impl Journal {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes an invoice payable from trust, with what it still owes. Registering again updates
    /// the balance (e.g. after a payment from another source).
    pub fn register_invoice(&mut self, invoice_id: &str, client_id: &str, balance_due: Decimal) {
        self.invoices.insert(
            invoice_id.to_owned(),
            OpenInvoice { client_id: client_id.to_owned(), balance: balance_due },
        );
    }

    /// What an invoice still owes after the transfers posted against it.
    pub fn invoice_balance(&self, invoice_id: &str) -> Option<Decimal> {
        self.invoices.get(invoice_id).map(|i| i.balance)
    }

    pub fn entries(&self) -> &[PostedEntry] {
        &self.entries
    }

    pub fn entry(&self, id: EntryId) -> Option<&PostedEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn is_reversed(&self, id: EntryId) -> bool {
        self.reversed.contains(&id)
    }

    pub fn client_balance(&self, client_id: &str) -> Decimal {
        self.balances.get(client_id).copied().unwrap_or_default()
    }

    /// Money in the trust account according to the journal: the sum of every entry.
    pub fn balance(&self) -> Decimal {
        self.entries.iter().map(|e| e.amount).sum()
    }

    /// Posts an entry, or refuses it (leaving the journal unchanged) when it breaks a trust rule.
    pub fn post(&mut self, entry: NewEntry) -> Result<EntryId, TrustError> {
        let (client_id, amount) = self.check(&entry.kind)?;
        let id = EntryId(self.entries.len() as u64 + 1);
        match &entry.kind {
            EntryKind::TransferToOperating { invoice_id, amount: paid, .. } => {
                self.adjust_invoice(invoice_id, -*paid);
            }
            EntryKind::Reversal { of } => {
                self.reversed.insert(*of);
                if let Some(EntryKind::TransferToOperating { invoice_id, amount: paid, .. }) =
                    self.entry(*of).map(|e| e.kind.clone())
                {
                    self.adjust_invoice(&invoice_id, paid);
                }
            }
            EntryKind::Deposit { .. } | EntryKind::Disbursement { .. } => {}
        }
        *self.balances.entry(client_id.clone()).or_default() += amount;
        self.entries.push(PostedEntry {
            id,
            date: entry.date,
            kind: entry.kind,
            reference: entry.reference,
            memo: entry.memo,
            client_id,
            amount,
        });
        Ok(id)
    }

    fn adjust_invoice(&mut self, invoice_id: &str, delta: Decimal) {
        if let Some(invoice) = self.invoices.get_mut(invoice_id) {
            invoice.balance += delta;
        }
    }

    /// Validates a posting and returns the client it affects and its signed amount.
    fn check(&self, kind: &EntryKind) -> Result<(String, Decimal), TrustError> {
        let positive = |amount: Decimal| {
            if amount > Decimal::ZERO { Ok(()) } else { Err(TrustError::NonPositiveAmount(amount)) }
        };
        let (client_id, signed) = match kind {
            EntryKind::Deposit { client_id, amount } => {
                positive(*amount)?;
                (client_id.clone(), *amount)
            }
            EntryKind::Disbursement { client_id, amount, .. } => {
                positive(*amount)?;
                (client_id.clone(), -*amount)
            }
            EntryKind::TransferToOperating { client_id, amount, invoice_id } => {
                positive(*amount)?;
                let invoice = self
                    .invoices
                    .get(invoice_id)
                    .ok_or_else(|| TrustError::UnknownInvoice(invoice_id.clone()))?;
                if &invoice.client_id != client_id {
                    return Err(TrustError::InvoiceClientMismatch {
                        invoice_id: invoice_id.clone(),
                        invoice_client: invoice.client_id.clone(),
                        client_id: client_id.clone(),
                    });
                }
                if *amount > invoice.balance {
                    return Err(TrustError::ExceedsInvoiceBalance {
                        invoice_id: invoice_id.clone(),
                        balance: invoice.balance,
                        requested: *amount,
                    });
                }
                (client_id.clone(), -*amount)
            }
            EntryKind::Reversal { of } => {
                let original = self.entry(*of).ok_or(TrustError::UnknownEntry(*of))?;
                if matches!(original.kind, EntryKind::Reversal { .. }) {
                    return Err(TrustError::CannotReverseReversal(*of));
                }
                if self.reversed.contains(of) {
                    return Err(TrustError::AlreadyReversed(*of));
                }
                (original.client_id.clone(), -original.amount)
            }
        };
        let balance = self.client_balance(&client_id);
        if balance + signed < Decimal::ZERO {
            return Err(TrustError::InsufficientFunds { client_id, balance, requested: -signed });
        }
        Ok((client_id, signed))
    }

    /// A client's ledger rebuilt from the journal (entries up to and including `as_of`, if given).
    pub fn client_ledger(&self, client_id: &str, as_of: Option<NaiveDate>) -> ClientLedger {
        let mut balance = Decimal::ZERO;
        let lines = self
            .entries
            .iter()
            .filter(|e| e.client_id == client_id && as_of.is_none_or(|d| e.date <= d))
            .map(|e| {
                balance += e.amount;
                LedgerLine {
                    entry_id: e.id,
                    date: e.date,
                    memo: e.memo.clone(),
                    amount: e.amount,
                    balance,
                }
            })
            .collect();
        ClientLedger { client_id: client_id.to_owned(), lines, balance }
    }

    /// Every client's ledger, rebuilt from the journal, in client order.
    pub fn client_ledgers(&self, as_of: Option<NaiveDate>) -> Vec<ClientLedger> {
        let clients: BTreeSet<&str> = self.entries.iter().map(|e| e.client_id.as_str()).collect();
        clients.into_iter().map(|c| self.client_ledger(c, as_of)).collect()
    }
}

/// Result of a three-way reconciliation: bank statement, trust journal and client ledgers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationReport {
    pub as_of: NaiveDate,
    pub bank_balance: Decimal,
    /// Journal entries not yet on the statement (deposits in transit, outstanding checks).
    pub outstanding_total: Decimal,
    /// bank_balance + outstanding_total.
    pub adjusted_bank_balance: Decimal,
    pub journal_balance: Decimal,
    pub client_ledgers_total: Decimal,
    /// adjusted_bank_balance − journal_balance.
    pub bank_vs_journal: Decimal,
    /// journal_balance − client_ledgers_total.
    pub journal_vs_ledgers: Decimal,
    /// Statement transactions with no journal entry (bank fees, unrecorded deposits...).
    pub unmatched_bank: Vec<BankTransaction>,
    /// Journal entries not found on the statement.
    pub unmatched_journal: Vec<PostedEntry>,
    pub client_balances: Vec<(String, Decimal)>,
    pub negative_ledgers: Vec<String>,
    pub reconciled: bool,
}

/// How far apart the journal and bank dates of the same movement may be.
const MATCH_WINDOW_DAYS: i64 = 10;

/// Three-way reconciliation as of a date.
///
/// Journal entries dated within the statement period (from `statement.period_start`, when known,
/// up to `as_of`) are matched one-to-one to statement transactions: first by equal amount and
/// reference, then by equal amount and nearest date within ten days. Earlier entries are taken
/// as cleared by previous reconciliations.
pub fn reconcile(
    journal: &Journal,
    statement: &BankStatement,
    as_of: NaiveDate,
) -> ReconciliationReport {
    let in_period: Vec<&PostedEntry> = journal
        .entries()
        .iter()
        .filter(|e| e.date <= as_of && statement.period_start.is_none_or(|s| e.date >= s))
        .collect();
    let mut bank_used = vec![false; statement.transactions.len()];
    let mut journal_matched = vec![false; in_period.len()];

    let same_reference = |e: &PostedEntry, t: &BankTransaction| match (&e.reference, &t.reference) {
        (Some(a), Some(b)) => !a.is_empty() && a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    };
    for (j, entry) in in_period.iter().enumerate() {
        if let Some(b) = (0..statement.transactions.len()).find(|&b| {
            !bank_used[b]
                && statement.transactions[b].amount == entry.amount
                && same_reference(entry, &statement.transactions[b])
        }) {
            bank_used[b] = true;
            journal_matched[j] = true;
        }
    }
    for (j, entry) in in_period.iter().enumerate() {
        if journal_matched[j] {
            continue;
        }
        let nearest = (0..statement.transactions.len())
            .filter(|&b| !bank_used[b] && statement.transactions[b].amount == entry.amount)
            .map(|b| (b, (statement.transactions[b].date - entry.date).num_days().abs()))
            .filter(|&(_, days)| days <= MATCH_WINDOW_DAYS)
            .min_by_key(|&(_, days)| days);
        if let Some((b, _)) = nearest {
            bank_used[b] = true;
            journal_matched[j] = true;
        }
    }

    let unmatched_journal: Vec<PostedEntry> = in_period
        .iter()
        .zip(&journal_matched)
        .filter(|(_, matched)| !**matched)
        .map(|(e, _)| (*e).clone())
        .collect();
    let unmatched_bank: Vec<BankTransaction> = statement
        .transactions
        .iter()
        .zip(&bank_used)
        .filter(|(_, used)| !**used)
        .map(|(t, _)| t.clone())
        .collect();

    let journal_balance: Decimal =
        journal.entries().iter().filter(|e| e.date <= as_of).map(|e| e.amount).sum();
    let ledgers = journal.client_ledgers(Some(as_of));
    let client_ledgers_total: Decimal = ledgers.iter().map(|l| l.balance).sum();
    let outstanding_total: Decimal = unmatched_journal.iter().map(|e| e.amount).sum();
    let adjusted_bank_balance = statement.closing_balance + outstanding_total;
    let bank_vs_journal = adjusted_bank_balance - journal_balance;
    let journal_vs_ledgers = journal_balance - client_ledgers_total;
    let negative_ledgers: Vec<String> =
        ledgers.iter().filter(|l| l.balance < Decimal::ZERO).map(|l| l.client_id.clone()).collect();
    ReconciliationReport {
        as_of,
        bank_balance: statement.closing_balance,
        outstanding_total,
        adjusted_bank_balance,
        journal_balance,
        client_ledgers_total,
        bank_vs_journal,
        journal_vs_ledgers,
        reconciled: bank_vs_journal.is_zero()
            && journal_vs_ledgers.is_zero()
            && unmatched_bank.is_empty()
            && negative_ledgers.is_empty(),
        unmatched_bank,
        unmatched_journal,
        client_balances: ledgers.into_iter().map(|l| (l.client_id, l.balance)).collect(),
        negative_ledgers,
    }
}
