-- docket: tables owned by crates/store/src/docket.rs (portable SQL; see 0001_init.sql for the conventions).
-- Timestamps are fixed-width UTC text; local times keep their IANA zone beside them; dates are YYYY-MM-DD.

-- A trigger event on a matter (e.g. "complaint served" on 2026-06-12) that starts court-rule deadlines running.
CREATE TABLE docket_triggers (
    id TEXT PRIMARY KEY,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    rule_set TEXT NOT NULL,
    rule_set_version TEXT NOT NULL,
    trigger_name TEXT NOT NULL,
    label TEXT NOT NULL,
    trigger_date TEXT NOT NULL,
    -- Court-local HH:MM for hour periods; NULL for a whole day.
    trigger_time TEXT,
    service TEXT NOT NULL,
    court_time_zone TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX docket_triggers_matter ON docket_triggers(matter_id);

-- A deadline computed from a trigger, with its full trail (JSON) and what people decided about it.
CREATE TABLE docket_deadlines (
    id TEXT PRIMARY KEY,
    trigger_id TEXT NOT NULL REFERENCES docket_triggers(id),
    matter_id TEXT NOT NULL REFERENCES matters(id),
    rule_id TEXT NOT NULL,
    title TEXT NOT NULL,
    citation TEXT NOT NULL,
    computed_due TEXT NOT NULL,
    -- Court-local HH:MM when the period is in hours.
    due_time TEXT,
    -- The date that counts: the override's when overridden, else the computed one.
    due_on TEXT NOT NULL,
    trail TEXT NOT NULL,
    status TEXT NOT NULL,
    done_on TEXT,
    override_reason TEXT,
    decided_by TEXT REFERENCES users(id),
    updated_at TEXT NOT NULL,
    UNIQUE (trigger_id, rule_id)
);
CREATE INDEX docket_deadlines_matter_due ON docket_deadlines(matter_id, due_on);

-- One reminder of one deadline for one person on one channel; sent_at is set in the transaction that claims it.
CREATE TABLE docket_reminders (
    id TEXT PRIMARY KEY,
    deadline_id TEXT NOT NULL REFERENCES docket_deadlines(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    channel TEXT NOT NULL,
    days_before BIGINT NOT NULL,
    due_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (deadline_id, user_id, channel, days_before)
);
CREATE INDEX docket_reminders_due ON docket_reminders(channel, sent_at, due_at);
CREATE INDEX docket_reminders_user ON docket_reminders(user_id, due_at);

-- Calendar events, appointments and hand-entered deadlines. starts_at/ends_at are UTC instants (for overlap
-- checks and sorting); time_zone is the IANA zone the event was entered in and is shown in.
CREATE TABLE calendar_events (
    id TEXT PRIMARY KEY,
    matter_id TEXT REFERENCES matters(id),
    owner TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    all_day BIGINT NOT NULL,
    location TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX calendar_events_owner ON calendar_events(owner, starts_at);
CREATE INDEX calendar_events_matter ON calendar_events(matter_id, starts_at);

CREATE TABLE calendar_attendees (
    event_id TEXT NOT NULL REFERENCES calendar_events(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX calendar_attendees_user ON calendar_attendees(user_id);

-- Secret iCalendar feed URLs: only the SHA-256 of the token is kept; scope is 'user' or 'matter'.
CREATE TABLE calendar_feeds (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    scope TEXT NOT NULL,
    matter_id TEXT REFERENCES matters(id),
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id);

-- The daily agenda email, claimed once per user and local day.
CREATE TABLE docket_agenda_sent (
    user_id TEXT NOT NULL REFERENCES users(id),
    day TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
);
