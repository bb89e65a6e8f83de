-- Datasets, their classes, splits and the files that hold decoded pixels.
-- Big arrays live in files under the data directory; `blobs` references them with a checksum.

CREATE TABLE blobs (
  id          INTEGER PRIMARY KEY,
  path        TEXT    NOT NULL UNIQUE,          -- relative to the data directory
  bytes       INTEGER NOT NULL,
  sha256      TEXT    NOT NULL,
  kind        TEXT    NOT NULL                  -- 'pixels' | 'weights' | ...
);

CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  format      TEXT    NOT NULL,                 -- idx | cifar10 | cifar100 | folder | list | inat
  source      TEXT    NOT NULL,                 -- JSON: what the user pointed at
  height      INTEGER NOT NULL CHECK (height > 0),
  width       INTEGER NOT NULL CHECK (width > 0),
  channels    INTEGER NOT NULL CHECK (channels IN (1, 3)),
  num_classes INTEGER NOT NULL CHECK (num_classes >= 2),
  dir         TEXT    NOT NULL,                 -- folder of its files, relative to the data directory
  stats       TEXT    NOT NULL,                 -- JSON ClassStats of the training set
  created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE dataset_parts (
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  part        TEXT    NOT NULL CHECK (part IN ('train', 'test')),
  count       INTEGER NOT NULL CHECK (count >= 0),
  pixels_blob INTEGER NOT NULL REFERENCES blobs(id),
  labels      BLOB    NOT NULL,                 -- Int32 little-endian, one per image
  PRIMARY KEY (dataset_id, part)
);

CREATE TABLE classes (
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL CHECK (idx >= 0),
  name        TEXT    NOT NULL,
  train_count INTEGER NOT NULL,
  test_count  INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, idx)
);

CREATE TABLE splits (
  id             INTEGER PRIMARY KEY,
  name           TEXT    NOT NULL UNIQUE,
  dataset_id     INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  profile        TEXT    NOT NULL CHECK (profile IN ('exp', 'step')),
  ratio          REAL    NOT NULL CHECK (ratio >= 1),
  n_max          INTEGER NOT NULL CHECK (n_max >= 1),
  seed           INTEGER NOT NULL,
  class_order    TEXT    NOT NULL CHECK (class_order IN ('label', 'shuffle')),
  order_json     TEXT    NOT NULL,              -- JSON array: class index at each rank
  many_threshold INTEGER NOT NULL,
  few_threshold  INTEGER NOT NULL,
  total          INTEGER NOT NULL,
  stats          TEXT    NOT NULL,              -- JSON ClassStats of the split's training counts
  created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE split_classes (
  split_id   INTEGER NOT NULL REFERENCES splits(id) ON DELETE CASCADE,
  class_idx  INTEGER NOT NULL,
  count      INTEGER NOT NULL CHECK (count >= 0),
  grp        TEXT    NOT NULL CHECK (grp IN ('many', 'medium', 'few')),
  PRIMARY KEY (split_id, class_idx)
);

CREATE TABLE split_samples (
  split_id   INTEGER PRIMARY KEY REFERENCES splits(id) ON DELETE CASCADE,
  indices    BLOB    NOT NULL                   -- Int32 little-endian, ascending, into the train part
);

CREATE INDEX splits_dataset ON splits(dataset_id);
