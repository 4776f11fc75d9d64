-- Reports and their escalation, the network stage made real, and a durable outbox.

-- The outbox: every notification that matters is written here (in the same transaction as
-- what caused it, or re-derived from the database) before anything is sent.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    chat_id         INTEGER NOT NULL,
    text            TEXT NOT NULL,
    keyboard        TEXT,
    photo_file_id   TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'unreachable')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    message_id      INTEGER,
    last_error      TEXT
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_chat ON outbox (chat_id, status, id);

-- The stage, made real: a committee flag, an override, and when the stage began to fail.
ALTER TABLE complexes ADD COLUMN committee INTEGER NOT NULL DEFAULT 0
    CHECK (committee IN (0, 1));
ALTER TABLE complexes ADD COLUMN stage_override TEXT
    CHECK (stage_override IN ('loose_sand', 'beginning_network', 'group'));
ALTER TABLE complexes ADD COLUMN stage_failing_since TEXT;
ALTER TABLE complexes ADD COLUMN stage_checked_at TEXT;

CREATE TABLE stage_history (
    id         INTEGER PRIMARY KEY,
    complex_id INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    cause      TEXT NOT NULL CHECK (cause IN ('measured', 'override', 'override_lifted',
                                              'committee')),
    changed_by INTEGER,
    reason     TEXT,
    changed_at TEXT NOT NULL,
    -- 1 once its news was queued for initiators and contacts (committee entries: no news).
    announced  INTEGER NOT NULL DEFAULT 0 CHECK (announced IN (0, 1))
);
CREATE INDEX stage_history_by_complex ON stage_history (complex_id, changed_at);

-- A report. reporter_id is kept to tell the reporter what happens and to relay questions;
-- it is never shown to anyone, and reporter_name only when the reporter chose to give it.
CREATE TABLE reports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    complex_id      INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    reporter_id     INTEGER NOT NULL,
    reporter_name   TEXT,
    kind            TEXT NOT NULL CHECK (kind IN ('incident', 'concern')),
    category        TEXT NOT NULL,
    happening_now   INTEGER NOT NULL CHECK (happening_now IN (0, 1)),
    urgent          INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    occurred        TEXT NOT NULL,
    place           TEXT,
    latitude        REAL,
    longitude       REAL,
    description     TEXT NOT NULL,
    photo_file_id   TEXT,
    stage           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'acknowledged', 'resolved')),
    shared_in_group INTEGER NOT NULL DEFAULT 0,
    me_too          INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    resolved_at     TEXT,
    resolution      TEXT
);
CREATE INDEX reports_by_complex ON reports (complex_id, status);
CREATE INDEX reports_by_reporter ON reports (reporter_id);

CREATE TABLE report_additions (
    id        INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    text      TEXT NOT NULL,
    added_at  TEXT NOT NULL
);

-- One "me too" per neighbour; the person is kept only to count them once.
CREATE TABLE report_me_too (
    report_id   INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    telegram_id INTEGER NOT NULL,
    PRIMARY KEY (report_id, telegram_id)
);

-- Where a report is on its ladder. `chain` is the routing at the time of the report (JSON);
-- the ladder runs twice at most (`lap`); `deadline_at` is NULL once acknowledged or done.
CREATE TABLE escalations (
    report_id       INTEGER PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    chain           TEXT NOT NULL,
    lap             INTEGER NOT NULL DEFAULT 1,
    level           INTEGER NOT NULL DEFAULT 0,
    level_started   INTEGER NOT NULL DEFAULT 0 CHECK (level_started IN (0, 1)),
    deadline_at     TEXT,
    acknowledged_by INTEGER,
    acknowledged_at TEXT,
    exhausted       INTEGER NOT NULL DEFAULT 0 CHECK (exhausted IN (0, 1))
);
CREATE INDEX escalations_by_deadline ON escalations (deadline_at);

-- Who was notified at which level; UNIQUE so nobody is notified twice for one level.
CREATE TABLE escalation_targets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    lap         INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    telegram_id INTEGER NOT NULL,
    target      TEXT NOT NULL,
    acts        INTEGER NOT NULL CHECK (acts IN (0, 1)),
    outbox_key  TEXT NOT NULL,
    notified_at TEXT NOT NULL,
    UNIQUE (report_id, lap, level, telegram_id)
);
CREATE INDEX escalation_targets_by_person ON escalation_targets (telegram_id);

-- A contact's question to the reporter, relayed by the bot, and the answer.
CREATE TABLE report_questions (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    asked_by    INTEGER NOT NULL,
    question    TEXT NOT NULL,
    asked_at    TEXT NOT NULL,
    answer      TEXT,
    answered_at TEXT
);

-- Weekly digests sent, one per contact, complex and week.
CREATE TABLE digests (
    complex_id  INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    telegram_id INTEGER NOT NULL,
    week        TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (complex_id, telegram_id, week)
);
