-- intake: tables owned by crates/store/src/intake.rs (portable SQL; see 0001_init.sql for the conventions).

-- The public intake form of one practice area: its title and field list (JSON array of
-- intake::pipeline::FormField), edited by administrators.
CREATE TABLE intake_forms (
    practice_area TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    fields TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A prospective client who asked for help (Model Rule 1.18 applies from the first contact).
-- answers: JSON object of the form's extra fields; adverse_parties: JSON array of names.
CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    practice_area TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    description TEXT NOT NULL,
    adverse_parties TEXT NOT NULL,
    answers TEXT NOT NULL,
    stage TEXT NOT NULL,
    client_id TEXT REFERENCES clients(id),
    matter_id TEXT REFERENCES matters(id),
    letter_html TEXT,
    letter_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX leads_stage ON leads(stage);

-- A saved conflict search: what was searched, by whom, when, what it found (JSON, with scores and
-- explanations) and the reviewer's decision. blob_sha256 is the informed-consent document of a
-- waiver (content-addressed in the blob store; backups carry it).
CREATE TABLE conflict_reports (
    id TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    subject TEXT NOT NULL,
    matter_id TEXT REFERENCES matters(id),
    lead_id TEXT REFERENCES leads(id),
    ran_by TEXT REFERENCES users(id),
    ran_at TEXT NOT NULL,
    hit_count BIGINT NOT NULL,
    hits TEXT NOT NULL,
    decision TEXT,
    decision_note TEXT,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    blob_sha256 TEXT,
    document_name TEXT
);
CREATE INDEX conflict_reports_matter ON conflict_reports(matter_id);
CREATE INDEX conflict_reports_lead ON conflict_reports(lead_id);
CREATE INDEX conflict_reports_ran_at ON conflict_reports(ran_at);

-- Former matters from before lawdesk (the firm's previous conflicts system or closed paper
-- files): conflict checks must find them even though no matter record exists here.
CREATE TABLE conflict_history (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    aliases TEXT NOT NULL,
    role TEXT NOT NULL,
    matter_ref TEXT NOT NULL,
    matter_title TEXT NOT NULL,
    closed_on TEXT,
    created_at TEXT NOT NULL
);
