import { join } from 'node:path';
import type { BackendReport, EpochRecord, RunInfo, RunMetrics, RunStatus, RunSummary, TeacherInfo } from '../domain/types';
import { UserError } from '../domain/errors';
import type { WrittenFile } from './files';
import type { Store } from './handle';
import { processAlive } from '../process';
import { parseRunConfig } from '../domain/run-config';

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
  metrics: string | null;
  warnings: string;
  teacher_info: string | null;
  dir: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const parse = <T>(s: string | null): T | null => (s == null ? null : (JSON.parse(s) as T));
const now = () => new Date().toISOString();

export function runRow(store: Store, ref: string | number): RunRow {
  const row = (typeof ref === 'number'
    ? store.db.prepare('SELECT * FROM runs WHERE id = ?').get(ref)
    : store.db.prepare('SELECT * FROM runs WHERE name = ?').get(ref)) as RunRow | undefined;
  if (!row) throw new UserError(`no run named "${ref}" (see \`dive runs\`)`);
  return row;
}

type RunJoined = RunRow & { split_name: string; dataset_name: string; teacher_name: string | null; study_name: string | null };

/** Runs with their split, dataset, teacher and study names in one query (no query per run). */
const SELECT_RUNS = `SELECT r.*, s.name AS split_name, d.name AS dataset_name, t.name AS teacher_name, st.name AS study_name
  FROM runs r JOIN splits s ON s.id = r.split_id JOIN datasets d ON d.id = s.dataset_id LEFT JOIN runs t ON t.id = r.teacher_id
  LEFT JOIN study_runs sr ON sr.run_id = r.id LEFT JOIN studies st ON st.id = sr.study_id`;

interface EpochRow { epoch: number; loss: number; lr: number; train_acc: number; test_acc: number | null; val_acc: number | null; seconds: number; images_per_second: number }

const toEpoch = (e: EpochRow): EpochRecord => ({ epoch: e.epoch, loss: e.loss, lr: e.lr, trainAcc: e.train_acc, testAcc: e.test_acc, valAcc: e.val_acc, seconds: e.seconds, imagesPerSec: e.images_per_second });

function toRunSummary(r: RunJoined): RunSummary {
  const teacherInfo = parse<TeacherInfo>(r.teacher_info);
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    error: r.error,
    method: r.method,
    model: r.model,
    split: r.split_name,
    splitId: r.split_id,
    dataset: r.dataset_name,
    // the live teacher's name, or the one recorded when the student was created
    teacher: r.teacher_name ?? teacherInfo?.name ?? null,
    teacherInfo,
    study: r.study_name,
    // re-parsed so a run stored before a config field existed reads with that field's default
    config: parseRunConfig(JSON.parse(r.config)),
    backend: r.backend,
    backendReport: parse<BackendReport>(r.backend_report),
    epochsDone: r.epochs_done,
    metrics: parse<RunMetrics>(r.metrics),
    warnings: parse<string[]>(r.warnings) ?? [],
    imagesPerSecond: r.images_per_second,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export function getRun(store: Store, ref: string | number): RunInfo {
  const id = runRow(store, ref).id;
  const r = store.db.prepare(`${SELECT_RUNS} WHERE r.id = ?`).get(id) as RunJoined;
  const epochs = (store.db.prepare('SELECT * FROM run_epochs WHERE run_id = ? ORDER BY epoch').all(id) as EpochRow[]).map(toEpoch);
  return { ...toRunSummary(r), epochs };
}

/** One query whatever the number of runs; the per-epoch records are getRun's alone. */
export function listRuns(store: Store, filter: { split?: string; status?: RunStatus } = {}): RunSummary[] {
  const rows = store.db
    .prepare(`${SELECT_RUNS} WHERE (@split IS NULL OR s.name = @split) AND (@status IS NULL OR r.status = @status) ORDER BY r.id`)
    .all({ split: filter.split ?? null, status: filter.status ?? null }) as RunJoined[];
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
  r: { name: string; splitId: number; teacherId: number | null; method: string; model: string; config: object; teacherInfo?: TeacherInfo | null; warnings?: string[] },
): number {
  const info = store.db
    .prepare(
      `INSERT INTO runs (name, split_id, teacher_id, method, model, config, status, heartbeat_at, dir, teacher_info, warnings)
       VALUES (?, ?, ?, ?, ?, @config, 'queued', ?, ?, ?, ?)`,
    )
    .run(r.name, r.splitId, r.teacherId, r.method, r.model, { config: JSON.stringify(r.config) }, Date.now(), join('runs', `${r.name.replace(/[^\w.-]+/g, '_').slice(0, 40)}-${Date.now().toString(36)}`), r.teacherInfo ? JSON.stringify(r.teacherInfo) : null, JSON.stringify(r.warnings ?? []));
  return Number(info.lastInsertRowid);
}

/** Queued → running; false when the run was cancelled before its worker got here. */
export function markStarted(store: Store, id: number, backend: BackendReport, pid: number): boolean {
  const info = store.db
    .prepare(`UPDATE runs SET status = 'running', error = NULL, backend = ?, backend_report = ?, worker_pid = ?, heartbeat_at = ?, cancel_requested = 0, started_at = COALESCE(started_at, ?), finished_at = NULL WHERE id = ? AND status = 'queued'`)
    .run(backend.name, JSON.stringify(backend), pid, Date.now(), now(), id);
  return info.changes === 1;
}

/** An interrupted or cancelled run goes back to the queue to continue from its last checkpoint. */
export function requeueForResume(store: Store, ref: string): number {
  const r = runRow(store, ref);
  if (r.status !== 'interrupted' && r.status !== 'cancelled') {
    throw new UserError(`run "${r.name}" is ${r.status}; only interrupted or cancelled runs can be resumed`);
  }
  store.db.prepare(`UPDATE runs SET status = 'queued', error = NULL, finished_at = NULL, cancel_requested = 0, claimed_by = NULL, heartbeat_at = ? WHERE id = ?`).run(Date.now(), r.id);
  return r.id;
}

export function heartbeat(store: Store, id: number): boolean {
  store.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?').run(Date.now(), id);
  const row = store.db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').get(id) as { cancel_requested: number } | undefined;
  return row?.cancel_requested === 1;
}

function replaceBlob(store: Store, id: number, column: 'checkpoint_blob' | 'weights_blob', file: WrittenFile, kind: string): void {
  const db = store.db;
  const rel = file.path.startsWith(store.dataDir) ? file.path.slice(store.dataDir.length + 1) : file.path;
  const old = (db.prepare(`SELECT ${column} AS b FROM runs WHERE id = ?`).get(id) as { b: number | null }).b;
  const existing = db.prepare('SELECT id FROM blobs WHERE path = ?').get(rel) as { id: number } | undefined;
  if (existing) {
    db.prepare('UPDATE blobs SET bytes = ?, sha256 = ? WHERE id = ?').run(file.bytes, file.sha256, existing.id);
    db.prepare(`UPDATE runs SET ${column} = ? WHERE id = ?`).run(existing.id, id);
  } else {
    const b = db.prepare('INSERT INTO blobs (path, bytes, sha256, kind) VALUES (?, ?, ?, ?)').run(rel, file.bytes, file.sha256, kind);
    db.prepare(`UPDATE runs SET ${column} = ? WHERE id = ?`).run(Number(b.lastInsertRowid), id);
    if (old != null) db.prepare('DELETE FROM blobs WHERE id = ?').run(old);
  }
}

/** One transaction per epoch: its record, the checkpoint that lets a run resume from here. */
export function recordEpoch(store: Store, id: number, rec: EpochRecord, checkpoint: WrittenFile): void {
  store.db.transaction(() => {
    store.db
      .prepare('INSERT OR REPLACE INTO run_epochs (run_id, epoch, loss, lr, train_acc, test_acc, val_acc, seconds, images_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, rec.epoch, rec.loss, rec.lr, rec.trainAcc, rec.testAcc, rec.valAcc ?? null, rec.seconds, rec.imagesPerSec);
    store.db.prepare('UPDATE runs SET epochs_done = ?, heartbeat_at = ? WHERE id = ?').run(rec.epoch, Date.now(), id);
    replaceBlob(store, id, 'checkpoint_blob', checkpoint, 'checkpoint');
  })();
}

export function markCompleted(store: Store, id: number, r: { metrics: RunMetrics; imagesPerSecond: number; weights: WrittenFile }): void {
  store.db.transaction(() => {
    replaceBlob(store, id, 'weights_blob', r.weights, 'weights');
    store.db
      .prepare(`UPDATE runs SET status = 'completed', metrics = ?, images_per_second = ?, worker_pid = NULL, finished_at = ? WHERE id = ?`)
      .run(JSON.stringify(r.metrics), r.imagesPerSecond, now(), id);
  })();
}

/** Appends a warning to a run's list (once). */
export function addWarning(store: Store, id: number, warning: string): void {
  store.db.transaction(() => {
    const row = store.db.prepare('SELECT warnings FROM runs WHERE id = ?').get(id) as { warnings: string } | undefined;
    if (!row) return;
    const list = JSON.parse(row.warnings) as string[];
    if (!list.includes(warning)) store.db.prepare('UPDATE runs SET warnings = ? WHERE id = ?').run(JSON.stringify([...list, warning]), id);
  })();
}

export function markEnded(store: Store, id: number, status: 'failed' | 'cancelled' | 'interrupted', error?: string): void {
  store.db
    .prepare(`UPDATE runs SET status = ?, error = ?, worker_pid = NULL, finished_at = ? WHERE id = ? AND status IN ('queued', 'running')`)
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
      store.db.prepare(`UPDATE runs SET status = 'interrupted', worker_pid = NULL, error = COALESCE(error, 'the training worker stopped unexpectedly') WHERE id = ?`).run(r.id);
      n++;
    }
  }
  return n;
}

export function runFilePath(store: Store, ref: string | number, which: 'checkpoint' | 'weights'): string | null {
  const r = runRow(store, ref);
  const blob = which === 'checkpoint' ? r.checkpoint_blob : r.weights_blob;
  if (blob == null) return null;
  const b = store.db.prepare('SELECT path FROM blobs WHERE id = ?').get(blob) as { path: string };
  return join(store.dataDir, b.path);
}

export function runDir(store: Store, ref: string | number): string {
  return join(store.dataDir, runRow(store, ref).dir!);
}

