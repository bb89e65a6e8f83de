// Bad input is refused before it costs anything (issue 13, items 5, 6 and 9): label bounds, empty
// classes, zero images, duplicate names, IDX headers compared before bodies are read, and list /
// JSON entries kept inside their root. Every refusal leaves the store unchanged.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { importDataset } from '../../src-main/core/data/import';
import { assertImportFailsCleanly, idxBytes, idxLabels, tempDir, tempStore, writeIdxDataset, writeInatDataset, writeListDataset, type TempStore } from '../helpers/fixtures';

describe('import limits', () => {
  let t: TempStore;
  let dir: string;
  let list: Awaited<ReturnType<typeof writeListDataset>>;
  const listReq = (o: Record<string, unknown> = {}) => ({ format: 'list' as const, name: 'l', root: list.root, trainList: list.trainList, testList: list.testList, size: 4, ...o });
  before(async () => {
    t = tempStore();
    dir = tempDir();
    list = await writeListDataset(join(dir, 'list'), { train: [0, 0, 1, 2], test: [0, 1, 2], names: ['a', 'b', 'c'] });
  });
  after(() => t.cleanup());

  const withTrainLines = (lines: string) => {
    const p = join(dir, `train-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(p, lines);
    return p;
  };

  it('refuses a label that would make millions of classes, naming its line', async () => {
    const trainList = withTrainLines('images/train/0/0.png 0\nimages/train/1/2.png 3000000\n');
    await assertImportFailsCleanly(t.store, listReq({ trainList }), /train-\w+\.txt line 2: label 3000000 is above the 99999 this app supports/);
    const huge = withTrainLines('images/train/0/0.png 99999999999999\n');
    await assertImportFailsCleanly(t.store, listReq({ trainList: huge }), /line 1: label 999999999999… is above the 99999/);
  });

  it('refuses classes without training images unless names declare them and the user allows it', async () => {
    // labels 0 and 2 only: class 1 is empty
    const trainList = withTrainLines('images/train/0/0.png 0\nimages/train/2/3.png 2\n');
    await assertImportFailsCleanly(t.store, listReq({ trainList }), /dataset "l": 1 of 3 classes have no training images \(1\); .*--allow-empty-classes/);
    await assertImportFailsCleanly(t.store, listReq({ trainList, allowEmptyClasses: true }), /allowEmptyClasses needs classNamesFile/);
    const info = await importDataset(t.store, listReq({ name: 'declared', trainList, classNamesFile: list.classNamesFile, allowEmptyClasses: true }));
    assert.deepEqual(info.train.counts, [1, 0, 1]);
  });

  it('refuses IDX with no training images, or one stray label 255', async () => {
    const empty = writeIdxDataset(join(dir, 'idx0'), { trainLabels: [], testLabels: [0, 1] });
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...empty }, /dataset "x": the training set has no images/);
    const stray = writeIdxDataset(join(dir, 'idx255'), { trainLabels: [0, 1, 2, 3, 255], testLabels: [0, 1] });
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...stray }, /dataset "x": 251 of 256 classes have no training images \(4, 5, 6, 7, 8, … \(251 in all\)\)/);
  });

  it('refuses duplicate class names', async () => {
    const f = writeIdxDataset(join(dir, 'dup'), { trainLabels: [0, 1, 2], testLabels: [0] });
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f, classNames: ['cat', 'dog', 'cat'] }, /class name "cat" is given twice \(classes 0 and 2\)/);
  });

  it('refuses an iNaturalist JSON without images', async () => {
    mkdirSync(join(dir, 'inat'), { recursive: true });
    const f = await writeInatDataset(join(dir, 'inat'), { categories: { 1: 'a', 2: 'b' }, train: [], test: [1, 2] });
    await assertImportFailsCleanly(t.store, { format: 'inat', name: 'x', ...f, size: 4 }, /the training set has no images/);
  });

  it('compares IDX label and image headers before unpacking a label body', async () => {
    const f = writeIdxDataset(join(dir, 'bomb'), { trainLabels: [0, 1, 1], testLabels: [0, 1] });
    // a gzip claiming 40 M labels, cut short: reading it whole would fail on the cut, after unpacking
    const bomb = gzipSync(idxBytes(0x801, [40_000_000], new Uint8Array(4_000_000)));
    writeFileSync(f.trainLabels, bomb.subarray(0, bomb.length >> 1));
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /train-images-idx3-ubyte has 3 images but \S+train-labels-idx1-ubyte has 40000000 labels/);
    writeFileSync(f.trainLabels, Buffer.concat([idxLabels([0, 1, 1]), Buffer.from([7])]));
    await assertImportFailsCleanly(t.store, { format: 'idx', name: 'x', ...f }, /more data than the 3 labels its header promises/);
  });

  it('keeps list and JSON entries inside their root', async () => {
    for (const entry of ['../inat2/train/1/0.png', '/etc/passwd', 'images/../../x.png']) {
      const trainList = withTrainLines(`${entry} 0\nimages/train/1/2.png 1\nimages/train/2/3.png 2\n`);
      await assertImportFailsCleanly(t.store, listReq({ trainList }), /line 1: image path (is absolute|leaves the image root)/);
    }
    const f = await writeInatDataset(join(dir, 'inat2'), { categories: { 1: 'a', 2: 'b' }, train: [1, 2], test: [1, 2] });
    const json = JSON.parse(readFileSync(f.trainJson, 'utf8')) as { images: { file_name: string }[] };
    json.images[0].file_name = '../list/images/train/0/0.png';
    writeFileSync(f.trainJson, JSON.stringify(json));
    await assertImportFailsCleanly(t.store, { format: 'inat', name: 'x', ...f, size: 4 }, /train\.json images\[0\]: image path leaves the image root/);
  });
});
