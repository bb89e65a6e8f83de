-- A trash for deletes (issue 22): a delete no longer removes rows and files; it moves the thing
-- named, and everything it takes with it (a split's runs and studies, students on other splits),
-- into one trash entry that can be restored as a whole, or emptied, which removes rows and files
-- for good (store/trash-rows.ts). MLflow's soft delete is the model.
--
-- A trashed row keeps its id, its children (epochs, notes, predictions, blobs) and its files. It
-- gives up its name, so that a new dataset, split, run or study may take it: the name moves to
-- `trashed_name`, and `name` becomes ' [trash #ID] NAME', which no live name can equal (every name
-- a request gives is trimmed, so none starts with a space). Lookups by name therefore never find
-- a trashed row, and every listing leaves out rows with a trash_id.

CREATE TABLE trash (
  id         INTEGER PRIMARY KEY,
  kind       TEXT    NOT NULL CHECK (kind IN ('dataset', 'split', 'run', 'study')),
  name       TEXT    NOT NULL,                  -- what the user deleted, by the name it had
  deleted_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

ALTER TABLE datasets ADD COLUMN trash_id INTEGER REFERENCES trash(id);
ALTER TABLE datasets ADD COLUMN trashed_name TEXT;
ALTER TABLE splits ADD COLUMN trash_id INTEGER REFERENCES trash(id);
ALTER TABLE splits ADD COLUMN trashed_name TEXT;
ALTER TABLE runs ADD COLUMN trash_id INTEGER REFERENCES trash(id);
ALTER TABLE runs ADD COLUMN trashed_name TEXT;
ALTER TABLE studies ADD COLUMN trash_id INTEGER REFERENCES trash(id);
ALTER TABLE studies ADD COLUMN trashed_name TEXT;

CREATE INDEX datasets_trash ON datasets(trash_id) WHERE trash_id IS NOT NULL;
CREATE INDEX splits_trash ON splits(trash_id) WHERE trash_id IS NOT NULL;
CREATE INDEX runs_trash ON runs(trash_id) WHERE trash_id IS NOT NULL;
CREATE INDEX studies_trash ON studies(trash_id) WHERE trash_id IS NOT NULL;

-- A study's run trashed without its study leaves the study (so that `study run` can train the cell
-- again); the cell it filled waits here, and a restore puts the run back in it when it is still free.
CREATE TABLE trash_cells (
  run_id   INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  trash_id INTEGER NOT NULL REFERENCES trash(id),
  study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  cell     TEXT    NOT NULL
);
