-- Every blob row has one owner: a dataset part owns its pixel file, a run its checkpoint and its
-- weights. When the owner's row goes (deleted directly or by a foreign-key cascade from a dataset
-- or split), its blob rows go with it in the same transaction, so no code path deletes them by hand.
CREATE TRIGGER dataset_parts_drop_blob AFTER DELETE ON dataset_parts
BEGIN
  DELETE FROM blobs WHERE id = OLD.pixels_blob;
END;

CREATE TRIGGER runs_drop_blobs AFTER DELETE ON runs
BEGIN
  DELETE FROM blobs WHERE id IN (OLD.checkpoint_blob, OLD.weights_blob);
END;
