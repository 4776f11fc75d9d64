-- Complexes, the people in them, invites, unfinished conversations and seen updates.

CREATE TABLE complexes (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    homes          INTEGER NOT NULL CHECK (homes > 0),
    municipality   TEXT NOT NULL,
    language       TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    join_policy    TEXT NOT NULL DEFAULT 'open' CHECK (join_policy IN ('open', 'approval')),
    stage          TEXT NOT NULL DEFAULT 'loose_sand'
                   CHECK (stage IN ('loose_sand', 'beginning_network', 'group')),
    resident_code  TEXT NOT NULL UNIQUE,
    initiator_code TEXT NOT NULL UNIQUE,
    group_chat_id  INTEGER UNIQUE,
    created_by     INTEGER NOT NULL,
    created_at     TEXT NOT NULL
);

-- A Telegram user who chose a language or joined something; nothing else is kept.
CREATE TABLE users (
    telegram_id INTEGER PRIMARY KEY,
    language    TEXT CHECK (language IN ('nl', 'en')),
    created_at  TEXT NOT NULL
);

-- One complex per resident: people move, leave and sign up again elsewhere.
CREATE TABLE residents (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    telegram_id         INTEGER NOT NULL UNIQUE,
    complex_id          INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    first_name          TEXT NOT NULL,
    building            TEXT,
    wants_to_organise   INTEGER NOT NULL CHECK (wants_to_organise IN (0, 1)),
    wants_introductions INTEGER NOT NULL CHECK (wants_introductions IN (0, 1)),
    role                TEXT NOT NULL DEFAULT 'resident' CHECK (role IN ('resident', 'initiator')),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'active')),
    consented_at        TEXT NOT NULL,
    joined_at           TEXT NOT NULL
);
CREATE INDEX residents_by_complex ON residents (complex_id, status);

CREATE TABLE resident_interests (
    resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    interest    TEXT NOT NULL,
    PRIMARY KEY (resident_id, interest)
);

CREATE TABLE contacts (
    telegram_id INTEGER NOT NULL,
    complex_id  INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('municipality', 'police', 'corporation', 'peer')),
    first_name  TEXT NOT NULL,
    joined_at   TEXT NOT NULL,
    PRIMARY KEY (telegram_id, complex_id)
);
CREATE INDEX contacts_by_complex ON contacts (complex_id, kind);

CREATE TABLE contact_invites (
    code       TEXT PRIMARY KEY,
    complex_id INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('municipality', 'police', 'corporation', 'peer')),
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by    INTEGER,
    used_at    TEXT
);

-- Who was removed from a complex, by whom and why; a removed person needs approval to return.
CREATE TABLE removals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    complex_id  INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    telegram_id INTEGER NOT NULL,
    first_name  TEXT NOT NULL,
    removed_by  INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    removed_at  TEXT NOT NULL
);
CREATE INDEX removals_by_person ON removals (telegram_id, complex_id);

-- A conversation in progress (sign-up, new complex, profile edit), so a restart loses nothing.
CREATE TABLE drafts (
    telegram_id INTEGER PRIMARY KEY,
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    updated_at  TEXT NOT NULL
);

-- Updates already handled, so one Telegram delivers twice is applied once.
CREATE TABLE processed_updates (
    update_id    INTEGER PRIMARY KEY,
    processed_at TEXT NOT NULL
);
CREATE INDEX processed_updates_by_time ON processed_updates (processed_at);
