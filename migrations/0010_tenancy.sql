-- Tenancy turnover: a resident who left the complex's group chat, or whom messages have
-- not reached since `noticed_at` (Telegram answered that they blocked the bot), is asked
-- privately whether they still live there (`asked_at`; after 60 days for the second),
-- and taken off the complex 14 days after the question if they do not answer. A message
-- that reaches them, or their return to the group, ends the check.
CREATE TABLE tenancy_checks (
    resident_id INTEGER PRIMARY KEY REFERENCES residents (id) ON DELETE CASCADE,
    cause       TEXT NOT NULL CHECK (cause IN ('left_group', 'unreachable')),
    noticed_at  TEXT NOT NULL,
    asked_at    TEXT
);
CREATE INDEX tenancy_checks_by_time ON tenancy_checks (asked_at, noticed_at);
