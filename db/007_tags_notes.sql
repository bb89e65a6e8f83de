-- Tags and a free-text note on runs and studies: what a researcher writes beside a result
-- ("baseline", "lr too high", "for the paper"). Their own tables, so the run and study queries
-- stay as they are; a deleted run or study takes its note with it.

CREATE TABLE run_notes (
  run_id     INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  tags       TEXT    NOT NULL DEFAULT '[]',   -- JSON array of strings
  note       TEXT    NOT NULL DEFAULT '',
  updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE study_notes (
  study_id   INTEGER PRIMARY KEY REFERENCES studies(id) ON DELETE CASCADE,
  tags       TEXT    NOT NULL DEFAULT '[]',
  note       TEXT    NOT NULL DEFAULT '',
  updated_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
