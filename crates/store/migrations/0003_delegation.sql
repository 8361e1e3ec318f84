-- delegation: tables owned by crates/store/src/delegation.rs (portable SQL; see 0001_init.sql for the conventions).
-- Lists and contract terms that are only ever read whole (languages, service lines, capacity, attestations,
-- agreement and assistant terms) are JSON text; everything that is filtered, summed or joined has its own column.

-- An LPO provider is a contacts organization; its members are the users whose organization_id is it.
CREATE TABLE delegation_providers (
    organization_id TEXT PRIMARY KEY REFERENCES contacts(id),
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    shore TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    work_start TEXT NOT NULL,
    work_end TEXT NOT NULL,
    languages TEXT NOT NULL,
    service_lines TEXT NOT NULL,
    -- {"document_review": "5000", ...}: units per day per service line.
    capacity TEXT NOT NULL,
    -- [{"kind": "soc2_type2", "expires_on": "2027-06-30"}, ...]
    attestations TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE delegation_rates (
    provider_id TEXT NOT NULL REFERENCES delegation_providers(organization_id),
    service_line TEXT NOT NULL,
    unit TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    PRIMARY KEY (provider_id, service_line)
);

-- kind: project | bulk; terms: the delegation engine's ProjectAgreement / BulkAgreement as JSON.
CREATE TABLE delegation_agreements (
    id TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES delegation_providers(organization_id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    terms TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX delegation_agreements_provider ON delegation_agreements(provider_id);

-- A matter a provider may never see (a conflict or an ethical wall on the organization).
CREATE TABLE delegation_exclusions (
    matter_id TEXT NOT NULL REFERENCES matters(id),
    provider_id TEXT NOT NULL REFERENCES delegation_providers(organization_id),
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (matter_id, provider_id)
);

-- terms: the engine's VaTerms (hourly, part-time block, retainer with rollover) as JSON.
CREATE TABLE delegation_va_profiles (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    country TEXT NOT NULL,
    shore TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    work_start TEXT NOT NULL,
    work_end TEXT NOT NULL,
    skills TEXT NOT NULL,
    terms TEXT NOT NULL,
    hours_per_week TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- In-house staff by role, with the fully loaded hourly cost.
CREATE TABLE delegation_inhouse_roles (
    role TEXT PRIMARY KEY,
    loaded_hourly_cost TEXT NOT NULL,
    hours_per_day TEXT NOT NULL,
    skills TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per recommendation; decision pending | accepted | overridden.
CREATE TABLE delegation_routing (
    id TEXT PRIMARY KEY,
    work_item_id TEXT NOT NULL REFERENCES work_items(id),
    recommended_kind TEXT,
    recommended_id TEXT,
    recommended_name TEXT,
    score BIGINT NOT NULL,
    estimated_cost TEXT,
    -- The full engine Recommendation (ranked candidates with factor reasons, rejections) as JSON.
    detail TEXT NOT NULL,
    decision TEXT NOT NULL,
    chosen_kind TEXT,
    chosen_id TEXT,
    override_reason TEXT,
    decided_by TEXT REFERENCES users(id),
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX delegation_routing_item ON delegation_routing(work_item_id);

-- The engagement a routed work item runs under: channel, price and SLA.
CREATE TABLE delegation_engagements (
    work_item_id TEXT PRIMARY KEY REFERENCES work_items(id),
    channel_kind TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    provider_id TEXT,
    unit TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    total_units BIGINT NOT NULL,
    turnaround_days BIGINT NOT NULL,
    max_error_rate TEXT NOT NULL,
    qc_sample_rate TEXT NOT NULL,
    started_at TEXT NOT NULL,
    due_at TEXT NOT NULL
);

-- status: open | assigned | done | rework | accepted
CREATE TABLE delegation_batches (
    id TEXT PRIMARY KEY,
    work_item_id TEXT NOT NULL REFERENCES work_items(id),
    number BIGINT NOT NULL,
    first_unit BIGINT NOT NULL,
    last_unit BIGINT NOT NULL,
    assignee TEXT REFERENCES users(id),
    status TEXT NOT NULL,
    units_done BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (work_item_id, number)
);
CREATE INDEX delegation_batches_assignee ON delegation_batches(assignee);

-- Units and hours delivered, the source for throughput, SLA prediction and (later) billing.
CREATE TABLE delegation_deliveries (
    id TEXT PRIMARY KEY,
    work_item_id TEXT NOT NULL REFERENCES work_items(id),
    batch_id TEXT REFERENCES delegation_batches(id),
    member_id TEXT NOT NULL REFERENCES users(id),
    units BIGINT NOT NULL,
    hours TEXT NOT NULL,
    delivered_at TEXT NOT NULL
);
CREATE INDEX delegation_deliveries_item ON delegation_deliveries(work_item_id);

-- result: pending | pass | fail. A reworked batch is sampled again in the next round; old rounds stay for error rates.
CREATE TABLE delegation_qc_samples (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL REFERENCES delegation_batches(id),
    round BIGINT NOT NULL,
    unit_no BIGINT NOT NULL,
    result TEXT NOT NULL,
    checked_by TEXT REFERENCES users(id),
    checked_at TEXT,
    drawn_at TEXT NOT NULL,
    UNIQUE (batch_id, round, unit_no)
);
