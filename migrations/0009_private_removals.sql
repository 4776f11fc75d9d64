-- A removal outlives the removed person's /forgetme without keeping who they were: it is
-- found again by a keyed hash of their Telegram id (HMAC-SHA256 with the key kept here,
-- made once per database), not by the id itself, and keeps no name. Removals from before
-- keep their id until the person is forgotten, when it is replaced by the hash.
CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO secrets (name, value) VALUES ('person_key', lower(hex(randomblob(32))));

CREATE TABLE removals_keyed (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    complex_id  INTEGER NOT NULL REFERENCES complexes (id) ON DELETE CASCADE,
    person_hash TEXT,
    telegram_id INTEGER,
    first_name  TEXT,
    removed_by  INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    removed_at  TEXT NOT NULL
);
INSERT INTO removals_keyed (id, complex_id, telegram_id, first_name, removed_by, reason,
                            removed_at)
    SELECT id, complex_id, telegram_id, first_name, removed_by, reason, removed_at
    FROM removals;
DROP TABLE removals;
ALTER TABLE removals_keyed RENAME TO removals;
CREATE INDEX removals_by_person ON removals (telegram_id, complex_id);
CREATE INDEX removals_by_hash ON removals (person_hash, complex_id);
