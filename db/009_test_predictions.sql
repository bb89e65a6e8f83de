-- A completed run's prediction for every test image (argmax of its final model's logits), so the
-- run page can show the test images of a confusion-matrix cell without running the model again.
-- Int32 little-endian in the row (10,000 test images are 40 kB), its sha256 checked on every read,
-- and keyed to the sha256 of the weights it was computed from. The run owns it: a deleted run
-- takes its predictions with it by cascade, so no code path deletes them by hand.
CREATE TABLE run_predictions (
  run_id         INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  weights_sha256 TEXT    NOT NULL,
  predictions    BLOB    NOT NULL,
  sha256         TEXT    NOT NULL,
  created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
