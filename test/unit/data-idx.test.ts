import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Progress } from '../../src-main/core/domain/types';
import { FASHION_MNIST_CLASSES } from '../../src-main/core/data/fashion-mnist';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdxHeader, parseIdxImages, parseIdxLabels } from '../../src-main/core/data/idx';
import { importDataset } from '../../src-main/core/data/import';
import { UserError } from '../../src-main/core/domain/errors';
import { datasetPart } from '../../src-main/core/store/datasets';
import {
  assertImportFailsCleanly, EMPTY_STATE, idxBytes, idxImages, idxLabels, patternPixels, storeState, tempStore, writeIdxDataset, type TempStore,
} from '../helpers/fixtures';

describe('IDX buffer parsers', () => {
  it('reads the header, dimensions and pixels of an images buffer', () => {
    const buf = idxImages(2, 4, 3);
    const h = parseIdxHeader(buf, IDX_IMAGES_MAGIC, 'x');
    assert.deepEqual(h, { magic: 0x803, dims: [2, 4, 3], headerBytes: 16, dataBytes: 24 });
    const im = parseIdxImages(buf, 'x');
    assert.equal(im.count, 2);
    assert.equal(im.height, 4);
    assert.equal(im.width, 3);
    // image 1, row 2, column 1: (31 + 14 + 3) = 48 at 1*12 + 2*3 + 1
    assert.equal(im.pixels[19], 48);
    assert.deepEqual(new Uint8Array(im.pixels), patternPixels(2, 4, 3, 1));
  });

  it('reads labels', () => {
    assert.deepEqual(parseIdxLabels(idxLabels([3, 1, 4, 1, 5]), 'l'), Int32Array.from([3, 1, 4, 1, 5]));
  });

  it('rejects a wrong magic number without quoting the bytes found', () => {
    assert.throws(() => parseIdxImages(idxLabels([1, 2]), 'labels.idx'), (e: Error) => e instanceof UserError && e.message === 'labels.idx: not an IDX images file (wrong magic number, expected 0x00000803); check which file you gave');
    assert.throws(() => parseIdxLabels(idxBytes(0x08030000, [], new Uint8Array()), 'junk'), /junk: not an IDX labels file \(wrong magic number, expected 0x00000801\)/);
    assert.throws(() => parseIdxLabels(idxBytes(0x726f6f74, [], new Uint8Array()), 'junk'), (e: Error) => !/726f6f74/.test(e.message));
  });

  it('rejects truncated data and trailing bytes', () => {
    const buf = idxImages(2, 4, 3);
    assert.throws(() => parseIdxImages(buf.subarray(0, buf.length - 1), 'f'), /f: truncated: the header promises 2x4x3 \(24 data bytes\), the file holds 23/);
    assert.throws(() => parseIdxImages(buf.subarray(0, 10), 'f'), /truncated: the IDX header needs 16 bytes, the file has 10/);
    assert.throws(() => parseIdxLabels(Buffer.concat([idxLabels([1]), Buffer.from([0])]), 'f'), /1 bytes after the 1 data/);
    assert.equal(IDX_LABELS_MAGIC, 0x801);
  });
});

describe('IDX import', () => {
  let t: TempStore;
  let dir: string;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => {
    t.cleanup();
  });

  const trainLabels = [0, 1, 2, 1, 0];
  const testLabels = [2, 0, 1];

  it('imports raw files with default class names, pixels in NHWC order', async () => {
    const f = writeIdxDataset(join(dir, 'raw'), { trainLabels, testLabels });
    const events: Progress[] = [];
    const info = await importDataset(t.store, { format: 'idx', name: 'raw', ...f }, (p) => events.push(p));
    assert.equal(info.format, 'idx');
    assert.deepEqual(info.imageShape, [4, 3, 1]);
    assert.deepEqual(info.classNames, ['0', '1', '2']);
    assert.deepEqual(info.train.counts, [2, 2, 1]);
    assert.deepEqual(info.test.counts, [1, 1, 1]);
    const train = datasetPart(t.store, 'raw', 'train');
    const test = datasetPart(t.store, 'raw', 'test');
    assert.deepEqual(train.labels, Int32Array.from(trainLabels));
    assert.deepEqual(test.labels, Int32Array.from(testLabels));
    const px = readFileSync(train.pixelsPath);
    assert.equal(px.length, 5 * 12);
    assert.equal(px[19], 48);
    assert.deepEqual(new Uint8Array(px), patternPixels(5, 4, 3, 1));
    // test image 0 follows pattern(100, ...): 3100 & 255 = 28, at row 0 column 2: 28 + 6
    assert.equal(readFileSync(test.pixelsPath)[2], 34);
    assert.deepEqual(events.at(-1), { phase: 'test', done: 3, total: 3 });
    assert.ok(events.some((e) => e.phase === 'train' && e.done === 5 && e.total === 5));
  });

  it('imports gzipped files to the same pixels, with given class names', async () => {
    const f = writeIdxDataset(join(dir, 'gz'), { trainLabels, testLabels, gzip: true });
    const info = await importDataset(t.store, { format: 'idx', name: 'gz', ...f, classNames: ['zero', 'one', 'two', 'three'], allowEmptyClasses: true });
    assert.deepEqual(info.classNames, ['zero', 'one', 'two', 'three']);
    assert.deepEqual(info.train.counts, [2, 2, 1, 0]);
    assert.equal(datasetPart(t.store, 'gz', 'train').sha256, datasetPart(t.store, 'raw', 'train').sha256);
  });

  it('streams a file larger than one read chunk and reports progress about every 1%', async () => {
    // 3000 images of 20x20 = 1.2 MB, more than the 1 MB chunk, so records straddle chunks
    const labels = Array.from({ length: 3000 }, (_, i) => i % 7);
    const f = writeIdxDataset(join(dir, 'big'), { trainLabels: labels, testLabels: [0, 1], h: 20, w: 20, gzip: true });
    const events: Progress[] = [];
    await importDataset(t.store, { format: 'idx', name: 'big', ...f }, (p) => events.push(p));
    const px = readFileSync(datasetPart(t.store, 'big', 'train').pixelsPath);
    assert.deepEqual(new Uint8Array(px), patternPixels(3000, 20, 20, 1));
    const train = events.filter((e) => e.phase === 'train');
    assert.ok(train.length >= 2 && train.length <= 101, `${train.length} train events`);
    assert.deepEqual(train.at(-1), { phase: 'train', done: 3000, total: 3000 });
    for (let i = 1; i < train.length; i++) assert.ok(train[i].done > train[i - 1].done);
  });

  it('imports the fashion-mnist preset from a folder with the real class names', async () => {
    const fm = join(dir, 'fm');
    writeIdxDataset(fm, { trainLabels: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9], testLabels: [9, 0], h: 28, w: 28, gzip: true });
    const info = await importDataset(t.store, { format: 'fashion-mnist', name: 'fm', dir: fm });
    assert.deepEqual(info.classNames, FASHION_MNIST_CLASSES);
    assert.equal(info.classNames[0], 'T-shirt/top');
    assert.equal(info.classNames[9], 'Ankle boot');
    assert.deepEqual(info.train.counts, [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    assert.deepEqual(info.imageShape, [28, 28, 1]);
  });
});

describe('IDX bad input leaves the store unchanged', () => {
  let t: TempStore;
  let dir: string;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());

  const good = () => writeIdxDataset(join(dir, `d${Math.random().toString(36).slice(2)}`), { trainLabels: [0, 1, 1, 0], testLabels: [1, 0], h: 8, w: 8 });

  it('truncated images file', async () => {
    const f = good();
    const buf = readFileSync(f.trainImages);
    writeFileSync(f.trainImages, buf.subarray(0, buf.length - 70));
    const msg = await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /truncated: the header promises 4 images, the file holds 2 and 58 bytes of the next/);
    assert.ok(msg.startsWith(f.trainImages));
    assert.deepEqual(storeState(t.store), EMPTY_STATE);
  });

  it('truncated labels file', async () => {
    const f = good();
    writeFileSync(f.testLabels, readFileSync(f.testLabels).subarray(0, 9));
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /t10k-labels-idx1-ubyte: truncated/);
  });

  it('corrupt gzip data', async () => {
    const f = good();
    const gz = gzipSync(readFileSync(f.trainImages));
    gz[gz.length - 6] ^= 0xff; // inside the CRC-32 trailer
    writeFileSync(f.trainImages, gz);
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /train-images-idx3-ubyte: gzip data is corrupt or truncated/);
  });

  it('gzip file cut short', async () => {
    const f = good();
    const gz = gzipSync(readFileSync(f.trainImages));
    writeFileSync(f.trainImages, gz.subarray(0, gz.length - 20));
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /train-images-idx3-ubyte: gzip data is corrupt or truncated/);
  });

  it('wrong magic number (labels given as images)', async () => {
    const f = good();
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f, trainImages: f.trainLabels }, /train-labels-idx1-ubyte: not an IDX images file \(wrong magic number, expected 0x00000803\)/);
  });

  it('image and label counts that differ', async () => {
    const f = good();
    writeFileSync(f.testLabels, idxLabels([1, 0, 1]));
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /t10k-images-idx3-ubyte has 2 images but .*t10k-labels-idx1-ubyte has 3 labels/);
  });

  it('train and test image sizes that differ', async () => {
    const f = good();
    writeFileSync(f.testImages, idxImages(2, 9, 8));
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /has 9x8 images but .* has 8x8/);
  });

  it('a label outside the given class names', async () => {
    const f = good();
    writeFileSync(f.trainLabels, idxLabels([0, 1, 2, 0]));
    await assertImportFailsCleanly(
      t.store,
      { format: 'idx', name: 'x', ...f, classNames: ['a', 'b'] },
      /train-labels-idx1-ubyte: record 2: label 2 is outside 0\.\.1 \(2 class names given\)/,
    );
  });

  it('a missing file', async () => {
    const f = good();
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f, testImages: join(dir, 'nope') }, /test images file not found: .*nope/);
  });

  it('fashion-mnist files not found names the folder and the package', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const msg = await assertImportFailsCleanly(t.store, { format: 'fashion-mnist', dir: empty }, /Fashion-MNIST not found/);
    assert.ok(msg.includes(empty));
    assert.ok(msg.includes('train-images-idx3-ubyte(.gz)'));
    assert.ok(msg.includes('apt-get install dataset-fashion-mnist'));
  });

  it('a duplicate name is refused before any file is read', async () => {
    const f = good();
    await importDataset(t.store, { format: 'idx', name: 'taken', ...f });
    const state = storeState(t.store);
    assert.equal(state.rows.datasets, 1);
    // the paths do not exist: the name check must come first
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'taken', ...f, trainImages: join(dir, 'nope') }, /a dataset named "taken" already exists/);
    assert.deepEqual(storeState(t.store), state);
  });
});
