-- The line a shared concern shows in the group, as the reporter approved it. NULL means
-- the category's neutral line (bot/reports.py), written in the group's language when posted;
-- the private description never goes to the group.
ALTER TABLE reports ADD COLUMN group_text TEXT;
