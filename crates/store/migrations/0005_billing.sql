-- billing: tables owned by crates/store/src/billing.rs (portable SQL; see 0001_init.sql for the conventions).
-- Money, hours and rates are decimal text; nothing in the trust journal is ever updated or deleted.

-- A timekeeper's hourly rate: scope 'default' (scope_id ''), 'client' or 'matter' (scope_id names it).
CREATE TABLE billing_rates (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    scope TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    rate TEXT NOT NULL,
    classification TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, scope, scope_id)
);

-- How a matter is charged; detail is the arrangement's parameters as JSON.
CREATE TABLE billing_arrangements (
    matter_id TEXT PRIMARY KEY REFERENCES matters(id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    client_id TEXT NOT NULL REFERENCES clients(id),
    number TEXT UNIQUE,
    status TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    invoice_date TEXT,
    description TEXT NOT NULL,
    currency TEXT NOT NULL,
    total TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX invoices_matter ON invoices(matter_id);

CREATE TABLE invoice_lines (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    line_date TEXT NOT NULL,
    description TEXT NOT NULL,
    units TEXT NOT NULL,
    unit_cost TEXT NOT NULL,
    adjustment TEXT NOT NULL,
    adjustment_reason TEXT,
    task_code TEXT,
    activity_code TEXT,
    expense_code TEXT,
    timekeeper_id TEXT,
    timekeeper_name TEXT,
    classification TEXT,
    tax_rate TEXT,
    tax_kind TEXT,
    UNIQUE (invoice_id, position)
);

CREATE TABLE time_entries (
    id TEXT PRIMARY KEY,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    work_date TEXT NOT NULL,
    recorded_hours TEXT NOT NULL,
    hours TEXT NOT NULL,
    task_code TEXT,
    activity_code TEXT,
    narrative TEXT NOT NULL,
    billable BIGINT NOT NULL,
    non_billable_reason TEXT,
    status TEXT NOT NULL,
    invoice_id TEXT REFERENCES invoices(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX time_entries_matter ON time_entries(matter_id, work_date);
CREATE INDEX time_entries_user ON time_entries(user_id, work_date);

CREATE TABLE timers (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    matter_id TEXT NOT NULL REFERENCES matters(id),
    narrative TEXT NOT NULL,
    task_code TEXT,
    activity_code TEXT,
    started_at TEXT NOT NULL,
    stopped_at TEXT,
    time_entry_id TEXT REFERENCES time_entries(id)
);
CREATE INDEX timers_user ON timers(user_id);

-- Expenses and pass-through charges (provider work billed through, markup as its own amount).
CREATE TABLE expenses (
    id TEXT PRIMARY KEY,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    expense_date TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_cost TEXT NOT NULL,
    markup TEXT NOT NULL,
    receipt_sha256 TEXT,
    receipt_name TEXT,
    status TEXT NOT NULL,
    invoice_id TEXT REFERENCES invoices(id),
    created_at TEXT NOT NULL
);
CREATE INDEX expenses_matter ON expenses(matter_id, expense_date);

-- Payments; a reversal is a negative payment naming the one it undoes.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    paid_on TEXT NOT NULL,
    amount TEXT NOT NULL,
    method TEXT NOT NULL,
    reference TEXT,
    trust_entry_id TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX payments_invoice ON payments(invoice_id);

-- One row per client with trust money: the lock every posting takes, and the running balance.
CREATE TABLE trust_accounts (
    client_id TEXT PRIMARY KEY REFERENCES clients(id),
    balance TEXT NOT NULL,
    postings BIGINT NOT NULL
);

-- The trust journal: append-only; amount is signed (money in positive).
CREATE TABLE trust_entries (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES trust_accounts(client_id),
    matter_id TEXT REFERENCES matters(id),
    entry_date TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount TEXT NOT NULL,
    memo TEXT NOT NULL,
    payee TEXT,
    reference TEXT,
    invoice_id TEXT REFERENCES invoices(id),
    reversal_of TEXT UNIQUE,
    balance_after TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX trust_entries_client ON trust_entries(client_id, created_at);

CREATE TABLE bank_statements (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL,
    as_of TEXT NOT NULL,
    closing_balance TEXT NOT NULL,
    transactions TEXT NOT NULL,
    imported_by TEXT NOT NULL REFERENCES users(id),
    imported_at TEXT NOT NULL
);
