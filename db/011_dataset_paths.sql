-- Where each training image of a dataset came from, for the datasets imported from image files
-- (folder, list, iNaturalist): their paths relative to the image root the user gave, in the
-- order of the training part, as a JSON array (`dive split export NAME --format list` writes a
-- split's images as "path label" lines from it). Datasets decoded from array files (IDX, CIFAR)
-- have no row; neither do image datasets imported before this table.
CREATE TABLE dataset_paths (
  dataset_id INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  root       TEXT    NOT NULL,                  -- absolute image root at import time
  paths      TEXT    NOT NULL                   -- JSON array of strings, one per training image
);
