-- Every run owns its folder and its files (issue 23). Run folders were named by the first 40
-- characters of the run name and the millisecond, so runs created in the same millisecond shared a
-- folder and, through it, one checkpoint row and one weights row. New folders are named by the run
-- id (store/runs.ts insertRun), and these triggers make the database refuse a blob row or a folder
-- that another owner already has. Triggers rather than UNIQUE indexes: a store written before this
-- may hold runs that share a file, and it must still open; `dive doctor` names those runs, and
-- deleting any of them leaves the file to the others until the last one goes.

CREATE INDEX runs_checkpoint_blob ON runs(checkpoint_blob) WHERE checkpoint_blob IS NOT NULL;
CREATE INDEX runs_weights_blob ON runs(weights_blob) WHERE weights_blob IS NOT NULL;
CREATE INDEX runs_init_blob ON runs(init_blob) WHERE init_blob IS NOT NULL;
CREATE INDEX runs_dir ON runs(dir) WHERE dir IS NOT NULL;
CREATE INDEX dataset_parts_blob ON dataset_parts(pixels_blob);

-- a run that shares a folder but has no file in it yet (it never committed an epoch) gets its own
UPDATE runs SET dir = 'runs/' || id || '-' || lower(hex(randomblob(4)))
  WHERE dir IS NOT NULL AND checkpoint_blob IS NULL AND weights_blob IS NULL AND init_blob IS NULL
    AND EXISTS (SELECT 1 FROM runs o WHERE o.dir = runs.dir AND o.id <> runs.id);

-- a blob row has one owner: one run's checkpoint, weights or initial weights (db/012), or one
-- dataset part's pixels
CREATE TRIGGER runs_own_blobs_insert BEFORE INSERT ON runs
  WHEN NEW.checkpoint_blob IS NOT NULL OR NEW.weights_blob IS NOT NULL OR NEW.init_blob IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'this blob row belongs to another run or dataset: every run owns its checkpoint and weights files')
  WHERE NEW.checkpoint_blob = NEW.weights_blob OR NEW.checkpoint_blob = NEW.init_blob OR NEW.weights_blob = NEW.init_blob
     OR EXISTS (SELECT 1 FROM runs WHERE checkpoint_blob IN (NEW.checkpoint_blob, NEW.weights_blob, NEW.init_blob)
                                      OR weights_blob IN (NEW.checkpoint_blob, NEW.weights_blob, NEW.init_blob)
                                      OR init_blob IN (NEW.checkpoint_blob, NEW.weights_blob, NEW.init_blob))
     OR EXISTS (SELECT 1 FROM dataset_parts WHERE pixels_blob IN (NEW.checkpoint_blob, NEW.weights_blob, NEW.init_blob));
END;

-- on update, each column that now names a new row: not one of the run's other columns, nor any
-- other run's or dataset part's row
CREATE TRIGGER runs_own_blobs_update BEFORE UPDATE OF checkpoint_blob, weights_blob, init_blob ON runs
BEGIN
  SELECT RAISE(ABORT, 'this blob row belongs to another run or dataset: every run owns its checkpoint and weights files')
  WHERE (NEW.checkpoint_blob IS NOT NULL AND NEW.checkpoint_blob IS NOT OLD.checkpoint_blob AND (
           NEW.checkpoint_blob = NEW.weights_blob OR NEW.checkpoint_blob = NEW.init_blob
           OR EXISTS (SELECT 1 FROM runs WHERE id <> NEW.id AND NEW.checkpoint_blob IN (checkpoint_blob, weights_blob, init_blob))
           OR EXISTS (SELECT 1 FROM dataset_parts WHERE pixels_blob = NEW.checkpoint_blob)))
     OR (NEW.weights_blob IS NOT NULL AND NEW.weights_blob IS NOT OLD.weights_blob AND (
           NEW.weights_blob = NEW.checkpoint_blob OR NEW.weights_blob = NEW.init_blob
           OR EXISTS (SELECT 1 FROM runs WHERE id <> NEW.id AND NEW.weights_blob IN (checkpoint_blob, weights_blob, init_blob))
           OR EXISTS (SELECT 1 FROM dataset_parts WHERE pixels_blob = NEW.weights_blob)))
     OR (NEW.init_blob IS NOT NULL AND NEW.init_blob IS NOT OLD.init_blob AND (
           NEW.init_blob = NEW.checkpoint_blob OR NEW.init_blob = NEW.weights_blob
           OR EXISTS (SELECT 1 FROM runs WHERE id <> NEW.id AND NEW.init_blob IN (checkpoint_blob, weights_blob, init_blob))
           OR EXISTS (SELECT 1 FROM dataset_parts WHERE pixels_blob = NEW.init_blob)));
END;

CREATE TRIGGER dataset_parts_own_blob BEFORE INSERT ON dataset_parts
BEGIN
  SELECT RAISE(ABORT, 'this blob row belongs to another run or dataset: every dataset part owns its pixel file')
  WHERE EXISTS (SELECT 1 FROM dataset_parts WHERE pixels_blob = NEW.pixels_blob)
     OR EXISTS (SELECT 1 FROM runs WHERE NEW.pixels_blob IN (checkpoint_blob, weights_blob, init_blob));
END;

-- a run folder has one run
CREATE TRIGGER runs_own_dir_insert BEFORE INSERT ON runs WHEN NEW.dir IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'this run folder is the folder of another run: every run owns its folder')
  WHERE EXISTS (SELECT 1 FROM runs WHERE dir = NEW.dir);
END;

CREATE TRIGGER runs_own_dir_update BEFORE UPDATE OF dir ON runs WHEN NEW.dir IS NOT NULL AND NEW.dir IS NOT OLD.dir
BEGIN
  SELECT RAISE(ABORT, 'this run folder is the folder of another run: every run owns its folder')
  WHERE EXISTS (SELECT 1 FROM runs WHERE dir = NEW.dir AND id <> NEW.id);
END;

-- a deleted run takes its blob rows with it, except one a run of an older store still shares
DROP TRIGGER runs_drop_blobs;
CREATE TRIGGER runs_drop_blobs AFTER DELETE ON runs
BEGIN
  DELETE FROM blobs WHERE id IN (OLD.checkpoint_blob, OLD.weights_blob, OLD.init_blob)
    AND NOT EXISTS (SELECT 1 FROM runs WHERE blobs.id IN (checkpoint_blob, weights_blob, init_blob));
END;
