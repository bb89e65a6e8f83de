-- What a runs listing shows, as columns: listing 10,000 runs must parse no JSON per row (a run's
-- metrics JSON holds its confusion matrix, which grows with classes squared). The store writes them
-- in the statement that writes the JSON they summarise (insertRun, markCompleted); runs stored
-- before this migration get them from their JSON here.
ALTER TABLE runs ADD COLUMN seed         INTEGER;  -- config.seed
ALTER TABLE runs ADD COLUMN epochs       INTEGER;  -- config.epochs
ALTER TABLE runs ADD COLUMN teacher_name TEXT;     -- teacher_info.name: kept after the teacher is deleted
ALTER TABLE runs ADD COLUMN top1         REAL;     -- metrics.top1 ... metrics.ece, null until completed
ALTER TABLE runs ADD COLUMN many         REAL;
ALTER TABLE runs ADD COLUMN medium       REAL;
ALTER TABLE runs ADD COLUMN few          REAL;
ALTER TABLE runs ADD COLUMN ece          REAL;
ALTER TABLE runs ADD COLUMN lr           REAL;     -- config.lr, batchSize, params.tau / power / alpha:
ALTER TABLE runs ADD COLUMN batch_size   INTEGER;  -- the hyper-parameter columns and filters of the Runs screen
ALTER TABLE runs ADD COLUMN tau          REAL;
ALTER TABLE runs ADD COLUMN power        REAL;
ALTER TABLE runs ADD COLUMN alpha        REAL;

UPDATE runs SET
  seed = json_extract(config, '$.seed'), epochs = json_extract(config, '$.epochs'),
  teacher_name = json_extract(teacher_info, '$.name'),
  top1 = json_extract(metrics, '$.top1'), many = json_extract(metrics, '$.many'), medium = json_extract(metrics, '$.medium'),
  few = json_extract(metrics, '$.few'), ece = json_extract(metrics, '$.ece'),
  lr = json_extract(config, '$.lr'), batch_size = json_extract(config, '$.batchSize'), tau = json_extract(config, '$.params.tau'),
  power = json_extract(config, '$.params.power'), alpha = json_extract(config, '$.params.alpha');
