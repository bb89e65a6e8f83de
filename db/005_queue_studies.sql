-- The persistent run queue and studies (named groups of runs over one split: methods x seeds x grid).
-- A queued run waits in `runs` itself (status 'queued'); the queue adds its order and who launched it.

ALTER TABLE runs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;  -- higher first, then oldest first
ALTER TABLE runs ADD COLUMN claimed_by INTEGER;                    -- pid of the executor process that launched it

CREATE INDEX runs_queue ON runs(status, priority DESC, id);

CREATE TABLE studies (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE,
  split_id   INTEGER NOT NULL REFERENCES splits(id) ON DELETE CASCADE,
  spec       TEXT    NOT NULL,                 -- JSON StudySpec, defaults filled in
  created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One row per planned cell of a study that has a run; the cell key makes `study run` idempotent.
CREATE TABLE study_runs (
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  cell     TEXT    NOT NULL,                   -- e.g. "student:dive:tau=3:s1", "teacher:s101"
  run_id   INTEGER NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,
  PRIMARY KEY (study_id, cell)
);

CREATE INDEX studies_split ON studies(split_id);
