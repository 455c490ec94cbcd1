-- DHIS2 exchange (SQLite). Kept in step with postgres/migrations/0005_dhis2.sql.
--
-- dhis2_mapping: which DHIS2 id stands for which chitieu key, edited by users.
--   kind data_element:           dhis2_id (+ category_option_combo, '' = any known combo)
--                                -> chitieu_key = indicator code
--   kind org_unit:               dhis2_id -> chitieu_key = unit id (a UnitId, never a code)
--   kind category_option_combo:  a combo accepted on import -> chitieu_key = a label
--   kind attribute_option_combo: a combo accepted on import -> chitieu_key = a label
-- dhis2_figure: what a DHIS2 data value carried that a chitieu figure has no field for, per
-- figure revision, so that an export gives back what was imported.
CREATE TABLE dhis2_mapping (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('data_element', 'org_unit', 'category_option_combo', 'attribute_option_combo')),
    dhis2_id TEXT NOT NULL,
    category_option_combo TEXT NOT NULL DEFAULT '',
    chitieu_key TEXT NOT NULL,
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, dhis2_id, category_option_combo)
);
CREATE INDEX dhis2_mapping_key ON dhis2_mapping(kind, chitieu_key);

CREATE TABLE dhis2_figure (
    figure_id INTEGER PRIMARY KEY REFERENCES figure(id),
    data_element TEXT NOT NULL,
    period TEXT NOT NULL,
    org_unit TEXT NOT NULL,
    category_option_combo TEXT,
    attribute_option_combo TEXT,
    stored_by TEXT,
    created TEXT,
    last_updated TEXT,
    followup INTEGER NOT NULL DEFAULT 0
);
