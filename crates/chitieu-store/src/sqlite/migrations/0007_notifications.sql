-- chitieu schema, version 7: reminders. In-app notifications (one per account and dedupe key,
-- so a scheduler that computes the same reminder again, or restarts, stores nothing new), the
-- e-mail address an account gets its reminders at, the daily digests sent (one per account
-- and day), and the scheduler's passes that did something. Reminder settings live in the
-- `setting` table under the key `reminders`.

CREATE TABLE notification (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    kind TEXT NOT NULL,                -- deadline_soon | overdue | returned | … | digest
    dedupe_key TEXT NOT NULL,          -- "task:42:due-in:7d", "period:2026-H1:open"
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT,
    emailed_at TEXT,                   -- set by the one process that claimed the e-mail
    UNIQUE (account_id, dedupe_key)
);
CREATE INDEX notification_account ON notification(account_id, created_at);
CREATE INDEX notification_email ON notification(emailed_at, created_at);

CREATE TABLE account_email (
    account_id INTEGER PRIMARY KEY REFERENCES account(id),
    email TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE digest_sent (
    account_id INTEGER NOT NULL REFERENCES account(id),
    day TEXT NOT NULL,                 -- YYYY-MM-DD, local time
    sent_at TEXT NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (account_id, day)
);

CREATE TABLE scheduler_run (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    created INTEGER NOT NULL,
    emailed INTEGER NOT NULL,
    digests INTEGER NOT NULL,
    error TEXT
);
