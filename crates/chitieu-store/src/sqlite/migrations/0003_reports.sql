-- chitieu schema, version 3: issued reports and their document numbers.
-- An issued report is frozen: its model (rows, figures as issued, texts, template) is kept
-- as JSON and never changed. Numbers run within a series (a Party term per document type, or
-- a calendar year for State documents); the series key is decided by the report layer.

CREATE TABLE issued_report (
    id INTEGER PRIMARY KEY,
    series TEXT NOT NULL,
    number INTEGER NOT NULL,
    number_text TEXT NOT NULL,        -- as printed: "Số 12-BC/HU"
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    period TEXT NOT NULL,             -- compact form: 2022-H1
    kind TEXT NOT NULL,               -- so-ket, tong-ket, quy, nhiem-ky
    style TEXT NOT NULL,              -- party, state
    issued_on TEXT NOT NULL,          -- the date printed on the report
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    model TEXT NOT NULL,              -- JSON of the report as issued
    UNIQUE (series, number)
);
CREATE INDEX issued_report_unit ON issued_report(unit_id, period);
