-- Key tasks (nhiệm vụ trọng tâm), their progress reports and reviews, tasks proposed from
-- documents, and NTM criterion states per commune and year. Kept in step with
-- postgres/migrations/0006_tasks.sql.

CREATE TABLE task (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,                -- NFC
    field TEXT NOT NULL,               -- economy | culture_society | defence_security | party_building
    lead_unit_id INTEGER NOT NULL REFERENCES unit(id),
    cooperating TEXT NOT NULL,         -- JSON array of unit ids
    deadline TEXT NOT NULL,            -- JSON (a date or the end of a period)
    deadline_date TEXT NOT NULL,       -- the last day on time, for filtering
    output TEXT NOT NULL,              -- JSON: document, figure target or project
    source TEXT NOT NULL,
    period TEXT,
    provenance TEXT NOT NULL,          -- JSON
    document_id INTEGER REFERENCES document(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX task_lead ON task(lead_unit_id, deadline_date);
CREATE INDEX task_document ON task(document_id);

CREATE TABLE task_event (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES task(id),
    kind TEXT NOT NULL,                -- report | confirm | return
    on_date TEXT NOT NULL,
    event TEXT NOT NULL,               -- JSON
    unit_id INTEGER REFERENCES unit(id),
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX task_event_task ON task_event(task_id, id);

CREATE TABLE task_proposal (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES document(id),
    extractor TEXT NOT NULL,
    proposed TEXT NOT NULL,            -- JSON, as extracted
    span_start INTEGER NOT NULL,       -- chars of the NFC text
    span_end INTEGER NOT NULL,
    state TEXT NOT NULL,               -- proposed | accepted | rejected
    task_id INTEGER REFERENCES task(id),
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_note TEXT
);
CREATE INDEX task_proposal_document ON task_proposal(document_id, span_start);

CREATE TABLE ntm_state (
    id INTEGER PRIMARY KEY,
    commune_id INTEGER NOT NULL REFERENCES unit(id),
    year INTEGER NOT NULL,
    set_id TEXT NOT NULL,              -- 318-2021 | 51-2025
    level TEXT NOT NULL,               -- standard | advanced | model | modern
    criterion INTEGER NOT NULL,
    met INTEGER NOT NULL,              -- 1 đạt, 0 chưa đạt
    evidence TEXT NOT NULL,
    evidence_document_id INTEGER REFERENCES document(id),
    evidence_figure_id INTEGER REFERENCES figure(id),
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL,
    UNIQUE (commune_id, year, set_id, level, criterion)
);
