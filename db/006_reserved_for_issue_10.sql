-- Placeholder on branch s2-issue-14 only: issue 10 owns migration 006. Drop this file at merge
-- (the loader needs contiguous numbers, and 007_remote_workers.sql is this branch's).
SELECT 1;
