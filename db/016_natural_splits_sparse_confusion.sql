-- dive: foreign keys off
-- Issue 25. (1) A split may be the training set as it is (profile 'natural': ImageNet-LT,
-- iNaturalist), which the CHECK on splits.profile refused: the table is rebuilt with the same
-- columns (the trash's trash_id and trashed_name of 013 included), rows, ids and indexes (SQLite cannot alter a CHECK; store/db.ts runs this file with
-- foreign keys off, so the rows of runs, studies, split_classes and split_samples that reference
-- splits stay as they are, and checks them before it commits).
-- (2) A run's confusion matrix moves out of its metrics JSON into its own row, sparse: the non-zero
-- cells only, as Int32 little-endian triples (true class, predicted class, count), row-major. A
-- dense 8,142-class matrix would be 66 million numbers (265 MB as int32); its cells are at most
-- one per test image. Runs stored before keep their dense matrix in the JSON, which the store
-- reads as before (store/confusion.ts).

CREATE TABLE splits_new (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL UNIQUE,
  dataset_id     INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  profile        TEXT    NOT NULL CHECK (profile IN ('exp', 'step', 'natural')),
  ratio          REAL    NOT NULL CHECK (ratio >= 1),
  n_max          INTEGER NOT NULL CHECK (n_max >= 1),
  seed           INTEGER NOT NULL,
  class_order    TEXT    NOT NULL CHECK (class_order IN ('label', 'shuffle')),
  order_json     TEXT    NOT NULL,              -- JSON array: class index at each rank
  many_threshold INTEGER NOT NULL,
  few_threshold  INTEGER NOT NULL,
  total          INTEGER NOT NULL,
  stats          TEXT    NOT NULL,              -- JSON ClassStats of the split's training counts
  created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  trash_id       INTEGER REFERENCES trash(id),   -- 013_trash.sql: set while the split is in the trash
  trashed_name   TEXT
);
INSERT INTO splits_new (id, name, dataset_id, profile, ratio, n_max, seed, class_order, order_json, many_threshold, few_threshold, total, stats, created_at, trash_id, trashed_name)
  SELECT id, name, dataset_id, profile, ratio, n_max, seed, class_order, order_json, many_threshold, few_threshold, total, stats, created_at, trash_id, trashed_name FROM splits;
DROP TABLE splits;
ALTER TABLE splits_new RENAME TO splits;
CREATE INDEX splits_dataset ON splits(dataset_id);
CREATE INDEX splits_trash ON splits(trash_id) WHERE trash_id IS NOT NULL;

CREATE TABLE run_confusion (
  run_id  INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  classes INTEGER NOT NULL CHECK (classes >= 1),
  cells   BLOB    NOT NULL,                     -- Int32 LE triples (true, predicted, count), count > 0, row-major
  sha256  TEXT    NOT NULL                      -- of `cells`, checked on every read
);
