-- lawdesk schema, portable between SQLite and PostgreSQL.
-- Conventions: ids are UUIDv7 text; timestamps are UTC RFC 3339 text with microseconds (they sort
-- as text); dates are YYYY-MM-DD text; money and volumes are decimal text; every nullable column is
-- TEXT so that portable backups can bind NULL the same way on both backends; flags are BIGINT 0/1
-- (sqlx's Any driver cannot decode SQLite's BOOLEAN).

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    organization_id TEXT,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    user_agent TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    emails TEXT NOT NULL,
    phones TEXT NOT NULL,
    addresses TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Every name a contact is known by (primary, alias, former), normalized for search and conflicts.
CREATE TABLE contact_names (
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_normalized TEXT NOT NULL,
    PRIMARY KEY (contact_id, kind, name)
);
CREATE INDEX contact_names_normalized ON contact_names(name_normalized);

CREATE TABLE relationships (
    id TEXT PRIMARY KEY,
    from_contact TEXT NOT NULL REFERENCES contacts(id),
    kind TEXT NOT NULL,
    to_contact TEXT NOT NULL REFERENCES contacts(id),
    created_at TEXT NOT NULL,
    UNIQUE (from_contact, kind, to_contact)
);

CREATE TABLE clients (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL UNIQUE REFERENCES contacts(id),
    code TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE matters (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES clients(id),
    title TEXT NOT NULL,
    practice_area TEXT NOT NULL,
    court TEXT NOT NULL,
    case_number TEXT NOT NULL,
    status TEXT NOT NULL,
    responsible_attorney TEXT REFERENCES users(id),
    originating_attorney TEXT REFERENCES users(id),
    onshore_only BIGINT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX matters_client ON matters(client_id);

CREATE TABLE sequences (
    scope TEXT PRIMARY KEY,
    last_value BIGINT NOT NULL
);

CREATE TABLE matter_parties (
    id TEXT PRIMARY KEY,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    role TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (matter_id, contact_id, role)
);
CREATE INDEX matter_parties_contact ON matter_parties(contact_id);

CREATE TABLE matter_team (
    matter_id TEXT NOT NULL REFERENCES matters(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (matter_id, user_id)
);
CREATE INDEX matter_team_user ON matter_team(user_id);

CREATE TABLE ethical_walls (
    matter_id TEXT NOT NULL REFERENCES matters(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (matter_id, user_id)
);

CREATE TABLE work_items (
    id TEXT PRIMARY KEY,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    service_line TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    volume TEXT NOT NULL,
    unit TEXT NOT NULL,
    due_on TEXT,
    priority TEXT NOT NULL,
    assignee TEXT REFERENCES users(id),
    status TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX work_items_matter ON work_items(matter_id);
CREATE INDEX work_items_assignee ON work_items(assignee);

CREATE TABLE work_comments (
    id TEXT PRIMARY KEY,
    work_item_id TEXT NOT NULL REFERENCES work_items(id),
    author TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX work_comments_item ON work_comments(work_item_id);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    work_item_id TEXT NOT NULL REFERENCES work_items(id),
    blob_sha256 TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_item ON attachments(work_item_id);

-- Append-only, hash-chained: hash = sha256(prev_hash || canonical entry). audit_head serializes
-- appenders (a row lock on PostgreSQL, the single writer on SQLite).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
