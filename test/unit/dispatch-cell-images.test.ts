// cellImages: a confusion-matrix cell's test images. A tiny run is trained in a worker, its test
// predictions are computed in a worker once and stored with it, and every cell's images must add
// up to the run's own confusion matrix (computed during training, independently of this call).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, unlinkSync } from 'node:fs';
import type { CellImages } from '../../src-main/core/domain/contract';
import { createDispatcher, type Dispatcher } from '../../src-main/core/app/dispatch';
import { forkSpawner, type WorkerSpawner } from '../../src-main/core/app/worker-process';
import { describeError } from '../../src-main/core/domain/describe-error';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { loadPredictions } from '../../src-main/core/store/predictions';
import { getRun, runFilePath } from '../../src-main/core/store/runs';
import { tempStore, type TempStore } from '../helpers/fixtures';

const SIZE = 4 * 4;
const CLASSES = 3;
// test image n is filled with the byte 10 * (n + 1), so a returned image says which one it is
const TEST_LABELS = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 1, 0];
const TRAIN_LABELS = Array.from({ length: 36 }, (_, n) => n % CLASSES);

function addDataset(t: TempStore): void {
  const staging = new Staging(t.store.dataDir);
  const part = (labels: number[], file: string, pixel: (n: number) => number) => {
    const w = new RecordWriter(staging.path(file), SIZE);
    labels.forEach((_, n) => w.append(new Uint8Array(SIZE).fill(pixel(n))));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  commitDataset(t.store, 'toy', staging, {
    format: 'folder',
    source: { path: '/synthetic' },
    imageShape: [4, 4, 1],
    classNames: ['a', 'b', 'c'],
    // brightness says the class, roughly: the model gets some right and some wrong
    train: part(TRAIN_LABELS, 'train.u8', (n) => (TRAIN_LABELS[n] * 80 + n * 7) & 255),
    test: part(TEST_LABELS, 'test.u8', (n) => 10 * (n + 1)),
  });
}

const fast = (epochs: number) => ({ method: 'ce', model: 'mlp', epochs, batchSize: 4, backend: 'cpu', seed: 3, augment: { crop: false, flip: false } }) as const;

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return describeError(e);
  }
  throw new Error('expected the call to fail');
}

describe('cellImages', () => {
  let t: TempStore;
  let d: Dispatcher;
  let spawned = 0;
  const spawn: WorkerSpawner = (job) => {
    if (job.kind === 'predictions') spawned++;
    return forkSpawner(job);
  };
  before(async () => {
    t = tempStore();
    addDataset(t);
    d = createDispatcher(t.store, { frontDoor: 'web', spawn, closeGraceMs: 10_000 });
    await d.call('createSplit', { dataset: 'toy', name: 'lt', ratio: 2, maxPerClass: 12 });
    await d.call('train', { split: 'lt', name: 'tiny', config: fast(3) });
    await d.call('train', { split: 'lt', name: 'other', config: fast(1) });
    assert.equal((await d.runEnded('tiny')).status, 'completed');
    assert.equal((await d.runEnded('other')).status, 'completed');
  });
  /** the confusion matrix the run stored when it finished training */
  const confusionOf = async (name: string): Promise<number[][]> => {
    const m = (await d.call('getRun', { name })).metrics?.confusion;
    assert.ok(m, `run ${name} has a confusion matrix`);
    return m;
  };
  after(async () => {
    await d.close();
    t.cleanup();
  });

  it('returns exactly the test images of each cell, adding up to the run confusion matrix', async () => {
    const confusion = await confusionOf('tiny');
    const cells: CellImages[][] = [];
    for (let i = 0; i < CLASSES; i++) {
      cells.push([]);
      for (let j = 0; j < CLASSES; j++) cells[i].push(await d.call('cellImages', { run: 'tiny', actual: i, predicted: j }));
    }
    // the predictions were computed once, in a worker, and read back from the store afterwards
    assert.equal(spawned, 1);
    const stored = loadPredictions(t.store, getRun(t.store, 'tiny').id);
    assert.ok(stored);
    assert.equal(stored.length, TEST_LABELS.length);
    for (let i = 0; i < CLASSES; i++) {
      const row = TEST_LABELS.flatMap((l, n) => (l === i ? [n] : []));
      for (let j = 0; j < CLASSES; j++) {
        const c = cells[i][j];
        assert.equal(c.total, confusion[i][j], `cell ${i},${j}`);
        assert.equal(c.indices.length, c.total);
        for (const n of c.indices) {
          assert.equal(TEST_LABELS[n], i);
          assert.equal(stored[n], j);
        }
        // each image is the test image at its index (filled with 10 * (index + 1))
        assert.deepEqual(c.images, c.indices.map((n) => new Array<number>(SIZE).fill(10 * (n + 1))));
        assert.deepEqual(c.imageShape, [4, 4, 1]);
      }
      // a row's cells split the class's test images between them, each exactly once
      const together = cells[i].flatMap((c) => c.indices).sort((a, b) => a - b);
      assert.deepEqual(together, row);
    }
  });

  it('returns the first `limit` images of a cell with the whole count', async () => {
    const confusion = await confusionOf('tiny');
    const [i, j] = [0, 1, 2].flatMap((a) => [0, 1, 2].map((b) => [a, b])).find(([a, b]) => confusion[a][b] >= 2)!;
    const full = await d.call('cellImages', { run: 'tiny', actual: i, predicted: j });
    const one = await d.call('cellImages', { run: 'tiny', actual: i, predicted: j, limit: 1 });
    assert.equal(one.total, confusion[i][j]);
    assert.deepEqual(one.indices, full.indices.slice(0, 1));
    assert.equal(one.images.length, 1);
    // the next page starts where the first ended, and the pages add up to the cell
    const rest = await d.call('cellImages', { run: 'tiny', actual: i, predicted: j, limit: 256, offset: 1 });
    assert.equal(rest.total, confusion[i][j]);
    assert.deepEqual([...one.indices, ...rest.indices], full.indices);
    assert.deepEqual([...one.images, ...rest.images], full.images);
    const past = await d.call('cellImages', { run: 'tiny', actual: i, predicted: j, offset: confusion[i][j] });
    assert.deepEqual([past.indices, past.images, past.total], [[], [], confusion[i][j]]);
  });

  it('computes the predictions again when the stored ones fail their checksum', async () => {
    const before = spawned;
    t.store.db.prepare("UPDATE run_predictions SET sha256 = 'x'").run();
    const c = await d.call('cellImages', { run: 'tiny', actual: 1, predicted: 1 });
    assert.equal(spawned, before + 1);
    assert.equal(c.total, (await confusionOf('tiny'))[1][1]);
  });

  it('answers one line for a class out of range, a run without weights, or a run not completed', async () => {
    assert.match(await message(d.callRaw('cellImages', { run: 'tiny', actual: 3, predicted: 0 })), /^actual: 3 is not a class of "toy" \(0\.\.2\)$/);
    const weights = runFilePath(t.store, 'other', 'weights')!;
    assert.ok(existsSync(weights));
    unlinkSync(weights);
    assert.match(await message(d.callRaw('cellImages', { run: 'other', actual: 0, predicted: 0 })), /^run "other" has no weights file \(.* is missing\); train it again to see its test images$/);
    await d.call('train', { split: 'lt', name: 'long', config: fast(5000) });
    const msg = await message(d.callRaw('cellImages', { run: 'long', actual: 0, predicted: 0 }));
    assert.match(msg, /^run "long" is (queued|running); only a completed run has test predictions to show$/);
    await d.call('cancelRun', { name: 'long' });
  });

  it('the stored predictions go with their run when the trash is emptied', async () => {
    const count = () => (t.store.db.prepare('SELECT COUNT(*) AS n FROM run_predictions').get() as { n: number }).n;
    assert.equal(count(), 1);
    const { trashId } = await d.call('deleteRun', { name: 'tiny' });
    assert.equal(count(), 1, 'kept while in the trash');
    await d.call('emptyTrash', { ids: [trashId] });
    assert.equal(count(), 0);
  });
});
