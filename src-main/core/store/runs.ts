import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BackendReport, EpochRecord, RunAttempt, RunInfo, RunMetrics, RunOrigin, RunStatus, RunSummary, TeacherInfo } from '../domain/types';
import { UserError } from '../domain/errors';
import type { WrittenFile } from './files';
import type { Store } from './handle';
import { processAlive } from '../process';
import { answerConfusion, saveConfusion, splitConfusion } from './confusion';
import { parseRunConfig, RUN_DEFAULTS, type RunConfig } from '../domain/run-config';
import { runAnnotation } from './notes';

interface RunRow {
  id: number;
  name: string;
  split_id: number;
  teacher_id: number | null;
  method: string;
  model: string;
  config: string;
  status: RunStatus;
  error: string | null;
  backend: string | null;
  backend_report: string | null;
  worker_pid: number | null;
  heartbeat_at: number | null;
  cancel_requested: number;
  epochs_done: number;
  images_per_second: number | null;
  checkpoint_blob: number | null;
  weights_blob: number | null;
  init_blob: number | null;
  origin: string | null;
  metrics: string | null;
  warnings: string;
  teacher_info: string | null;
  dir: string | null;
  executor: string | null;
  /** JSON RunAttempt[] (db/015_run_provenance.sql) */
  provenance: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  // the listing's columns (db/006_run_summary.sql), written with the JSON they summarise
  seed: number | null;
  epochs: number | null;
  teacher_name: string | null;
  top1: number | null;
  many: number | null;
  medium: number | null;
  few: number | null;
  ece: number | null;
}

const parse = <T>(s: string | null): T | null => (s == null ? null : (JSON.parse(s) as T));
const now = () => new Date().toISOString();

export function runRow(store: Store, ref: string | number): RunRow {
  const row = (typeof ref === 'number'
    ? store.db.prepare('SELECT * FROM runs WHERE id = ?').get(ref)
    : store.db.prepare('SELECT * FROM runs WHERE name = ?').get(ref)) as RunRow | undefined;
  if (!row) throw new UserError(`no run named "${ref}" (see \`dive runs\`)`, [{ path: [], message: `no run named "${ref}"` }]);
  return row;
}

/**
 * What the listing reads, in one query with the split, dataset, teacher and study names (no query
 * per run): columns only, never the config, metrics or record JSON, whose strings alone cost more
 * than the rest. Rows come back as arrays (better-sqlite3's raw mode: a third of the CPU time of
 * one object per row at 10,000 runs), in the order of SummaryTuple.
 */
const SELECT_SUMMARIES = `SELECT r.id, r.name, r.status, r.error, r.method, r.model, s.name, r.split_id, d.name,
    COALESCE(t.name, r.teacher_name), st.name, r.seed, r.epochs, r.backend, r.epochs_done,
    r.top1, r.many, r.medium, r.few, r.ece, r.warnings, r.images_per_second, r.created_at, r.started_at, r.finished_at,
    r.lr, r.batch_size, r.tau, r.power, r.alpha, r.origin,
    (SELECT e.val_acc FROM run_epochs e WHERE e.run_id = r.id AND e.epoch = r.epochs_done)
  FROM runs r JOIN splits s ON s.id = r.split_id JOIN datasets d ON d.id = s.dataset_id LEFT JOIN runs t ON t.id = r.teacher_id AND t.trash_id IS NULL
  LEFT JOIN study_runs sr ON sr.run_id = r.id LEFT JOIN studies st ON st.id = sr.study_id AND st.trash_id IS NULL`;

type SummaryTuple = [
  id: number, name: string, status: RunStatus, error: string | null, method: string, model: string, split: string, splitId: number, dataset: string,
  teacher: string | null, study: string | null, seed: number | null, epochs: number | null, backend: string | null, epochsDone: number,
  top1: number | null, many: number | null, medium: number | null, few: number | null, ece: number | null, warnings: string,
  imagesPerSecond: number | null, createdAt: string, startedAt: string | null, finishedAt: string | null,
  lr: number | null, batchSize: number | null, tau: number | null, power: number | null, alpha: number | null, origin: string | null,
  valAcc: number | null,
];

interface EpochRow { epoch: number; loss: number; lr: number; train_acc: number; test_acc: number | null; test_images: number | null; val_acc: number | null; seconds: number; images_per_second: number }

const toEpoch = (e: EpochRow): EpochRecord => ({ epoch: e.epoch, loss: e.loss, lr: e.lr, trainAcc: e.train_acc, testAcc: e.test_acc, testImages: e.test_images, valAcc: e.val_acc, seconds: e.seconds, imagesPerSec: e.images_per_second });

/** From the row's columns alone: no JSON parsed but a non-empty warnings list (short, and rare). */
function toRunSummary(row: SummaryTuple): RunSummary {
  const [id, name, status, error, method, model, split, splitId, dataset, teacher, study, seed, epochs, backend, epochsDone,
    top1, many, medium, few, ece, warnings, imagesPerSecond, createdAt, startedAt, finishedAt, lr, batchSize, tau, power, alpha, origin, valAcc] = row;
  return {
    id, name, status, error, method, model, split, splitId, dataset,
    // the live teacher's name, or the one recorded when the student was created
    teacher,
    study,
    // null only where a config stored before these columns lacked the field: its default, as getRun's parse reads it
    seed: seed ?? RUN_DEFAULTS.seed,
    epochsTotal: epochs ?? RUN_DEFAULTS.epochs,
    hyper: { lr: lr ?? RUN_DEFAULTS.lr, batchSize: batchSize ?? RUN_DEFAULTS.batchSize, tau, power, alpha },
    backend,
    epochsDone,
    metrics: top1 == null || ece == null ? null : { top1, many, medium, few, ece },
    valAcc,
    warnings: warnings === '[]' ? [] : (parse<string[]>(warnings) ?? []),
    imagesPerSecond, createdAt, startedAt, finishedAt,
    // where weights from outside came in (import-run, --init-weights); rare, and a short JSON
    origin: parse<RunOrigin>(origin),
  };
}

/**
 * A run with everything stored of it. The confusion matrix comes in full up to CLASS_MATRIX_MAX
 * classes, above as precision and the largest confusions (store/confusion.ts); `cells: true` adds
 * every non-zero cell (what `dive run --json` prints).
 */
export function getRun(store: Store, ref: string | number, opts: { cells?: boolean } = {}): RunInfo {
  const r = runRow(store, ref);
  const summary = toRunSummary(store.db.prepare(`${SELECT_SUMMARIES} WHERE r.id = ?`).raw().get(r.id) as SummaryTuple);
  const epochs = (store.db.prepare('SELECT * FROM run_epochs WHERE run_id = ? ORDER BY epoch').all(r.id) as EpochRow[]).map(toEpoch);
  return {
    ...summary,
    // re-parsed so a run stored before a config field existed reads with that field's default
    config: parseRunConfig(JSON.parse(r.config)),
    metrics: r.metrics == null ? null : answerConfusion(store, r.id, r.name, JSON.parse(r.metrics) as RunMetrics, opts.cells),
    teacherInfo: parse<TeacherInfo>(r.teacher_info),
    backendReport: parse<BackendReport>(r.backend_report),
    epochs,
    provenance: parse<RunAttempt[]>(r.provenance) ?? [],
    ...runAnnotation(store, r.id),
  };
}

/** One query whatever the number of runs, reading columns only; config, full metrics and epochs are getRun's. */
export function listRuns(store: Store, filter: { split?: string; status?: RunStatus } = {}): RunSummary[] {
  const rows = store.db
    .prepare(`${SELECT_SUMMARIES} WHERE r.trash_id IS NULL AND (@split IS NULL OR s.name = @split) AND (@status IS NULL OR r.status = @status) ORDER BY r.id`)
    .raw()
    .all({ split: filter.split ?? null, status: filter.status ?? null }) as SummaryTuple[];
  return rows.map(toRunSummary);
}

/** `base`, or `base-2`, `base-3`, ... whichever is first free. */
export function uniqueRunName(store: Store, base: string): string {
  const taken = (n: string) => store.db.prepare('SELECT 1 FROM runs WHERE name = ?').get(n) !== undefined;
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}

export function insertRun(
  store: Store,
  r: { name: string; splitId: number; teacherId: number | null; method: string; model: string; config: RunConfig; teacherInfo?: TeacherInfo | null; warnings?: string[]; origin?: RunOrigin | null },
): number {
  return store.db.transaction(() => {
    // the listing's columns go in with the JSON they summarise, in this one statement
    const info = store.db
      .prepare(
        `INSERT INTO runs (name, split_id, teacher_id, method, model, config, status, heartbeat_at, teacher_info, warnings, seed, epochs, teacher_name, lr, batch_size, tau, power, alpha)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.name, r.splitId, r.teacherId, r.method, r.model, JSON.stringify(r.config), Date.now(), r.teacherInfo ? JSON.stringify(r.teacherInfo) : null, JSON.stringify(r.warnings ?? []), r.config.seed, r.config.epochs, r.teacherInfo?.name ?? null,
        r.config.lr, r.config.batchSize, r.config.params.tau, r.config.params.power, r.config.params.alpha);
    const id = Number(info.lastInsertRowid);
    // its own folder, named by its id (unique while the row lives; the random part keeps a folder
    // of a deleted run that reused this id, left in the trash, from being taken for this run's)
    store.db.prepare('UPDATE runs SET dir = ? WHERE id = ?').run(`runs/${id}-${randomBytes(4).toString('hex')}`, id);
    if (r.origin) store.db.prepare('UPDATE runs SET origin = ? WHERE id = ?').run(JSON.stringify(r.origin), id);
    return id;
  }).immediate();
}

/** The initial weights a run trains from (--init-weights), owned by the run; in the caller's transaction. */
export function setInitWeights(store: Store, id: number, file: WrittenFile): void {
  replaceBlob(store, id, 'init_blob', file, 'weights');
}

/**
 * A run trained elsewhere, registered as completed (dive import-run): its weights file, the test
 * metrics measured on import, no epochs. One transaction with the caller's insertRun.
 */
export function markImported(store: Store, id: number, r: { metrics: RunMetrics; weights: WrittenFile; backend: BackendReport }): void {
  replaceBlob(store, id, 'weights_blob', r.weights, 'weights');
  store.db
    .prepare(`UPDATE runs SET status = 'completed', metrics = ?, backend = ?, backend_report = ?, started_at = ?, finished_at = ?,
              top1 = ?, many = ?, medium = ?, few = ?, ece = ? WHERE id = ?`)
    .run(JSON.stringify(r.metrics), r.backend.name, JSON.stringify(r.backend), now(), now(), r.metrics.top1, r.metrics.many, r.metrics.medium, r.metrics.few, r.metrics.ece, id);
}

/**
 * Refuses to train, resume or export-by-resume a run that shares a folder or a file with another
 * run (stores written before db/014_run_ownership.sql): its checkpoint holds the last writer's state.
 */
export function assertOwnFiles(store: Store, ref: string | number): void {
  const r = runRow(store, ref);
  const others = store.db
    .prepare(
      `SELECT name FROM runs WHERE id <> @id AND ((@dir IS NOT NULL AND dir = @dir)
         OR checkpoint_blob IN (@ck, @w, @init) OR weights_blob IN (@ck, @w, @init) OR init_blob IN (@ck, @w, @init)) ORDER BY id`,
    )
    .pluck()
    .all({ id: r.id, dir: r.dir, ck: r.checkpoint_blob, w: r.weights_blob, init: r.init_blob }) as string[];
  if (others.length) {
    throw new UserError(`run "${r.name}" shares its files with ${others.map((n) => `"${n}"`).join(', ')} (a store written by an earlier version, whose runs of the same millisecond shared a folder): its checkpoint and weights may be another run's; delete it and train it again (\`dive doctor\` lists every such run)`);
  }
}

/** What the starter of an attempt knows of it; the store numbers it and adds the epoch it resumes after and the time. */
export type NewAttempt = Omit<RunAttempt, 'attempt' | 'resumedFrom' | 'startedAt'>;

/** SQL appending @attempt (a NewAttempt as JSON) to a run's provenance, in the statement that starts it. */
export const APPEND_ATTEMPT = `provenance = json_insert(provenance, '$[#]', json_set(json(@attempt), '$.attempt', json_array_length(provenance) + 1,
  '$.resumedFrom', epochs_done, '$.startedAt', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`;

/**
 * Queued → running under a local worker process; false when the run was cancelled before its
 * worker got here, or is held by a remote worker's lease (one owner at a time). `attempt`: where
 * it runs, appended to its provenance in the same statement.
 */
export function markStarted(store: Store, id: number, backend: BackendReport, pid: number, attempt?: NewAttempt): boolean {
  const info = store.db
    .prepare(
      `UPDATE runs SET status = 'running', error = NULL, backend = @name, backend_report = @report, worker_pid = @pid, heartbeat_at = @beat, cancel_requested = 0,
         started_at = COALESCE(started_at, @now), finished_at = NULL${attempt ? `, ${APPEND_ATTEMPT}` : ''}
       WHERE id = @id AND status = 'queued' AND lease_id IS NULL`,
    )
    .run({ name: backend.name, report: JSON.stringify(backend), pid, beat: Date.now(), now: now(), id, ...(attempt ? { attempt: JSON.stringify(attempt) } : {}) });
  return info.changes === 1;
}

/**
 * The one way a run goes back to the queue, to continue from its last checkpoint under whichever
 * executor claims it next. Every owner it had is dropped in the same statement: its worker process,
 * its remote worker's lease, its local claim (a cluster executor keeps its claim with `keepCluster`,
 * to hand the run to its next task). An old owner can then neither write to it (a lost lease is
 * refused) nor take it back from its new one (lease expiry looks only at leased runs).
 */
export function requeueRuns(store: Store, ids: readonly number[], o: { keepCluster?: boolean; reason?: string; from?: readonly RunStatus[] } = {}): void {
  const up = store.db.prepare(
    `UPDATE runs SET status = 'queued', error = NULL, finished_at = NULL, cancel_requested = 0, worker_pid = NULL,
       lease_id = NULL, lease_expires_at = NULL, claimed_by = CASE WHEN @keep = 1 AND executor = 'slurm' THEN claimed_by ELSE NULL END,
       job_reason = COALESCE(@reason, job_reason), heartbeat_at = @now
     WHERE id = @id AND trash_id IS NULL AND (@from IS NULL OR status IN (SELECT value FROM json_each(@from)))`,
  );
  const from = o.from ? JSON.stringify(o.from) : null;
  store.db.transaction(() => ids.forEach((id) => up.run({ id, keep: o.keepCluster ? 1 : 0, reason: o.reason ?? null, now: Date.now(), from }))).immediate();
}

/** An interrupted or cancelled run goes back to the queue to continue from its last checkpoint. */
export function requeueForResume(store: Store, ref: string): number {
  const r = runRow(store, ref);
  if (r.status !== 'interrupted' && r.status !== 'cancelled') {
    throw new UserError(`run "${r.name}" is ${r.status}; only interrupted or cancelled runs can be resumed`);
  }
  assertOwnFiles(store, r.id);
  requeueRuns(store, [r.id]);
  return r.id;
}

export function heartbeat(store: Store, id: number): boolean {
  store.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(Date.now(), id);
  const row = store.db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
  return row?.cancel_requested === 1;
}

function replaceBlob(store: Store, id: number, column: 'checkpoint_blob' | 'weights_blob' | 'init_blob', file: WrittenFile, kind: string): void {
  const db = store.db;
  const rel = file.path.startsWith(store.dataDir) ? file.path.slice(store.dataDir.length + 1) : file.path;
  const old = (db.prepare(`SELECT ${column} AS b FROM runs WHERE id = ?`).get(id) as { b: number | null }).b;
  const existing = db.prepare('SELECT id FROM blobs WHERE path = ?').get(rel) as { id: number } | undefined;
  if (existing) {
    // the run's own file, rewritten (each epoch's checkpoint): its row follows. A row of the same
    // path that is not this run's is another owner's file, never to be taken over.
    if (existing.id !== old) throw new Error(`${rel} is already the file of another row; every run writes in its own folder`);
    db.prepare('UPDATE blobs SET bytes = ?, sha256 = ? WHERE id = ?').run(file.bytes, file.sha256, existing.id);
  } else {
    const b = db.prepare('INSERT INTO blobs (path, bytes, sha256, kind) VALUES (?, ?, ?, ?)').run(rel, file.bytes, file.sha256, kind);
    db.prepare(`UPDATE runs SET ${column} = ? WHERE id = ?`).run(Number(b.lastInsertRowid), id);
    if (old != null) db.prepare('DELETE FROM blobs WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE checkpoint_blob = ?1 OR weights_blob = ?1 OR init_blob = ?1)').run(old);
  }
}

/** One transaction per epoch: its record, the checkpoint that lets a run resume from here. */
export function recordEpoch(store: Store, id: number, rec: EpochRecord, checkpoint: WrittenFile): void {
  store.db.transaction(() => {
    store.db
      .prepare('INSERT OR REPLACE INTO run_epochs (run_id, epoch, loss, lr, train_acc, test_acc, test_images, val_acc, seconds, images_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, rec.epoch, rec.loss, rec.lr, rec.trainAcc, rec.testAcc, rec.testImages ?? null, rec.valAcc ?? null, rec.seconds, rec.imagesPerSec);
    store.db.prepare('UPDATE runs SET epochs_done = ?, heartbeat_at = ? WHERE id = ?').run(rec.epoch, Date.now(), id);
    replaceBlob(store, id, 'checkpoint_blob', checkpoint, 'checkpoint');
  }).immediate();
}

/** The run's final state in one transaction: weights, metrics (the confusion matrix as its cells, store/confusion.ts) and the listing's columns. */
export function markCompleted(store: Store, id: number, r: { metrics: RunMetrics; imagesPerSecond: number | null; weights: WrittenFile }): void {
  const { json, cells, classes } = splitConfusion(r.metrics);
  store.db.transaction(() => {
    replaceBlob(store, id, 'weights_blob', r.weights, 'weights');
    store.db
      .prepare(`UPDATE runs SET status = 'completed', metrics = ?, images_per_second = ?, worker_pid = NULL, lease_id = NULL, lease_expires_at = NULL, finished_at = ?,
                top1 = ?, many = ?, medium = ?, few = ?, ece = ? WHERE id = ?`)
      .run(JSON.stringify(json), r.imagesPerSecond, now(), r.metrics.top1, r.metrics.many, r.metrics.medium, r.metrics.few, r.metrics.ece, id);
    if (cells) saveConfusion(store, id, classes, cells);
  }).immediate();
}

/** Appends a warning to a run's list (once). */
export function addWarning(store: Store, id: number, warning: string): void {
  store.db.transaction(() => {
    const row = store.db.prepare('SELECT warnings FROM runs WHERE id = ?').get(id) as { warnings: string } | undefined;
    if (!row) return;
    const list = JSON.parse(row.warnings) as string[];
    if (!list.includes(warning)) store.db.prepare('UPDATE runs SET warnings = ? WHERE id = ?').run(JSON.stringify([...list, warning]), id);
  }).immediate();
}

/** A queued or running run ends; it keeps no owner (worker process, lease). */
export function markEnded(store: Store, id: number, status: 'failed' | 'cancelled' | 'interrupted', error?: string): void {
  store.db
    .prepare(`UPDATE runs SET status = ?, error = ?, worker_pid = NULL, lease_id = NULL, lease_expires_at = NULL, finished_at = ? WHERE id = ? AND status IN ('queued', 'running')`)
    .run(status, error ?? null, now(), id);
}

export function requestCancel(store: Store, ref: string): RunInfo {
  const r = runRow(store, ref);
  if (r.status === 'queued') markEnded(store, r.id, 'cancelled');
  else if (r.status === 'running') store.db.prepare('UPDATE runs SET cancel_requested = 1 WHERE id = ?').run(r.id);
  else throw new UserError(`run "${r.name}" is ${r.status}; only queued or running runs can be cancelled`);
  return getRun(store, r.id);
}

/**
 * A run left "running" by a worker that died (or an app that was killed) becomes "interrupted":
 * its worker process is gone, or it has not written a heartbeat for `staleMs` (a worker beats every
 * second while it trains; the margin covers a long evaluation pass).
 */
export function markInterrupted(store: Store, staleMs = 600_000): number {
  const rows = store.db.prepare(`SELECT id, status, worker_pid, heartbeat_at FROM runs WHERE status IN ('running', 'queued')`).all() as Pick<RunRow, 'id' | 'status' | 'worker_pid' | 'heartbeat_at'>[];
  let n = 0;
  for (const r of rows) {
    // a queued run waits in the persistent queue for an executor, however long that takes
    if (r.status === 'queued') continue;
    // a live worker is never interrupted, however long its silence (a CPU-starved worker can miss
    // heartbeats); a claimed run whose worker has not started yet: only a long silence counts
    const dead = r.worker_pid != null ? !processAlive(r.worker_pid) : (r.heartbeat_at ?? 0) < Date.now() - staleMs;
    if (dead) {
      // its owner is gone: no pid, no lease (requeued, it must not be taken back by an old lease's expiry)
      store.db.prepare(`UPDATE runs SET status = 'interrupted', worker_pid = NULL, lease_id = NULL, lease_expires_at = NULL, error = COALESCE(error, 'the training worker stopped unexpectedly') WHERE id = ?`).run(r.id);
      n++;
    }
  }
  return n;
}

export function runFilePath(store: Store, ref: string | number, which: 'checkpoint' | 'weights' | 'init'): string | null {
  const r = runRow(store, ref);
  const blob = which === 'checkpoint' ? r.checkpoint_blob : which === 'init' ? r.init_blob : r.weights_blob;
  if (blob == null) return null;
  const b = store.db.prepare('SELECT path FROM blobs WHERE id = ?').get(blob) as { path: string };
  return join(store.dataDir, b.path);
}

export function runDir(store: Store, ref: string | number): string {
  return join(store.dataDir, runRow(store, ref).dir!);
}

