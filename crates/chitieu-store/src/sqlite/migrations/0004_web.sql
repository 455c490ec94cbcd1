-- chitieu schema, version 4: what the web application needs. Accounts with a role and a
-- scope (units, and everything below them), sessions and API tokens (only their SHA-256 is
-- stored), the entry and approval workflow per unit and period, explanation requests on
-- lagging indicators, and the public portal's news and moderated reader comments.

CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,                -- admin | office | reporter | viewer
    password_hash TEXT NOT NULL,       -- argon2id PHC string
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,                 -- RFC 3339; refused logins until then
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE account_scope (
    account_id INTEGER NOT NULL REFERENCES account(id),
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    PRIMARY KEY (account_id, unit_id)
);

CREATE TABLE web_session (
    token_sha256 TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_session_account ON web_session(account_id);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- One data set per unit and period: the figures a unit reports for that period.
CREATE TABLE data_set (
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    period TEXT NOT NULL,
    state TEXT NOT NULL,               -- draft | submitted | approved | returned
    comment TEXT,                      -- the last return or reopen comment
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, period)
);
CREATE INDEX data_set_state ON data_set(state);

-- Values being entered, before submission writes them as figures.
CREATE TABLE draft_value (
    unit_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    indicator TEXT NOT NULL REFERENCES indicator(code),
    value TEXT NOT NULL,               -- canonical decimal text
    comment TEXT,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, period, indicator),
    FOREIGN KEY (unit_id, period) REFERENCES data_set(unit_id, period)
);

CREATE TABLE data_set_event (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    action TEXT NOT NULL,              -- save | submit | approve | return | reopen
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX data_set_event_key ON data_set_event(unit_id, period);

CREATE TABLE explanation_request (
    id INTEGER PRIMARY KEY,
    indicator TEXT NOT NULL REFERENCES indicator(code),
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    period TEXT NOT NULL,
    question TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    asked_at TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at TEXT
);

CREATE TABLE news (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,                -- plain text, paragraphs separated by blank lines
    published_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX news_unit ON news(unit_id, published_at);

CREATE TABLE reader_comment (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    topic TEXT NOT NULL,               -- "result:2022-H1" or "news:3"
    author TEXT NOT NULL,
    body TEXT NOT NULL,                -- plain text as typed; never rendered as markup
    client_key TEXT NOT NULL,          -- SHA-256 of the client address, for rate limiting
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,               -- pending | published | rejected
    moderated_by TEXT,
    moderated_at TEXT
);
CREATE INDEX reader_comment_state ON reader_comment(state, unit_id);
CREATE INDEX reader_comment_client ON reader_comment(client_key, created_at);
