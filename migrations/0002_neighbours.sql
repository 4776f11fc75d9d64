-- Knowing each other: introduction rounds, acquaintances, ideas, activities, and asking
-- residents to become initiators. Every due time lives here; the scheduler only wakes
-- the code that looks for what is due.

ALTER TABLE complexes ADD COLUMN intro_enabled INTEGER NOT NULL DEFAULT 1
    CHECK (intro_enabled IN (0, 1));
-- Monday = 0 … Sunday = 6, and HH:MM, both in the deployment's time zone.
ALTER TABLE complexes ADD COLUMN intro_weekday INTEGER NOT NULL DEFAULT 0
    CHECK (intro_weekday BETWEEN 0 AND 6);
ALTER TABLE complexes ADD COLUMN intro_time TEXT NOT NULL DEFAULT '19:00';
-- Rounds are only held for moments after the schedule was last set.
ALTER TABLE complexes ADD COLUMN intro_changed_at TEXT;

-- A round is held once for each scheduled moment (UNIQUE), however often the bot restarts.
CREATE TABLE intro_rounds (
    id         INTEGER PRIMARY KEY,
    complex_id INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    due_at     TEXT NOT NULL,
    held_at    TEXT NOT NULL,
    UNIQUE (complex_id, due_at)
);

CREATE TABLE introductions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    complex_id  INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    round_id    INTEGER REFERENCES intro_rounds (id) ON DELETE SET NULL,
    status      TEXT NOT NULL DEFAULT 'proposed'
                CHECK (status IN ('proposed', 'accepted', 'declined', 'expired')),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_at TEXT
);
CREATE INDEX introductions_by_status ON introductions (status, expires_at);

CREATE TABLE introduction_members (
    introduction_id  INTEGER NOT NULL REFERENCES introductions (id) ON DELETE CASCADE,
    resident_id      INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    answer           TEXT NOT NULL DEFAULT 'pending' CHECK (answer IN ('pending', 'yes', 'no')),
    followup_due_at  TEXT,
    followups_sent   INTEGER NOT NULL DEFAULT 0,
    met              TEXT CHECK (met IN ('yes', 'not_yet', 'no')),
    PRIMARY KEY (introduction_id, resident_id)
);
CREATE INDEX introduction_members_by_resident ON introduction_members (resident_id);
CREATE INDEX introduction_members_followups ON introduction_members (followup_due_at);

-- Two residents who confirmed they know each other (resident_a < resident_b).
CREATE TABLE acquaintances (
    resident_a      INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    resident_b      INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    complex_id      INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    introduction_id INTEGER REFERENCES introductions (id) ON DELETE SET NULL,
    confirmed_at    TEXT NOT NULL,
    PRIMARY KEY (resident_a, resident_b),
    CHECK (resident_a < resident_b)
);

-- /meet: one open request per resident, matched as soon as someone is available.
CREATE TABLE meet_requests (
    resident_id  INTEGER PRIMARY KEY REFERENCES residents (id) ON DELETE CASCADE,
    requested_at TEXT NOT NULL
);

CREATE TABLE ideas (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    complex_id       INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    proposer_id      INTEGER REFERENCES residents (id) ON DELETE SET NULL,
    text             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'planned')),
    group_chat_id    INTEGER,
    group_message_id INTEGER,
    created_at       TEXT NOT NULL,
    closed_at        TEXT
);
CREATE INDEX ideas_by_complex ON ideas (complex_id, status);

CREATE TABLE idea_votes (
    idea_id     INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('support', 'help')),
    voted_at    TEXT NOT NULL,
    PRIMARY KEY (idea_id, resident_id, kind)
);

CREATE TABLE activities (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    complex_id       INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    idea_id          INTEGER REFERENCES ideas (id) ON DELETE SET NULL,
    title            TEXT NOT NULL,
    place            TEXT NOT NULL,
    starts_at        TEXT NOT NULL,
    planned_by       INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'planned'
                     CHECK (status IN ('planned', 'held', 'cancelled')),
    attendance       INTEGER CHECK (attendance IS NULL OR attendance >= 0),
    remind_day_at    TEXT,
    remind_hour_at   TEXT,
    ask_outcome_at   TEXT,
    group_chat_id    INTEGER,
    group_message_id INTEGER,
    created_at       TEXT NOT NULL
);
CREATE INDEX activities_by_complex ON activities (complex_id, starts_at);

CREATE TABLE activity_attendees (
    activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, resident_id)
);

-- An initiator asked a resident to become an initiator; the resident answers.
CREATE TABLE initiator_invitations (
    resident_id INTEGER PRIMARY KEY REFERENCES residents (id) ON DELETE CASCADE,
    asked_by    INTEGER NOT NULL,
    asked_at    TEXT NOT NULL,
    answer      TEXT CHECK (answer IN ('yes', 'no'))
);
