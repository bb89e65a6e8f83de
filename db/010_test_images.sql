-- How many test images an epoch's test accuracy was measured on: the whole test set, or a short
-- run's fixed class-stratified sample before its last epoch (src-main/core/domain/eval-plan.ts).
-- NULL where the epoch was not evaluated, and for epochs recorded before this column (whole set).
ALTER TABLE run_epochs ADD COLUMN test_images INTEGER CHECK (test_images IS NULL OR test_images > 0);
