-- Documents (reports, news articles) stored unchanged, and the facts extracted from them as
-- proposals that people accept, edit or reject. Only accepted facts become figures.

CREATE TABLE document (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,               -- file name or title
    sha256 TEXT NOT NULL UNIQUE,      -- of the text's NFC form
    original TEXT NOT NULL,           -- the text exactly as received
    document_date TEXT,
    unit_id INTEGER REFERENCES unit(id),
    extractor TEXT NOT NULL,
    extraction TEXT NOT NULL,         -- JSON: meetings and people
    ingested_by TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);

CREATE TABLE proposed_fact (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES document(id),
    ordinal INTEGER NOT NULL,
    fact TEXT NOT NULL,               -- JSON, as extracted
    indicator TEXT,
    measure TEXT NOT NULL,
    value TEXT NOT NULL,
    period TEXT,
    unit_id INTEGER REFERENCES unit(id),
    span_start INTEGER NOT NULL,      -- chars of the NFC text
    span_end INTEGER NOT NULL,
    state TEXT NOT NULL,              -- proposed | accepted | rejected
    figure_id INTEGER REFERENCES figure(id),
    target_id INTEGER REFERENCES target(id),
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_note TEXT,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX proposed_fact_state ON proposed_fact(state, document_id);
