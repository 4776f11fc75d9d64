-- Updates fetched from Telegram and not yet handled. An update is stored here before the
-- offset that tells Telegram it arrived is sent (or before a webhook call is answered),
-- and deleted in the same transaction that records it in processed_updates, so a crash
-- at any moment leaves it either here, to be handled after the restart, or handled.
-- `attempts` counts handlings that ended in an error: after a few it is given up.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);
