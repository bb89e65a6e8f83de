// Training reads its batches from the pixel file (issue 25, item 3). The reader returns the bytes
// that are in the file, for any order; the normalisation statistics streamed in chunks equal those
// of the gathered images to the last bit; and a run trained from a file-backed split (holdout,
// crop and flip on) equals, bit for bit, the same run from the split gathered into memory as the
// workers did before: the same batches in the same order for the same seed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { UserError } from '../../src-main/core/domain/errors';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import { Rng } from '../../src-main/core/rng';
import { channelStats, channelStatsOf, normalizationTable } from '../../src-main/core/train/augment';
import { BatchAssembler, epochOrder } from '../../src-main/core/train/batches';
import { trainRun, type TrainCompleted } from '../../src-main/core/train/loop';
import { chunkImages, forEachChunk, pixelsFile, pixelsInMemory, pixelsSubset, type PixelSource } from '../../src-main/core/train/pixel-source';
import { tinyData } from './tiny-data';

const dir = mkdtempSync(join(tmpdir(), 'dive-pixels-'));
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  await tf.setBackend('cpu');
});

const IMG = 8 * 8 * 3;

/** A dataset part of `n` random images written as the store writes it, and the bytes. */
function pixelFile(name: string, n: number, seed: number): { path: string; bytes: Uint8Array } {
  const rng = new Rng(seed);
  const bytes = new Uint8Array(n * IMG).map(() => rng.int(0, 255));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/** The split gathered into one buffer, as train/split-gather.ts did before streaming. */
function gathered(all: Uint8Array, idx: Int32Array): Uint8Array {
  const out = new Uint8Array(idx.length * IMG);
  idx.forEach((i, k) => out.set(all.subarray(i * IMG, (i + 1) * IMG), k * IMG));
  return out;
}

describe('pixel sources', () => {
  test('a file source reads the images asked for, in the order asked, runs and single images alike', () => {
    const { path, bytes } = pixelFile('a.u8', 20, 1);
    const src = pixelsFile(path, IMG);
    try {
      assert.equal(src.count, 20);
      const order = [7, 3, 4, 5, 19, 0, 1, 2];
      const dst = new Uint8Array(6 * IMG);
      src.read(order, 1, 6, dst);
      assert.deepEqual(dst, gathered(bytes, Int32Array.from(order.slice(1, 7))));
      assert.throws(() => src.read([20], 0, 1, new Uint8Array(IMG)), /image 20 outside 0..19/);
    } finally {
      src.close();
    }
  });

  test('a subset maps its images through the indices; memory and file agree', () => {
    const { path, bytes } = pixelFile('b.u8', 30, 2);
    const idx = Int32Array.from([1, 4, 5, 6, 11, 29]);
    const file = pixelsSubset(pixelsFile(path, IMG), idx);
    const mem = pixelsSubset(pixelsInMemory(bytes, IMG), idx);
    const order = [5, 0, 2, 3, 1];
    const a = new Uint8Array(order.length * IMG);
    const b = new Uint8Array(order.length * IMG);
    file.read(order, 0, order.length, a);
    mem.read(order, 0, order.length, b);
    assert.deepEqual(a, gathered(bytes, Int32Array.from(order, (k) => idx[k])));
    assert.deepEqual(a, b);
    file.close();
  });

  test('a file that is not whole images, or shorter than it was, is one line naming it', () => {
    const path = join(dir, 'odd.u8');
    writeFileSync(path, new Uint8Array(IMG + 5));
    assert.throws(() => pixelsFile(path, IMG), (e: unknown) => e instanceof UserError && /odd\.u8 has 197 bytes, not whole images of 192 bytes; re-import the dataset/.test(e.message));
  });

  test('channel statistics streamed in chunks equal those of the gathered images, to the bit', () => {
    const { path, bytes } = pixelFile('c.u8', 37, 3);
    const idx = Int32Array.from({ length: 25 }, (_, k) => (k * 7) % 37).sort();
    const whole = channelStats(gathered(bytes, idx), [8, 8, 3]);
    const src = pixelsSubset(pixelsFile(path, IMG), idx);
    assert.deepEqual(channelStatsOf(src, [8, 8, 3]), whole);
    let seen = 0;
    forEachChunk(src, (_b, first, n) => {
      assert.equal(first, seen);
      seen += n;
    }, 4);
    assert.equal(seen, 25);
    src.close();
  });

  test('augmented batches from the file equal those from the gathered split', () => {
    const { path, bytes } = pixelFile('d.u8', 50, 4);
    const idx = Int32Array.from([0, 2, 3, 8, 9, 10, 11, 17, 30, 31, 32, 40, 49]);
    const labels = Int32Array.from(idx, (i) => i % 3);
    const lut = normalizationTable(channelStats(gathered(bytes, idx), [8, 8, 3]));
    const fromFile = new BatchAssembler(pixelsSubset(pixelsFile(path, IMG), idx), labels, [8, 8, 3], lut, 5);
    const fromMemory = new BatchAssembler(gathered(bytes, idx), labels, [8, 8, 3], lut, 5);
    const options = { crop: true, flip: true, padding: 1 };
    const [r1, r2] = [new Rng(9), new Rng(9)];
    const order = epochOrder(idx.length, new Rng(5));
    for (let start = 0; start < idx.length; start += 5) {
      const n = Math.min(5, idx.length - start);
      const a = fromFile.fill(order, start, n, { rng: r1, options });
      const ax = Float32Array.from(a.x);
      const ay = Int32Array.from(a.y);
      const b = fromMemory.fill(order, start, n, { rng: r2, options });
      assert.deepEqual(ax, Float32Array.from(b.x));
      assert.deepEqual(ay, Int32Array.from(b.y));
    }
  });
});

describe('a run from the pixel file', () => {
  test('trains exactly as the gathered split does: records, metrics and weights bit for bit', async () => {
    const data = tinyData(2);
    // the dataset part: the tiny split's images interleaved with 40 images it does not use
    const extra = new Rng(8);
    const n = data.trainLabels.length;
    const total = n + 40;
    const isSplit = new Uint8Array(total);
    for (let k = 0; k < n; ) {
      const i = extra.int(0, total - 1);
      if (!isSplit[i]) {
        isSplit[i] = 1;
        k++;
      }
    }
    const idx = Int32Array.from({ length: total }, (_, i) => i).filter((i) => isSplit[i]);
    const part = new Uint8Array(total * IMG).map(() => extra.int(0, 255));
    idx.forEach((i, k) => part.set((data.trainImages as Uint8Array).subarray(k * IMG, (k + 1) * IMG), i * IMG));
    const trainPath = join(dir, 'train.u8');
    const testPath = join(dir, 'test.u8');
    writeFileSync(trainPath, part);
    writeFileSync(testPath, data.testImages);

    const config = parseRunConfig({ method: 'bsce', model: 'cnn', epochs: 2, batchSize: 8, lr: 0.05, seed: 4, valFraction: 0.25, evalEvery: 1 });
    const memory = (await trainRun({ config, data })) as TrainCompleted;
    const train = pixelsSubset(pixelsFile(trainPath, IMG), idx);
    const test = pixelsFile(testPath, IMG);
    const streamed = (await trainRun({ config, data: { ...data, trainImages: train, testImages: test } })) as TrainCompleted;
    train.close();
    test.close();
    assert.equal(memory.status, 'completed');
    const strip = (r: TrainCompleted) => r.records.map(({ seconds: _s, imagesPerSec: _i, ...rest }) => rest);
    assert.deepEqual(strip(streamed), strip(memory));
    assert.deepEqual(streamed.final, memory.final);
    assert.deepEqual(streamed.weights, memory.weights);
    assert.deepEqual(streamed.normalization, memory.normalization);
    assert.deepEqual(streamed.testLogits, memory.testLogits);
  });
});

describe("a run's memory is its batches, not its pixels", () => {
  test('training, its holdout and evaluation never read more than a batch or a chunk of images at once', async () => {
    // 64x64x3 images: a chunk (4 MB) is 341 of them, fewer than the split or the test set, so
    // gathering either into one buffer (as the workers did before) shows here as one larger read
    const shape: [number, number, number] = [64, 64, 3];
    const bytes = shape[0] * shape[1] * shape[2];
    const chunk = chunkImages(bytes);
    const rng = new Rng(6);
    const counts = [200, 120, 60, 20];
    const n = counts.reduce((a, b) => a + b, 0);
    const labels = Int32Array.from({ length: n }, (_, i) => counts.findIndex((_c, k) => i < counts.slice(0, k + 1).reduce((a, b) => a + b, 0)));
    const testLabels = Int32Array.from({ length: 360 }, (_, i) => i % 4);
    assert.ok(n > chunk && testLabels.length > chunk);
    const trainPath = join(dir, 'big-train.u8');
    const testPath = join(dir, 'big-test.u8');
    writeFileSync(trainPath, new Uint8Array(n * bytes).map(() => rng.int(0, 255)));
    writeFileSync(testPath, new Uint8Array(testLabels.length * bytes).map(() => rng.int(0, 255)));
    /** the largest single read and the images read in all, per source */
    const counted = (s: PixelSource) => {
      const seen = { largest: 0, images: 0 };
      const source: PixelSource = {
        count: s.count,
        imageBytes: s.imageBytes,
        read(indices, start, k, dst) {
          seen.largest = Math.max(seen.largest, k);
          seen.images += k;
          s.read(indices, start, k, dst);
        },
        close: () => s.close(),
      };
      return { source, seen };
    };
    const train = counted(pixelsFile(trainPath, bytes));
    const test = counted(pixelsFile(testPath, bytes));
    const config = parseRunConfig({ method: 'ce', model: 'mlp', epochs: 1, batchSize: 32, lr: 0.01, seed: 1, valFraction: 0.1, augment: { crop: false, flip: false } });
    const r = await trainRun({
      config,
      data: { trainImages: train.source, trainLabels: labels, testImages: test.source, testLabels, imageShape: shape, numClasses: 4, classCounts: counts, groups: { many: [0, 1], medium: [2], few: [3] } },
    });
    train.source.close();
    test.source.close();
    assert.equal(r.status, 'completed');
    const most = Math.max(config.batchSize, chunk);
    assert.ok(train.seen.largest <= most, `training read ${train.seen.largest} of ${n} images at once (at most ${most})`);
    assert.ok(test.seen.largest <= most, `evaluation read ${test.seen.largest} of ${testLabels.length} images at once (at most ${most})`);
    // and every image was read: the statistics pass, the epoch, the holdout's and the test set's evaluation
    assert.ok(train.seen.images >= n, `${train.seen.images} training images read`);
    assert.ok(test.seen.images >= testLabels.length, `${test.seen.images} test images read`);
  });
});
