-- When a message went to Telegram, until Telegram answered. Still set after a crash, it
-- means Telegram may have the message already: the next attempt says it may be a repeat.
ALTER TABLE outbox ADD COLUMN in_flight_since TEXT;
