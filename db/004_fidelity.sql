-- Fidelity (issue 8): run warnings, the teacher a student was distilled from (kept after the
-- teacher is deleted), epochs without a test evaluation (eval-every) and the validation holdout.
-- runs.best_metrics is no longer written or read: no epoch is chosen on the test set.

ALTER TABLE runs ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';   -- JSON string[]
ALTER TABLE runs ADD COLUMN teacher_info TEXT;                     -- JSON TeacherInfo, kd / dive students

CREATE TABLE run_epochs_new (
  run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch             INTEGER NOT NULL,           -- 1-based
  loss              REAL    NOT NULL,
  lr                REAL    NOT NULL,           -- the lr of the epoch's last batch
  train_acc         REAL    NOT NULL,
  test_acc          REAL,                       -- null: not evaluated this epoch
  val_acc           REAL,                       -- balanced accuracy on the validation holdout
  seconds           REAL    NOT NULL,
  images_per_second REAL    NOT NULL,
  PRIMARY KEY (run_id, epoch)
);
INSERT INTO run_epochs_new (run_id, epoch, loss, lr, train_acc, test_acc, seconds, images_per_second)
  SELECT run_id, epoch, loss, lr, train_acc, test_acc, seconds, images_per_second FROM run_epochs;
DROP TABLE run_epochs;
ALTER TABLE run_epochs_new RENAME TO run_epochs;

-- Runs stored before this migration warmed up per epoch and evaluated every epoch: say so in their
-- configs, so that resuming or duplicating one keeps the schedule it trained with.
UPDATE runs SET config = json_set(config, '$.warmupForm', 'epoch', '$.evalEvery', 1, '$.valFraction', 0)
  WHERE json_extract(config, '$.warmupForm') IS NULL;
