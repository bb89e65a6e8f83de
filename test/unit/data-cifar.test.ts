import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CIFAR10, CIFAR100, parseCifarRecords, planarToInterleaved } from '../../src-main/core/data/cifar';
import { importDataset } from '../../src-main/core/data/import';
import { datasetPart } from '../../src-main/core/store/datasets';
import { assertImportFailsCleanly, cifarRecords, EMPTY_STATE, patternPixels, storeState, tempStore, writeCifar10, writeCifar100, type TempStore } from '../helpers/fixtures';

const NAMES10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

describe('CIFAR buffer parsers', () => {
  it('interleaves channel planes', () => {
    const planar = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]); // R plane, G plane, B plane of 2x2
    assert.deepEqual(planarToInterleaved(planar, 2, 2, 3), Uint8Array.from([1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12]));
  });

  it('parses CIFAR-10 records to labels and HWC pixels', () => {
    const r = parseCifarRecords(cifarRecords([7, 3]), CIFAR10, 'b');
    assert.deepEqual(r.labels, Int32Array.from([7, 3]));
    // record 1, row 0, column 1, blue: 31 + 3 + 202 = 236 at 3072 + 1*3 + 2
    assert.equal(r.pixels[3077], 236);
    // record 0, row 1, column 0, red: 7 at (32 + 0) * 3
    assert.equal(r.pixels[96], 7);
    assert.deepEqual(r.pixels, patternPixels(2, 32, 32, 3));
  });

  it('takes the fine label of CIFAR-100 records, not the coarse one', () => {
    const r = parseCifarRecords(cifarRecords([99, 5], 0, [19, 1]), CIFAR100, 'b');
    assert.deepEqual(r.labels, Int32Array.from([99, 5]));
    assert.deepEqual(r.pixels, patternPixels(2, 32, 32, 3));
  });

  it('rejects partial records and out-of-range labels, naming the record in the file', () => {
    const buf = cifarRecords([1, 2, 3]);
    assert.throws(() => parseCifarRecords(buf.subarray(0, 3073 * 2 + 10), CIFAR10, 'x.bin'), /x\.bin: 6156 bytes is not a whole number of 3073-byte CIFAR-10 records/);
    assert.throws(() => parseCifarRecords(cifarRecords([1, 12]), CIFAR10, 'x.bin', 40), /x\.bin: record 41: label 12 is outside 0\.\.9/);
  });
});

describe('CIFAR import', () => {
  let t: TempStore;
  let dir: string;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());

  it('imports CIFAR-10 batches from the folder above cifar-10-batches-bin, names from batches.meta.txt', async () => {
    writeCifar10(join(dir, 'c10', 'cifar-10-batches-bin'), { batches: [[0, 1], [2], [3, 4], [5, 6, 7], [8, 9, 9]], test: [9, 0, 3], names: NAMES10 });
    const info = await importDataset(t.store, { format: 'cifar', name: 'c10', dir: join(dir, 'c10') });
    assert.equal(info.format, 'cifar10');
    assert.deepEqual(info.imageShape, [32, 32, 3]);
    assert.deepEqual(info.classNames, NAMES10);
    assert.deepEqual(info.train.counts, [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    assert.deepEqual(info.test.counts, [1, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    const train = datasetPart(t.store, 'c10', 'train');
    assert.deepEqual(train.labels, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9]));
    // records are numbered across the five batches, so the file is one pattern run
    assert.deepEqual(new Uint8Array(readFileSync(train.pixelsPath)), patternPixels(11, 32, 32, 3));
    const test = datasetPart(t.store, 'c10', 'test');
    assert.deepEqual(test.labels, Int32Array.from([9, 0, 3]));
    assert.deepEqual(new Uint8Array(readFileSync(test.pixelsPath)), patternPixels(3, 32, 32, 3, 1000));
  });

  it('imports CIFAR-100 fine labels, default names without fine_label_names.txt', async () => {
    writeCifar100(join(dir, 'c100'), { train: [0, 99, 50, 7], test: [99, 0] });
    const info = await importDataset(t.store, { format: 'cifar', name: 'c100', dir: join(dir, 'c100') });
    assert.equal(info.format, 'cifar100');
    assert.equal(info.numClasses, 100);
    assert.equal(info.classNames[42], '42');
    assert.equal(info.train.counts[99], 1);
    assert.equal(info.train.counts[19], 0);
    assert.deepEqual(datasetPart(t.store, 'c100', 'train').labels, Int32Array.from([0, 99, 50, 7]));
    assert.deepEqual(new Uint8Array(readFileSync(datasetPart(t.store, 'c100', 'test').pixelsPath)), patternPixels(2, 32, 32, 3, 1000));
  });

  it('reads CIFAR-100 names from fine_label_names.txt, found one level up', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `class${i}`);
    writeCifar100(join(dir, 'c100n', 'cifar-100-binary'), { train: [3, 4], test: [4], names });
    const info = await importDataset(t.store, { format: 'cifar', name: 'c100n', dir: join(dir, 'c100n') });
    assert.deepEqual(info.classNames, names);
  });
});

describe('CIFAR bad input leaves the store unchanged', () => {
  let t: TempStore;
  let dir: string;
  let n = 0;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());
  const c10 = (names?: string[]) => writeCifar10(join(dir, `c${n++}`), { batches: [[0], [1], [2, 3], [4], [5]], test: [6, 7], names });

  it('a file that is not a whole number of records', async () => {
    const d = c10();
    appendFileSync(join(d, 'data_batch_3.bin'), Buffer.alloc(5));
    await assertImportFailsCleanly(t.store, { format: 'cifar', name: 'x', dir: d }, /data_batch_3\.bin: 6151 bytes is not a whole number of 3073-byte CIFAR-10 records/);
    assert.deepEqual(storeState(t.store), EMPTY_STATE);
  });

  it('a CIFAR-10 label of 12', async () => {
    const d = c10();
    writeFileSync(join(d, 'data_batch_4.bin'), cifarRecords([4, 12, 3]));
    await assertImportFailsCleanly(t.store, { format: 'cifar', name: 'x', dir: d }, /data_batch_4\.bin: record 1: label 12 is outside 0\.\.9/);
  });

  it('a CIFAR-100 fine label of 100', async () => {
    const d = writeCifar100(join(dir, `c${n++}`), { train: [1, 2], test: [3] });
    writeFileSync(join(d, 'test.bin'), cifarRecords([5, 100], 0, [1, 1]));
    await assertImportFailsCleanly(t.store, { format: 'cifar', name: 'x', dir: d }, /test\.bin: record 1: label 100 is outside 0\.\.99/);
  });

  it('a missing batch file', async () => {
    const d = c10();
    rmSync(join(d, 'test_batch.bin'));
    await assertImportFailsCleanly(t.store, { format: 'cifar', name: 'x', dir: d }, /looks like CIFAR-10 but lacks test_batch\.bin/);
  });

  it('a folder without CIFAR files', async () => {
    const d = join(dir, 'empty');
    mkdirSync(d);
    await assertImportFailsCleanly(t.store, { format: 'cifar', name: 'x', dir: d }, /no CIFAR files in .*empty: expected data_batch_1\.\.5\.bin/);
  });

  it('a names file with the wrong number of names', async () => {
    const d = c10(NAMES10.slice(0, 9));
    await assertImportFailsCleanly(t.store, { format: 'cifar', name: 'x', dir: d }, /batches\.meta\.txt: 9 class names, expected 10/);
  });
});
