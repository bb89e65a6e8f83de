-- Weights that come from outside the workbench (issue 21). `origin` says where a run's weights came
-- from: a run registered with `dive import-run` (trained elsewhere, evaluated here on import) or a
-- run that started from `--init-weights`; JSON RunOrigin (domain/types.ts), null for a run trained
-- here from its seeded initialisation. `init_blob` is the initial weights such a run trains from
-- (converted into the workbench's layout when the run was created), owned by the run like its
-- checkpoint and weights: the trigger that removes a deleted run's blob rows now takes it too.
ALTER TABLE runs ADD COLUMN origin TEXT;
ALTER TABLE runs ADD COLUMN init_blob INTEGER REFERENCES blobs(id);

DROP TRIGGER runs_drop_blobs;
CREATE TRIGGER runs_drop_blobs AFTER DELETE ON runs
BEGIN
  DELETE FROM blobs WHERE id IN (OLD.checkpoint_blob, OLD.weights_blob, OLD.init_blob);
END;
