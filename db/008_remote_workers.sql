-- Remote workers and cluster executors (issue 14, docs/scale-out.md).
-- A remote worker holds a run through a lease: a random id and an expiry it renews with heartbeats.
-- A run whose lease expires goes back to the queue and resumes from its last posted checkpoint.
ALTER TABLE runs ADD COLUMN lease_id TEXT;                 -- the claim of a remote worker; NULL for a local run
ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;      -- ms since the epoch
ALTER TABLE runs ADD COLUMN executor TEXT;                 -- NULL or 'local': any local executor may take it; 'slurm': only remote workers
ALTER TABLE runs ADD COLUMN job_id TEXT;                   -- the scheduler's job (Slurm: "123" while pending, "123_4" once a task took it)
ALTER TABLE runs ADD COLUMN job_state TEXT;                -- e.g. PENDING, RUNNING, CANCELLED, TIMEOUT (squeue/sacct)
ALTER TABLE runs ADD COLUMN job_reason TEXT;               -- why it waits or why it ended, as the scheduler says
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0; -- remote claims so far (a run that keeps dying is failed)

-- Worker tokens: separate from the UI's launch token, valid for the worker calls of this store only,
-- stored as SHA-256 (the token itself is shown once, at creation).
CREATE TABLE worker_tokens (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE,
  token_hash TEXT    NOT NULL UNIQUE,
  created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  last_used_at TEXT,
  revoked_at TEXT
);
