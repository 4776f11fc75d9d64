-- A report whose remaining levels have nobody behind them waits for someone to join,
-- instead of climbing through empty levels and running out: `waiting_since` says since
-- when. A contact or initiator who joins, or is promoted, wakes it.
ALTER TABLE escalations ADD COLUMN waiting_since TEXT;
CREATE INDEX escalations_waiting ON escalations (waiting_since);
