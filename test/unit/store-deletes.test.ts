// Deletes respect dependants (issue 13, item 2) and remove rows and files together (item 3).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, it } from 'node:test';
import { createService, type Service } from '../../src-main/core/app/service';
import { TrainRequestSchema, type TrainRequest } from '../../src-main/core/domain/run-requests';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { markStarted, runDir } from '../../src-main/core/store/runs';
import type { Store } from '../../src-main/core/store/store';
import { storeState, tempStore, type TempStore } from '../helpers/fixtures';

let t: TempStore;
let store: Store;
let svc: Service;
const REPORT = { name: 'cpu', device: 'cpu' as const, threads: 1, reasons: [] };

function addDataset(name: string): void {
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(store, name, staging, {
    format: 'folder', source: {}, imageShape: [2, 2, 1], classNames: ['a', 'b', 'c'],
    train: part([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2], 'train.u8'),
    test: part([0, 1, 2], 'test.u8'),
  });
}

const createRun = (req: TrainRequest) => svc.createRun(TrainRequestSchema.parse(req));
const status = (name: string, s: string) => store.db.prepare('UPDATE runs SET status = ? WHERE name = ?').run(s, name);
const runNames = () => store.db.prepare('SELECT name FROM runs ORDER BY id').pluck().all();
const runFolder = (name: string) => {
  const dir = runDir(store, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), 'w');
  return dir;
};

beforeEach(() => {
  t = tempStore();
  store = t.store;
  svc = createService(store);
  addDataset('d');
  svc.createSplit({ dataset: 'd', name: 's1', ratio: 4, maxPerClass: 8 });
  svc.createSplit({ dataset: 'd', name: 's2', ratio: 2, maxPerClass: 4 });
  // teacher T on s1; student S on s2 distilled from it; grand-student G on s2 distilled from S
  createRun({ split: 's1', name: 'T', config: { method: 'bsce', model: 'mlp', epochs: 2 } });
  status('T', 'completed');
  createRun({ split: 's2', name: 'S', teacher: 'T', config: { method: 'dive', model: 'mlp', epochs: 2 } });
  status('S', 'completed');
  createRun({ split: 's2', name: 'G', teacher: 'S', config: { method: 'kd', model: 'mlp', epochs: 2 } });
  status('G', 'completed');
});
afterEach(() => t.cleanup());

it('refuses to delete a split whose run teaches students elsewhere, naming them; --cascade deletes them too', () => {
  const before = storeState(store);
  assert.throws(() => svc.deleteSplit('s1'), /split "s1" holds the teacher of "S", "G", distilled from it; delete those runs first, or add --cascade/);
  assert.deepEqual(storeState(store), before);
  const dirs = ['T', 'S', 'G'].map(runFolder);
  const out = svc.deleteSplit('s1', { cascade: true });
  assert.deepEqual(out.deletedRuns, ['T', 'S', 'G']);
  assert.deepEqual(runNames(), []);
  for (const d of dirs) assert.equal(existsSync(d), false, d);
  assert.deepEqual(svc.listSplits().map((s) => s.name), ['s2']);
});

it('deletes a dataset with all its runs: students on its own splits are not "elsewhere"', () => {
  const out = svc.deleteDataset('d');
  assert.deepEqual(out.deletedRuns, ['T', 'S', 'G']);
  assert.deepEqual(runNames(), []);
  assert.deepEqual(readdirSync(join(store.dataDir, 'datasets')), []);
});

it('refuses to delete a teacher run without --cascade, and deletes the students with it', () => {
  assert.throws(() => svc.deleteRun('T'), /run "T" is the teacher of "S", "G"/);
  assert.deepEqual(svc.deleteRun('S', { cascade: true }).deletedRuns, ['G']);
  assert.deepEqual(runNames(), ['T']);
});

it('refuses every delete while a dependant run is queued or running, naming it', () => {
  status('G', 'queued');
  const before = storeState(store);
  for (const [call, re] of [
    [() => svc.deleteRun('G'), /run "G" is queued; cancel it first/],
    [() => svc.deleteRun('T', { cascade: true }), /run "T" has a run depending on it that is still active: "G" \(queued\)/],
    [() => svc.deleteSplit('s1', { cascade: true }), /split "s1" has a run .* "G" \(queued\)/],
    [() => svc.deleteSplit('s2'), /split "s2" has a run .* "G" \(queued\)/],
    [() => svc.deleteDataset('d', { cascade: true }), /dataset "d" has a run .* "G" \(queued\)/],
  ] as const) assert.throws(call, re);
  assert.ok(markStarted(store, store.db.prepare(`SELECT id FROM runs WHERE name = 'G'`).pluck().get() as number, REPORT, process.pid));
  assert.throws(() => svc.deleteSplit('s2'), /"G" \(running\)/);
  assert.deepEqual(storeState(store), before);
  assert.deepEqual(runNames(), ['T', 'S', 'G']);
});

it('leaves rows and files as they were when the files cannot be moved (read-only data folder)', () => {
  svc.deleteSplit('s1', { cascade: true });
  createRun({ split: 's2', name: 'R', config: { method: 'ce', model: 'mlp' } });
  status('R', 'failed');
  const dir = runFolder('R');
  // a file where the trash folder must go makes every move fail, even for root (who ignores modes)
  writeFileSync(join(store.dataDir, 'trash'), '');
  const before = storeState(store);
  assert.throws(() => svc.deleteDataset('d'), /^UserError: cannot remove \S+\/runs\/\d+-[0-9a-f]{8}: .*; nothing was deleted$/);
  assert.deepEqual(storeState(store), before);
  assert.ok(existsSync(dir));
  assert.deepEqual(runNames(), ['R']);
});
