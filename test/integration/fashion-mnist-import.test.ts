// Imports the real Fashion-MNIST from Debian's dataset-fashion-mnist package into a temp store.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { FASHION_MNIST_DEFAULT_DIR } from '../../src-main/core/domain/import-schema';
import type { DatasetInfo, Progress } from '../../src-main/core/domain/types';
import { importDataset } from '../../src-main/core/data/import';
import { datasetPart, verifyFile } from '../../src-main/core/store/datasets';
import { storeState, tempStore, type TempStore } from '../helpers/fixtures';

// sha256 of the decompressed IDX image files minus their 16-byte headers
// (zcat train-images-idx3-ubyte.gz | tail -c +17 | sha256sum): the pixel files must be exactly these bytes.
const TRAIN_SHA = '2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012';
const TEST_SHA = 'c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a';

describe(`Fashion-MNIST from ${FASHION_MNIST_DEFAULT_DIR}`, () => {
  let t: TempStore;
  let info: DatasetInfo;
  const events: Progress[] = [];
  let seconds = 0;

  before(async () => {
    t = tempStore();
    const t0 = performance.now();
    info = await importDataset(t.store, { format: 'fashion-mnist' }, (p) => events.push(p));
    seconds = (performance.now() - t0) / 1000;
  });
  after(() => t.cleanup());

  it('has 60000 / 10000 images of 28x28x1, 6000 / 1000 per class, with the real names', () => {
    assert.equal(info.name, 'fashion-mnist');
    assert.equal(info.format, 'idx');
    assert.deepEqual(info.imageShape, [28, 28, 1]);
    assert.equal(info.numClasses, 10);
    assert.deepEqual(info.classNames, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    assert.equal(info.train.total, 60000);
    assert.equal(info.test.total, 10000);
    assert.deepEqual(info.train.counts, Array(10).fill(6000));
    assert.deepEqual(info.test.counts, Array(10).fill(1000));
    assert.equal(info.stats.imbalanceRatio, 1);
  });

  it('stores the exact pixels and labels, and the recorded checksums verify', async () => {
    const train = datasetPart(t.store, info.name, 'train');
    const test = datasetPart(t.store, info.name, 'test');
    assert.equal(train.bytes, 60000 * 784);
    assert.equal(test.bytes, 10000 * 784);
    assert.equal(train.sha256, TRAIN_SHA);
    assert.equal(test.sha256, TEST_SHA);
    await verifyFile(train.pixelsPath, train.sha256);
    await verifyFile(test.pixelsPath, test.sha256);
    // the first training image is an ankle boot (label 9); the first labels are 9 0 0 3 0 2 7 2 5 5
    assert.deepEqual([...train.labels.subarray(0, 10)], [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    const first = readFileSync(train.pixelsPath).subarray(0, 784);
    assert.equal(first.reduce((s, v) => s + v, 0), 76247);
  });

  it('reports progress in about 100 steps per part and leaves one dataset folder', (tc) => {
    const train = events.filter((e) => e.phase === 'train');
    assert.ok(train.length > 10 && train.length <= 101, `${train.length} train events`);
    assert.deepEqual(train.at(-1), { phase: 'train', done: 60000, total: 60000 });
    assert.deepEqual(events.at(-1), { phase: 'test', done: 10000, total: 10000 });
    const s = storeState(t.store);
    assert.deepEqual(s.rows, { datasets: 1, dataset_parts: 2, classes: 10, blobs: 2 });
    assert.equal(s.files.length, 4, s.files.join(', ')); // datasets/, its folder, two pixel files
    assert.ok(seconds < 20, `import took ${seconds.toFixed(2)} s`);
    tc.diagnostic(`Fashion-MNIST import: ${seconds.toFixed(2)} s`);
  });
});
