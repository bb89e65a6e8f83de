// The listing's summary columns (db/006_run_summary.sql) say what the run's full record says:
// through queue, start, interruption, resume, completion and a deleted teacher, and in a store
// written before the columns existed, which the migration backfills from the JSON.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { createService, type Service } from '../../src-main/core/app/service';
import { TrainRequestSchema, type TrainRequest } from '../../src-main/core/domain/run-requests';
import type { RunMetrics } from '../../src-main/core/domain/types';
import { loadMigrations } from '../../src-main/core/store/db';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { getRun, listRuns, markCompleted, markInterrupted, markStarted, recordEpoch, requeueForResume, runDir, runRow } from '../../src-main/core/store/runs';
import { openStore, type Store } from '../../src-main/core/store/store';
import { tempStore, type TempStore } from '../helpers/fixtures';

let t: TempStore;
let store: Store;
let svc: Service;
const createRun = (req: TrainRequest) => svc.createRun(TrainRequestSchema.parse(req));
const REPORT = { name: 'wasm', device: 'cpu' as const, threads: 1, reasons: [] };
const DEAD_PID = 2 ** 22 + 12345; // above Linux's pid_max: no such process

function addDataset(): void {
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(store, 'd', staging, {
    format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b', 'c'],
    train: part([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2], 'train.u8'),
    test: part([0, 1, 2], 'test.u8'),
  });
}

const epoch = (n: number) => ({ epoch: n, loss: 1 / n, lr: 0.1, trainAcc: 0.5, testAcc: 0.4, seconds: 1, imagesPerSec: 10 });
const file = (id: number, name: string) => ({ path: join(runDir(store, id), name), bytes: 1, sha256: 'ab' });

function complete(id: number, metrics: RunMetrics): void {
  markCompleted(store, id, { metrics, imagesPerSecond: 123, weights: file(id, 'weights.bin') });
}

/** The listed row against getRun's record: config, metrics JSON and teacher record, field by field. */
function agrees(name: string): void {
  const listed = listRuns(store).find((r) => r.name === name);
  assert.ok(listed, `${name} is listed`);
  const full = getRun(store, name);
  assert.equal(listed.seed, full.config.seed, `${name}: seed`);
  assert.equal(listed.epochsTotal, full.config.epochs, `${name}: epochs`);
  const { lr, batchSize, params: { tau, power, alpha } } = full.config;
  assert.deepEqual(listed.hyper, { lr, batchSize, tau, power, alpha }, `${name}: hyper-parameters`);
  const m = full.metrics;
  assert.deepEqual(listed.metrics, m && { top1: m.top1, many: m.many, medium: m.medium, few: m.few, ece: m.ece }, `${name}: metrics`);
  if (full.teacherInfo) assert.equal(listed.teacher, full.teacherInfo.name, `${name}: teacher`);
  assert.deepEqual(
    [listed.status, listed.epochsDone, listed.backend, listed.warnings, listed.imagesPerSecond, listed.method, listed.model],
    [full.status, full.epochs.length, full.backendReport?.name ?? null, full.warnings, full.imagesPerSecond, full.config.method, full.config.model],
    `${name}: status, epochs done, backend, warnings, speed, method, model`,
  );
  // and against the raw row, column by column (the listing maps its columns by position)
  const row = runRow(store, name);
  assert.deepEqual(
    [listed.id, listed.name, listed.error, listed.splitId, listed.epochsDone, listed.createdAt, listed.startedAt, listed.finishedAt],
    [row.id, row.name, row.error, row.split_id, row.epochs_done, row.created_at, row.started_at, row.finished_at],
    `${name}: id, name, error, split, epochs done, times`,
  );
  assert.equal('config' in listed || 'teacherInfo' in listed || 'backendReport' in listed, false, 'the listing carries columns only');
}

beforeEach(() => {
  t = tempStore();
  store = t.store;
  svc = createService(store);
  addDataset();
  svc.createSplit({ dataset: 'd', name: 's', ratio: 4, maxPerClass: 8, many: 5, few: 3 });
});
afterEach(() => t.cleanup());

/** Teacher T (ce, completed), student S (dive, interrupted after 1 epoch, resumed, completed), Q queued. */
function lifecycle(): void {
  const teacher = createRun({ split: 's', name: 'T', config: { method: 'ce', model: 'mlp', epochs: 2, seed: 7 } });
  agrees('T');
  markStarted(store, teacher.id, REPORT, process.pid);
  recordEpoch(store, teacher.id, epoch(1), file(teacher.id, 'checkpoint.bin'));
  agrees('T');
  recordEpoch(store, teacher.id, epoch(2), file(teacher.id, 'checkpoint.bin'));
  complete(teacher.id, { top1: 0.75, many: 0.9, medium: null, few: 0.25, ece: 0.0625, perClass: [0.9, 0.6, 0.25], confusion: [[9, 1, 0], [2, 6, 2], [3, 0, 1]], epoch: 2 });
  agrees('T');

  const student = createRun({ split: 's', name: 'S', teacher: 'T', config: { method: 'dive', model: 'mlp', epochs: 3, seed: 2 } });
  assert.equal(student.warnings.length, 1, 'a ce teacher earns the student a warning');
  agrees('S');
  markStarted(store, student.id, REPORT, DEAD_PID);
  recordEpoch(store, student.id, epoch(1), file(student.id, 'checkpoint.bin'));
  assert.equal(markInterrupted(store), 1);
  assert.equal(getRun(store, 'S').status, 'interrupted');
  agrees('S');
  requeueForResume(store, 'S');
  agrees('S');
  markStarted(store, student.id, REPORT, process.pid);
  recordEpoch(store, student.id, epoch(2), file(student.id, 'checkpoint.bin'));
  recordEpoch(store, student.id, epoch(3), file(student.id, 'checkpoint.bin'));
  complete(student.id, { top1: 0.5, many: 0.75, medium: 0.5, few: null, ece: 0.125, perClass: [0.75, 0.5, null], epoch: 3 });
  agrees('S');
  createRun({ split: 's', name: 'Q', config: { method: 'bsce', model: 'cnn', epochs: 5 } });
  agrees('Q');
}

it('the summary columns agree with getRun after completion, an interruption, a resume, and with the teacher row gone', () => {
  lifecycle();
  assert.deepEqual(listRuns(store).map((r) => [r.name, r.status, r.seed, r.epochsTotal, r.metrics?.top1 ?? null, r.metrics?.few ?? null, r.teacher]), [
    ['T', 'completed', 7, 2, 0.75, 0.25, null],
    ['S', 'completed', 2, 3, 0.5, null, 'T'],
    ['Q', 'queued', 0, 5, null, null, null],
  ]);
  // the teacher row gone (the delete rules live elsewhere): the student still names it from its column
  store.db.pragma('foreign_keys = OFF');
  store.db.prepare(`DELETE FROM runs WHERE name = 'T'`).run();
  store.db.prepare(`UPDATE runs SET teacher_id = NULL WHERE name = 'S'`).run();
  store.db.pragma('foreign_keys = ON');
  agrees('S');
  assert.equal(listRuns(store).find((r) => r.name === 'S')!.teacher, 'T');
});

it('the migration backfills the summary columns of a store written before them', () => {
  lifecycle();
  const before = listRuns(store);
  // the runs table as the previous schema left it (no summary columns), then the migration's own SQL
  // applied to it (later migrations touch other tables, so the version is not rolled back)
  const migration = loadMigrations().find((m) => m.name.endsWith('_run_summary.sql'));
  assert.ok(migration, 'the run summary migration ships');
  for (const c of ['seed', 'epochs', 'teacher_name', 'top1', 'many', 'medium', 'few', 'ece', 'lr', 'batch_size', 'tau', 'power', 'alpha']) store.db.exec(`ALTER TABLE runs DROP COLUMN ${c}`);
  store.db.transaction(() => store.db.exec(migration.sql))();
  store.close();
  store = openStore({ db: join(t.dir, 'dive.sqlite'), dataDir: join(t.dir, 'data') });
  try {
    assert.equal(store.db.pragma('user_version', { simple: true }), loadMigrations().length);
    assert.deepEqual(listRuns(store), before);
    for (const name of ['T', 'S', 'Q']) agrees(name);
  } finally {
    store.close();
  }
});
