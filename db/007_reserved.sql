-- Placeholder on the issue-11 branch only, so 008_tags_notes.sql is in sequence here: issue 14's
-- 007 migration takes this number at merge (delete this file then).
SELECT 1;
