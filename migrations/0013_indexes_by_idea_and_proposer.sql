-- Who could become an initiator (/members) counts each resident's ideas that became
-- activities: without these, once per resident, it scans every idea of the city. They
-- also serve the foreign keys when a resident or an idea is deleted.
CREATE INDEX ideas_by_proposer ON ideas (proposer_id);
CREATE INDEX activities_by_idea ON activities (idea_id);
