-- Where a run ran (issue 23): one entry per attempt, appended when the attempt starts (a local
-- worker process, or a remote worker's first call under its lease), kept across resumes.
-- JSON RunAttempt[] (domain/types.ts): executor (local, remote, slurm), host, pid, worker and token
-- name, Slurm job and array task, app version, git commit, backend, the epoch it resumed after.
ALTER TABLE runs ADD COLUMN provenance TEXT NOT NULL DEFAULT '[]';
