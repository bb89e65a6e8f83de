// The dispatcher behind the Electron and web front doors: validation at the boundary, training in a
// worker that does not block the call, events to subscribers, one-shot worker tasks (import,
// virtual examples), and a close() that leaves no run "running".
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ApiEvent, DatasetSamples } from '../../src-main/core/domain/contract';
import { appVersion, createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { describeError } from '../../src-main/core/domain/describe-error';
import type { DatasetInfo, RunInfo, SplitInfo, VirtualExamplesInfo } from '../../src-main/core/domain/types';
import { UserError } from '../../src-main/core/domain/errors';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { tempStore, writeIdxDataset, type TempStore } from '../helpers/fixtures';

const COUNTS = [12, 9, 6, 5];
const SIZE = 8 * 8;

/** Training image n is filled with the byte n + 1, so a sample says which image it is. */
function addDataset(t: TempStore, name: string): void {
  const staging = new Staging(t.store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), SIZE);
    labels.forEach((_, n) => w.append(new Uint8Array(SIZE).fill((n + 1) & 255)));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  // classes interleaved: label of image n is n % 4 while every class still has images left
  const train: number[] = [];
  const left = [...COUNTS];
  while (left.some((x) => x > 0)) for (let c = 0; c < 4; c++) if (left[c]-- > 0) train.push(c);
  commitDataset(t.store, name, staging, {
    format: 'folder',
    source: { path: '/synthetic' },
    imageShape: [8, 8, 1],
    classNames: ['a', 'b', 'c', 'd'],
    train: part(train, 'train.u8'),
    test: part([0, 1, 2, 3, 0, 1, 2, 3], 'test.u8'),
  });
}

const fast = (epochs: number) => ({ method: 'ce', model: 'mlp', epochs, batchSize: 4, backend: 'cpu', seed: 1, augment: { crop: false, flip: false } });

async function rejects(p: Promise<unknown>, re: RegExp): Promise<string> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected the call to fail');
  const msg = describeError(caught);
  assert.match(msg, re);
  assert.doesNotMatch(msg, /\n|at .*\.ts:\d+/, 'one line, no stack');
  return msg;
}

function waitFor(events: ApiEvent[], pred: (e: ApiEvent) => boolean, ms = 20_000): Promise<ApiEvent> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const hit = events.find(pred);
      if (hit) resolve(hit);
      else if (Date.now() - start > ms) reject(new Error(`timed out; events: ${JSON.stringify(events.map((e) => e.type))}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('dispatcher', () => {
  let t: TempStore;
  let d: Dispatcher;
  const events: ApiEvent[] = [];
  before(async () => {
    t = tempStore();
    addDataset(t, 'toy');
    d = createDispatcher(t.store, { frontDoor: 'web', closeGraceMs: 10_000 });
    d.subscribe((e) => events.push(e));
    await d.call('createSplit', { dataset: 'toy', name: 'lt', ratio: 2, maxPerClass: 8 });
  });
  after(async () => {
    await d.close();
    t.cleanup();
  });

  it('has every call the CLI has (exportRun, recipe), validated like the rest', async () => {
    await rejects(d.callRaw('exportRun', { run: 'nope', dir: '/tmp/x' }), /^no run named "nope"/);
    await rejects(d.callRaw('exportRun', { run: 'nope' }), /^dir: /);
    await rejects(d.callRaw('recipe', { recipe: 'table2', split: 'lt' }), /^recipe: /);
    await rejects(d.callRaw('recipe', { recipe: 'paper', split: 'lt', backend: 'gpu' }), /^backend: /);
    await rejects(d.callRaw('train', { split: 'lt', config: { method: 'ce', backend: 'opencl' } }), /^config\.backend: /);
  });

  it('refuses unknown calls, including inherited property names', async () => {
    await rejects(d.callRaw('dropTables', {}), /^unknown call "dropTables"$/);
    await rejects(d.callRaw('toString', {}), /^unknown call "toString"$/);
    await rejects(d.callRaw('__proto__', {}), /^unknown call "__proto__"$/);
  });

  it('names the field a bad argument fails on', async () => {
    await rejects(d.callRaw('getDataset', { name: '  ' }), /^name: must not be empty$/);
    await rejects(d.callRaw('getDataset', { name: 'toy', extra: 1 }), /extra/);
    await rejects(d.callRaw('datasetSamples', { name: 'toy', perClass: 99 }), /^perClass: /);
    await rejects(d.callRaw('compareRuns', { names: [] }), /^names: /);
    await rejects(d.callRaw('getDataset', 'toy'), /^input: /);
    // a core UserError comes through as its own message
    await rejects(d.callRaw('getDataset', { name: 'nope' }), /^no dataset named "nope"/);
    await rejects(d.callRaw('createSplit', { dataset: 'toy', name: 'x', ratio: 0 }), /ratio/);
  });

  it('answers info with the version from package.json and the store paths', async () => {
    const info = (await d.call('info', undefined)) as { version: string; dbPath: string; frontDoor: string; fashionMnistAvailable: boolean };
    assert.equal(info.version, appVersion());
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.equal(info.dbPath, t.store.dbPath);
    assert.equal(info.frontDoor, 'web');
    assert.equal(typeof info.fashionMnistAvailable, 'boolean');
  });

  it('reads the first training images of each class as samples', async () => {
    const s = (await d.call('datasetSamples', { name: 'toy', perClass: 2 })) as DatasetSamples;
    assert.deepEqual(s.imageShape, [8, 8, 1]);
    // interleaved labels: class c's first images are c and c + 4; image n is filled with n + 1
    assert.deepEqual(
      s.classes.map((c) => [c.name, c.images.map((im) => im[0])]),
      [['a', [1, 5]], ['b', [2, 6]], ['c', [3, 7]], ['d', [4, 8]]],
    );
    assert.equal(s.classes[0].images[0].length, SIZE);
    assert.ok(s.classes[0].images[0].every((v) => v === 1));
    assert.equal(s.numClasses, 4);
    // picked classes, in the order asked; perClass 16 gives all: d has images 3, 7, .., 19; b has
    // 1, 5, .., 17 (rounds of four), 21 (a round of three), then 24, 26, 28 (rounds of a and b)
    const some = (await d.call('datasetSamples', { name: 'toy', perClass: 16, classes: [3, 1] })) as DatasetSamples;
    assert.deepEqual(some.classes.map((c) => [c.index, c.images.map((im) => im[0])]), [[3, [4, 8, 12, 16, 20]], [1, [2, 6, 10, 14, 18, 22, 25, 27, 29]]]);
    await rejects(d.callRaw('datasetSamples', { name: 'toy', classes: [4] }), /^classes: 4 is not a class of "toy" \(0\.\.3\)$/);
  });

  it('imports in a worker and reports progress under the job id', async () => {
    const dir = join(t.dir, 'idx');
    const files = writeIdxDataset(dir, { trainLabels: [0, 1, 1, 2, 2, 2], testLabels: [0, 1, 2] });
    const before = events.length;
    const ds = (await d.call('importDataset', { request: { format: 'idx', name: 'digits', ...files }, job: 'job-7' })) as DatasetInfo;
    assert.deepEqual(ds.train.counts, [1, 2, 3]);
    const mine = events.slice(before);
    assert.ok(mine.some((e) => e.type === 'progress' && e.job === 'job-7'), JSON.stringify(mine));
    assert.ok(mine.some((e) => e.type === 'changed' && e.what === 'datasets'));
    await rejects(d.callRaw('importDataset', { request: { format: 'idx', name: 'digits', ...files } }), /already exists/);
  });

  it('returns from train at once and relays the worker events; then computes virtual examples in a worker', async () => {
    const t0 = Date.now();
    const run = (await d.callRaw('train', { split: 'lt', name: 'quick', config: fast(2) })) as RunInfo;
    assert.ok(Date.now() - t0 < 1000, 'train must not wait for the worker');
    assert.equal(run.status, 'queued');
    const fin = await waitFor(events, (e) => e.type === 'finished' && e.run === 'quick');
    assert.deepEqual(fin, { type: 'finished', run: 'quick', status: 'completed' });
    const mine = events.filter((e) => 'run' in e && e.run === 'quick');
    assert.equal(mine[0].type, 'started');
    assert.deepEqual(mine.filter((e) => e.type === 'epoch').map((e) => e.type === 'epoch' && e.record.epoch), [1, 2]);
    await waitFor(events, (e) => e.type === 'changed' && e.what === 'runs');
    const stored = (await d.call('getRun', { name: 'quick' })) as RunInfo;
    assert.equal(stored.status, 'completed');

    const split = (await d.call('getSplit', { name: 'lt' })) as SplitInfo;
    const ve = (await d.call('virtualExamples', { run: 'quick', tau: 3, power: 0.5 })) as VirtualExamplesInfo;
    assert.deepEqual(ve.counts, split.counts);
    const sum = ve.v.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - split.total) < 1e-6 * split.total, `V sums to N = ${split.total}, got ${sum}`);
    const kept = (await d.call('storedVirtualExamples', { name: 'quick' })) as VirtualExamplesInfo[];
    assert.deepEqual(kept.map((k) => [k.tau, k.power]), [[3, 0.5]]);
    await rejects(d.callRaw('virtualExamples', { run: 'nope' }), /no run named "nope"/);
  });

  it('close() cancels a running run after its batch and refuses later calls', async () => {
    await d.callRaw('train', { split: 'lt', name: 'long', config: fast(5000) });
    await waitFor(events, (e) => e.type === 'epoch' && e.run === 'long');
    await d.close();
    const run = (await createDispatcher(t.store, { frontDoor: 'web' }).call('getRun', { name: 'long' })) as RunInfo;
    assert.equal(run.status, 'cancelled');
    assert.ok(run.epochsDone >= 1);
    const running = t.store.db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE status IN ('running', 'queued')`).get() as { n: number };
    assert.equal(running.n, 0);
    assert.ok(events.some((e) => e.type === 'finished' && e.run === 'long' && e.status === 'cancelled'));
    await assert.rejects(d.callRaw('listRuns', undefined), (e: unknown) => e instanceof UserError && /shutting down/.test(e.message));
  });
});
