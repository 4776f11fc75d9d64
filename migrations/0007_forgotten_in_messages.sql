-- Who a queued or sent message shows, and as which part of its text, so /forgetme can take
-- the person out of messages kept for others (the group welcome, introductions, a contact's
-- copy "reported by …"). `instead` replaces `shown_as`, in the reader's language.
CREATE TABLE outbox_people (
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    telegram_id INTEGER NOT NULL,
    shown_as    TEXT NOT NULL,
    instead     TEXT NOT NULL,
    PRIMARY KEY (outbox_id, telegram_id, shown_as)
);
CREATE INDEX outbox_people_by_person ON outbox_people (telegram_id);

-- A correction of a message already sent: the Telegram message whose text it replaces.
ALTER TABLE outbox ADD COLUMN edits INTEGER;
