-- Training runs, their per-epoch history, results and virtual-example distributions.

CREATE TABLE runs (
  id                INTEGER PRIMARY KEY,
  name              TEXT    NOT NULL UNIQUE,
  split_id          INTEGER NOT NULL REFERENCES splits(id) ON DELETE CASCADE,
  teacher_id        INTEGER REFERENCES runs(id) ON DELETE SET NULL, -- the app refuses to delete a teacher with students
  method            TEXT    NOT NULL,
  model             TEXT    NOT NULL,
  config            TEXT    NOT NULL,           -- JSON RunConfig, defaults filled in
  status            TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  error             TEXT,
  backend           TEXT,                       -- the backend that trained it
  backend_report    TEXT,                       -- JSON: device, threads, why better backends were not used
  worker_pid        INTEGER,                    -- set while running; a dead pid means interrupted
  heartbeat_at      INTEGER,                    -- unix ms, refreshed by the worker while it trains
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  epochs_done       INTEGER NOT NULL DEFAULT 0,
  images_per_second REAL,
  checkpoint_blob   INTEGER REFERENCES blobs(id),
  weights_blob      INTEGER REFERENCES blobs(id),
  metrics           TEXT,                       -- JSON final metrics (top1, many, medium, few, ece, perClass, confusion)
  best_metrics      TEXT,                       -- JSON metrics of the best epoch by test top-1
  dir               TEXT,                       -- folder of its files, relative to the data directory
  created_at        TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at        TEXT,
  finished_at       TEXT
);

CREATE TABLE run_epochs (
  run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch             INTEGER NOT NULL,           -- 1-based
  loss              REAL    NOT NULL,
  lr                REAL    NOT NULL,
  train_acc         REAL    NOT NULL,
  test_acc          REAL    NOT NULL,
  seconds           REAL    NOT NULL,
  images_per_second REAL    NOT NULL,
  PRIMARY KEY (run_id, epoch)
);

CREATE TABLE virtual_examples (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  tau        REAL    NOT NULL,
  power      REAL    NOT NULL,
  v          TEXT    NOT NULL,                  -- JSON per-class V_k
  flatness   TEXT    NOT NULL,                  -- JSON readout (group means, few/many, max/min)
  created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (run_id, tau, power)
);

CREATE INDEX runs_split ON runs(split_id);
CREATE INDEX runs_status ON runs(status);
