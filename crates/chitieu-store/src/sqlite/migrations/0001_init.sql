-- chitieu schema, version 1.
-- Decimals are stored as canonical text (exact); dates as ISO 8601 text; periods in their
-- compact form (2022-H1). Official unit codes are attributes, never keys: they are reused.

CREATE TABLE unit (
    id INTEGER PRIMARY KEY
);

CREATE TABLE unit_version (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,           -- folded name, for matching
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    code TEXT,
    parent_id INTEGER REFERENCES unit(id),
    valid_from TEXT,                  -- NULL: before the records
    valid_to TEXT                     -- NULL: still in force
);
CREATE INDEX unit_version_unit ON unit_version(unit_id);
CREATE INDEX unit_version_parent ON unit_version(parent_id);
CREATE INDEX unit_version_name ON unit_version(name_key);
CREATE INDEX unit_version_code ON unit_version(code);

CREATE TABLE unit_succession (
    from_id INTEGER NOT NULL REFERENCES unit(id),
    to_id INTEGER NOT NULL REFERENCES unit(id),
    date TEXT NOT NULL,
    partial INTEGER NOT NULL,
    PRIMARY KEY (from_id, to_id)
);
CREATE INDEX unit_succession_to ON unit_succession(to_id);

CREATE TABLE organisation (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (unit_id, kind)
);

CREATE TABLE org_term (
    org_id INTEGER NOT NULL REFERENCES organisation(id),
    number INTEGER NOT NULL,
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    PRIMARY KEY (org_id, number)
);

CREATE TABLE indicator (
    code TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    unit TEXT NOT NULL,
    direction TEXT NOT NULL,
    grp TEXT NOT NULL,
    aggregation TEXT NOT NULL,
    temporal TEXT NOT NULL,
    counts_units TEXT,
    phrases TEXT NOT NULL,            -- JSON array of synonyms
    builtin INTEGER NOT NULL
);

CREATE TABLE plan_source (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    issued_on TEXT
);

CREATE TABLE target (
    id INTEGER PRIMARY KEY,
    indicator TEXT NOT NULL REFERENCES indicator(code),
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    period TEXT NOT NULL,
    source_key TEXT NOT NULL REFERENCES plan_source(key),
    op TEXT NOT NULL,
    value TEXT NOT NULL,
    max_value TEXT,
    UNIQUE (indicator, unit_id, period, source_key)
);
CREATE INDEX target_unit_period ON target(unit_id, period);

-- Every revision of every figure. Exactly one row per (indicator, unit, period) is current.
CREATE TABLE figure (
    id INTEGER PRIMARY KEY,
    indicator TEXT NOT NULL REFERENCES indicator(code),
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    period TEXT NOT NULL,
    revision INTEGER NOT NULL,
    value TEXT NOT NULL,
    state TEXT NOT NULL,
    as_of TEXT,
    provenance TEXT NOT NULL,         -- JSON
    note TEXT,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    current INTEGER NOT NULL,
    UNIQUE (indicator, unit_id, period, revision)
);
CREATE UNIQUE INDEX figure_current ON figure(indicator, unit_id, period) WHERE current = 1;
CREATE INDEX figure_period ON figure(period, current);
CREATE INDEX figure_unit ON figure(unit_id, period);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    detail TEXT NOT NULL              -- JSON
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_key);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
