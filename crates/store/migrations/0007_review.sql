-- review: tables owned by crates/store/src/review.rs (portable SQL; see 0001_init.sql for the conventions).

-- A matter's collection from one custodian (or a shared source), with who created it.
CREATE TABLE review_collections (
    id TEXT PRIMARY KEY,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    name TEXT NOT NULL,
    custodian TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX review_collections_matter ON review_collections(matter_id);

-- A processing job over source paths; `cursor` is the last source file fully committed (files are
-- processed in sorted order, so a resumed job skips everything up to and including it).
CREATE TABLE review_jobs (
    id TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES review_collections(id),
    matter_id TEXT NOT NULL REFERENCES matters(id),
    status TEXT NOT NULL,
    paths TEXT NOT NULL,
    total_files BIGINT NOT NULL,
    done_files BIGINT NOT NULL,
    total_bytes BIGINT NOT NULL,
    done_bytes BIGINT NOT NULL,
    items BIGINT NOT NULL,
    exceptions BIGINT NOT NULL,
    cursor TEXT NOT NULL,
    error TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX review_jobs_collection ON review_jobs(collection_id);

-- Chain of custody: every collected file, its hashes, where it came from, when and by whom.
CREATE TABLE review_sources (
    id TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES review_collections(id),
    job_id TEXT NOT NULL REFERENCES review_jobs(id),
    path TEXT NOT NULL,
    size BIGINT NOT NULL,
    md5 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    collected_at TEXT NOT NULL,
    collected_by TEXT NOT NULL REFERENCES users(id),
    UNIQUE (collection_id, path)
);

-- One document. (collection_id, source_key) is unique: re-running a batch can never duplicate an item.
CREATE TABLE review_items (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    matter_id TEXT NOT NULL REFERENCES matters(id),
    collection_id TEXT NOT NULL REFERENCES review_collections(id),
    source_id TEXT NOT NULL REFERENCES review_sources(id),
    source_key TEXT NOT NULL,
    parent_id TEXT,
    family_id TEXT NOT NULL,
    container_id TEXT,
    kind TEXT NOT NULL,
    custodian TEXT NOT NULL,
    filename TEXT NOT NULL,
    fileext TEXT NOT NULL,
    filesize BIGINT NOT NULL,
    from_addr TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    cc TEXT NOT NULL,
    bcc TEXT NOT NULL,
    subject TEXT NOT NULL,
    date_sent TEXT NOT NULL,
    message_id TEXT NOT NULL,
    in_reply_to TEXT NOT NULL,
    md5 TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    duplicate_of TEXT,
    all_custodians TEXT NOT NULL,
    neardup_group TEXT,
    neardup_similarity TEXT,
    thread_id TEXT,
    inclusive BIGINT NOT NULL,
    exception TEXT,
    native_sha256 TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    text_chars BIGINT NOT NULL,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (collection_id, source_key)
);
CREATE INDEX review_items_matter_seq ON review_items(matter_id, seq);
CREATE INDEX review_items_family ON review_items(family_id);
CREATE INDEX review_items_dedup ON review_items(matter_id, dedup_key);
