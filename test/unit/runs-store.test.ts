// The run lifecycle in the store and the run service: no run is ever left "running" by a dead
// worker, cancel / resume follow the states, teachers are checked, deletes leave no files.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, it } from 'node:test';
import { createService, type Service } from '../../src-main/core/app/service';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { addWarning, getRun, markInterrupted, markStarted, recordEpoch, requestCancel, runDir } from '../../src-main/core/store/runs';
import type { Store } from '../../src-main/core/store/store';
import { tempStore, type TempStore } from '../helpers/fixtures';
import { TrainRequestSchema, type TrainRequest } from '../../src-main/core/domain/run-requests';

let t: TempStore;
let store: Store;
let svc: Service;
/** As the dispatcher does: the request is parsed once, then handed to the service. */
const createRun = (req: TrainRequest) => svc.createRun(TrainRequestSchema.parse(req));
const REPORT = { name: 'cpu', device: 'cpu' as const, threads: 1, reasons: [] };

function addDataset(name: string): void {
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  const counts = [8, 4, 2];
  commitDataset(store, name, staging, {
    format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b', 'c'],
    train: part(counts.flatMap((n, c) => Array<number>(n).fill(c)), 'train.u8'),
    test: part([0, 1, 2], 'test.u8'),
  });
}

beforeEach(() => {
  t = tempStore();
  store = t.store;
  svc = createService(store);
  addDataset('d');
  addDataset('other');
  svc.createSplit({ dataset: 'd', name: 's', ratio: 4, maxPerClass: 8, many: 5, few: 3 });
  svc.createSplit({ dataset: 'other', name: 's2', ratio: 1, maxPerClass: 2 });
});
afterEach(() => t.cleanup());

it('creates queued runs with the config defaults filled in and unique default names', () => {
  const a = createRun({ split: 's', config: { method: 'bsce', model: 'mlp', epochs: 10 } });
  const b = createRun({ split: 's', config: { method: 'bsce', model: 'mlp', epochs: 10 } });
  assert.equal(a.status, 'queued');
  assert.equal(a.name, 'bsce-mlp-s');
  assert.equal(b.name, 'bsce-mlp-s-2');
  assert.deepEqual(a.config.milestones, [6, 8]);
  assert.equal((a.config.params as { tau: number }).tau, 3);
});

it('checks teachers: required for kd / dive, completed, and on the same dataset', () => {
  assert.throws(() => createRun({ split: 's', config: { method: 'dive' } }), /distils from a teacher/);
  const teacher = createRun({ split: 's', name: 'T', config: { method: 'bsce', model: 'mlp', epochs: 2 } });
  assert.throws(() => createRun({ split: 's', teacher: 'T', config: { method: 'dive' } }), /teacher "T" is queued/);
  store.db.prepare(`UPDATE runs SET status = 'completed' WHERE id = ?`).run(teacher.id);
  assert.throws(() => createRun({ split: 's2', teacher: 'T', config: { method: 'kd' } }), /trained on dataset "d", not "other"/);
  assert.throws(() => createRun({ split: 's', teacher: 'T', config: { method: 'ce' } }), /does not use a teacher/);
  const student = createRun({ split: 's', teacher: 'T', config: { method: 'dive', epochs: 2 } });
  assert.equal(student.teacher, 'T');
  assert.throws(() => svc.deleteRun('T'), /deleting run "T" would also take run distilled from it \("dive-resnet32-s"\)/);
});

it('marks runs of dead workers and long-silent running runs without a worker interrupted, and leaves live and queued ones alone', () => {
  const live = createRun({ split: 's', name: 'live', config: { method: 'ce' } });
  const dead = createRun({ split: 's', name: 'dead', config: { method: 'ce' } });
  const queued = createRun({ split: 's', name: 'queued', config: { method: 'ce' } });
  const stale = createRun({ split: 's', name: 'stale', config: { method: 'ce' } });
  assert.ok(markStarted(store, live.id, REPORT, process.pid));
  assert.ok(markStarted(store, dead.id, REPORT, 2 ** 22 + 12345)); // above Linux's pid_max: no such process
  // a queued run waits in the persistent queue however old its heartbeat; a running one whose
  // worker never recorded its pid is given up after a long silence
  store.db.prepare(`UPDATE runs SET status = 'running' WHERE id = ?`).run(stale.id);
  store.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id IN (?, ?)').run(Date.now() - 3_600_000, stale.id, queued.id);
  assert.equal(markInterrupted(store), 2);
  assert.deepEqual(['live', 'dead', 'queued', 'stale'].map((n) => getRun(store, n).status), ['running', 'interrupted', 'queued', 'interrupted']);
  assert.match(getRun(store, 'dead').error!, /worker stopped unexpectedly/);
  // a worker that starts after its run was given up does not take it over
  assert.equal(markStarted(store, stale.id, REPORT, process.pid), false);
});

it('cancels queued runs at once and running ones through the worker; resumes only what stopped', () => {
  const q = createRun({ split: 's', name: 'q', config: { method: 'ce' } });
  assert.equal(svc.cancelRun('q').status, 'cancelled');
  const r = createRun({ split: 's', name: 'r', config: { method: 'ce' } });
  markStarted(store, r.id, REPORT, process.pid);
  assert.equal(requestCancel(store, 'r').status, 'running');
  assert.equal(store.db.prepare('SELECT cancel_requested FROM runs WHERE id = ?').pluck().get(r.id), 1);
  assert.throws(() => svc.resumeRun('r'), /is running; only interrupted or cancelled runs can be resumed/);
  assert.throws(() => svc.cancelRun('q'), /is cancelled; only queued or running/);
  assert.throws(() => svc.deleteRun('r'), /is running; cancel it first/);
  void q;
});

it('emptying the trash of a deleted split removes its runs, their blobs and their files', () => {
  const r = createRun({ split: 's', name: 'r', config: { method: 'ce', epochs: 3 } });
  markStarted(store, r.id, REPORT, process.pid);
  const dir = runDir(store, r.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/checkpoint.bin`, 'x');
  recordEpoch(store, r.id, { epoch: 1, loss: 1, lr: 0.1, trainAcc: 0.5, testAcc: 0.4, seconds: 1, imagesPerSec: 10 }, { path: `${dir}/checkpoint.bin`, bytes: 1, sha256: 'ab' });
  assert.equal(getRun(store, 'r').epochs.length, 1);
  assert.throws(() => svc.deleteSplit('s', { cascade: true }), /split "s" has a run depending on it that is still running: "r"; cancel it first/);
  store.db.prepare(`UPDATE runs SET status = 'cancelled' WHERE id = ?`).run(r.id);
  const d = svc.deleteSplit('s', { cascade: true });
  assert.equal(existsSync(dir), true, 'files stay while in the trash');
  svc.emptyTrash([d.trashId]);
  assert.equal(existsSync(dir), false);
  assert.equal(store.db.prepare('SELECT COUNT(*) FROM runs').pluck().get(), 0);
  assert.equal(store.db.prepare(`SELECT COUNT(*) FROM blobs WHERE kind = 'checkpoint'`).pluck().get(), 0);
});

it('a student keeps its teacher and its distillation settings; a teacher off the recipe is warned about', () => {
  const teacher = createRun({ split: 's', name: 'T', config: { method: 'ce', model: 'mlp', epochs: 2 } });
  store.db.prepare(`UPDATE runs SET status = 'completed', metrics = ? WHERE id = ?`).run(JSON.stringify({ top1: 0.8, many: null, medium: null, few: null, ece: 0, perClass: [] }), teacher.id);
  const student = createRun({ split: 's', name: 'S', teacher: 'T', config: { method: 'dive', epochs: 2, seed: 1, params: { tau: 6 } } });
  assert.deepEqual(student.teacherInfo, { name: 'T', method: 'ce', model: 'mlp', split: 's', top1: 0.8, normHead: false, tau: 6, power: 0.5, alpha: 0.5 });
  assert.equal(student.warnings.length, 1);
  assert.match(student.warnings[0], /^teacher "T" was trained with ce, not Balanced Softmax/);
  // the teacher row gone (the delete rules live elsewhere): the student still names it
  store.db.pragma('foreign_keys = OFF');
  store.db.prepare('DELETE FROM runs WHERE id = ?').run(teacher.id);
  store.db.prepare('UPDATE runs SET teacher_id = NULL WHERE id = ?').run(student.id);
  store.db.pragma('foreign_keys = ON');
  const after = getRun(store, 'S');
  assert.equal(after.teacher, 'T');
  assert.equal(after.teacherInfo?.tau, 6);
  addWarning(store, student.id, 'w');
  addWarning(store, student.id, 'w');
  assert.equal(getRun(store, 'S').warnings.length, 2, 'a warning is recorded once');
});

it('an epoch without evaluation is stored with a null test accuracy and its validation accuracy', () => {
  const r = createRun({ split: 's', name: 'r', config: { method: 'ce', epochs: 3 } });
  markStarted(store, r.id, REPORT, process.pid);
  const dir = runDir(store, r.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/checkpoint.bin`, 'x');
  recordEpoch(store, r.id, { epoch: 1, loss: 1, lr: 0.1, trainAcc: 0.5, testAcc: null, valAcc: 0.45, seconds: 1, imagesPerSec: 10 }, { path: `${dir}/checkpoint.bin`, bytes: 1, sha256: 'ab' });
  const e = getRun(store, 'r').epochs[0];
  assert.equal(e.testAcc, null);
  assert.equal(e.valAcc, 0.45);
});

it('lists runs as summaries in one query; only getRun reads the per-epoch records', () => {
  const r = createRun({ split: 's', name: 'listed', config: { method: 'ce', epochs: 3 } });
  createRun({ split: 's2', name: 'other', config: { method: 'ce', epochs: 3 } });
  markStarted(store, r.id, REPORT, process.pid);
  recordEpoch(store, r.id, { epoch: 1, loss: 1, lr: 0.1, trainAcc: 0.5, testAcc: 0.4, seconds: 1, imagesPerSec: 10 }, { path: `${runDir(store, r.id)}/checkpoint.bin`, bytes: 1, sha256: 'ab' });
  let statements = 0;
  const prepare = store.db.prepare.bind(store.db);
  store.db.prepare = ((sql: string) => (statements++, prepare(sql))) as typeof store.db.prepare;
  try {
    const list = svc.listRuns();
    assert.equal(statements, 1);
    assert.deepEqual(list.map((x) => [x.name, x.split, x.dataset, x.epochsDone]), [['listed', 's', 'd', 1], ['other', 's2', 'other', 0]]);
    assert.equal('epochs' in list[0], false);
    assert.deepEqual(list[0].warnings, [], 'the summary carries the run warnings');
  } finally {
    store.db.prepare = prepare;
  }
  assert.deepEqual(getRun(store, 'listed').epochs.map((e) => e.epoch), [1]);
});

it('deleting a run removes its blob rows with it', () => {
  const r = createRun({ split: 's', name: 'gone', config: { method: 'ce', epochs: 3 } });
  markStarted(store, r.id, REPORT, process.pid);
  const dir = runDir(store, r.id);
  recordEpoch(store, r.id, { epoch: 1, loss: 1, lr: 0.1, trainAcc: 0.5, testAcc: 0.4, seconds: 1, imagesPerSec: 10 }, { path: `${dir}/checkpoint.bin`, bytes: 1, sha256: 'ab' });
  const checkpoints = () => store.db.prepare(`SELECT COUNT(*) FROM blobs WHERE kind = 'checkpoint'`).pluck().get();
  assert.equal(checkpoints(), 1);
  store.db.prepare(`UPDATE runs SET status = 'cancelled' WHERE id = ?`).run(r.id);
  svc.emptyTrash([svc.deleteRun('gone').trashId]);
  assert.equal(checkpoints(), 0);
});
