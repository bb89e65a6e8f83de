// What a remote worker posts is checked against its run before anything is written (issue 23,
// item 10): an epoch must be the run's next one (or an exact replay of the last, which a retry after
// a lost answer sends), within its epochs, with a checkpoint that parses and is of that epoch;
// `finish` only after the last epoch, with metrics shaped for the run's classes and weights that
// parse as this run's model. A valid lease alone is not enough.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, it } from 'node:test';
import Database from 'better-sqlite3';
import { remoteWork, StoreBusy, type RemoteWork } from '../../src-main/core/app/remote-service';
import { UserError } from '../../src-main/core/domain/errors';
import type { RunMetrics } from '../../src-main/core/domain/types';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import { getRun } from '../../src-main/core/store/runs';
import { encodeCheckpoint, encodeTensorFile, type WeightsMeta } from '../../src-main/core/train/checkpoint';
import { tinyStore, type TinyStore } from '../helpers/tiny-store';

let t: TinyStore;
let work: RemoteWork;
let id: number;
let leaseId: string;
beforeEach(() => {
  t = tinyStore();
  work = remoteWork(t.store);
  id = t.run('a', 2);
  const c = work.claim({ worker: 'test' });
  assert.equal(c.kind, 'run');
  leaseId = c.kind === 'run' ? c.job.leaseId : '';
});
afterEach(() => t.cleanup());

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const ref = (b: Uint8Array) => ({ sha256: sha(b), bytes: b.length });
const record = (epoch: number) => ({ epoch, loss: 0.5, lr: 0.1, trainAcc: 0.5, testAcc: null, valAcc: null, seconds: 1, imagesPerSec: 10 });
const checkpoint = (epochsDone: number, w = 1) =>
  Buffer.concat(encodeCheckpoint({ config: parseRunConfig({ method: 'ce', model: 'mlp', epochs: 2 }), epochsDone, records: [], best: null, rngState: [1, 2, 3, 4], weights: [{ name: 'w', shape: [1], data: Float32Array.of(w) }], momentum: [] }));
const weights = (meta: Partial<WeightsMeta> = {}) =>
  Buffer.concat(encodeTensorFile<WeightsMeta>({ kind: 'weights', meta: { model: 'mlp', imageShape: [2, 2, 1], numClasses: 2, normHead: false, mean: [0.1], std: [0.2], ...meta }, groups: { weights: [{ name: 'w', shape: [1], data: Float32Array.of(1) }] } }));
const metrics = (m: Partial<RunMetrics> = {}): RunMetrics => ({ top1: 0.5, ece: 0.1, many: 0.5, medium: null, few: 0.5, perClass: [1, 0], confusion: [[1, 0], [1, 0]], ...m });
const epoch = (n: number, ck = checkpoint(n)) => work.epoch(id, { leaseId, record: record(n), checkpoint: ref(ck) }, ck);
const finish = (m: RunMetrics, w: Buffer) => work.finish(id, { leaseId, metrics: m, imagesPerSecond: 10, weights: ref(w), virtualExamples: null }, w);
const rows = () => t.store.db.prepare('SELECT epoch FROM run_epochs WHERE run_id = ? ORDER BY epoch').pluck().all(id);

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message), String(pattern));
}

it('refuses an epoch past the run, out of order, or replayed with other bytes; accepts an exact replay', () => {
  refused(() => epoch(1000), /epoch 1000 .*2 epochs/);
  refused(() => epoch(2), /epoch 2 .*expected epoch 1/);
  assert.deepEqual([getRun(t.store, id).epochsDone, rows()], [0, []], 'nothing written');
  epoch(1);
  const first = checkpoint(1);
  epoch(1, first); // the same bytes again: a retry after a lost answer
  assert.deepEqual([getRun(t.store, id).epochsDone, rows()], [1, [1]]);
  epoch(2);
  refused(() => epoch(1), /epoch 1 .*expected epoch 3|already/);
  refused(() => epoch(2, checkpoint(2, 7)), /epoch 2 .*already committed with another checkpoint/);
  assert.deepEqual([getRun(t.store, id).epochsDone, rows()], [2, [1, 2]], 'epochs_done never goes back');
});

it('refuses a checkpoint that does not parse, or is not of its epoch', () => {
  const junk = Buffer.from('random bytes, not a checkpoint');
  refused(() => epoch(1, junk), /checkpoint of epoch 1.*not a readable checkpoint/);
  refused(() => epoch(1, checkpoint(3)), /checkpoint of epoch 1 holds epoch 3/);
  assert.deepEqual([getRun(t.store, id).epochsDone, rows()], [0, []]);
});

it('completes a run only after its last epoch, with metrics of its classes and weights that parse as its model', () => {
  epoch(1);
  refused(() => finish(metrics(), weights()), /finish after epoch 1 of 2/);
  epoch(2);
  refused(() => finish(metrics({ perClass: [1] }), weights()), /per-class accuracies: 1 for 2 classes/);
  refused(() => finish(metrics({ confusion: [[1, 0]] }), weights()), /confusion matrix: 1x2 for 2 classes/);
  refused(() => finish(metrics({ top1: 37 }), weights()), /top1: 37 is not an accuracy/);
  refused(() => finish(metrics(), Buffer.from('random bytes as weights')), /weights.*not a readable weights file/);
  refused(() => finish(metrics(), weights({ numClasses: 10 })), /weights are of a model for 10 classes/);
  refused(() => finish(metrics(), weights({ model: 'cnn' })), /weights are of a cnn, the run trains a mlp/);
  const r = getRun(t.store, id);
  assert.deepEqual([r.status, r.metrics], ['running', null], 'nothing written');
  finish(metrics(), weights());
  assert.equal(getRun(t.store, id).status, 'completed');
});

it('a store another process holds is StoreBusy (the worker API answers 503 and the worker posts again), with nothing written', () => {
  t.store.db.pragma('busy_timeout = 0'); // the test need not wait out the 5 s a real call waits first
  const other = new Database(t.store.dbPath);
  other.exec('BEGIN IMMEDIATE');
  try {
    assert.throws(() => epoch(1), StoreBusy);
    assert.throws(() => work.claim({ worker: 'x' }), StoreBusy);
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  assert.deepEqual([getRun(t.store, id).epochsDone, rows()], [0, []]);
  epoch(1);
  assert.equal(getRun(t.store, id).epochsDone, 1);
});
