import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importDataset } from '../../src-main/core/data/import';
import { parseListText } from '../../src-main/core/data/list';
import { UserError } from '../../src-main/core/domain/errors';
import { datasetPart } from '../../src-main/core/store/datasets';
import { assertImportFailsCleanly, classColor, EMPTY_STATE, storeState, tempStore, writeListDataset, type TempStore } from '../helpers/fixtures';

describe('list file parser', () => {
  it('reads "path label" lines, skipping blank ones, keeping line numbers', () => {
    const text = 'train/n01/a.JPEG 0\r\n\n  train/n02/b c.JPEG   12  \ntrain/n01/d.JPEG\t3\n';
    assert.deepEqual(parseListText(text, 'L'), [
      { path: 'train/n01/a.JPEG', label: 0, line: 1 },
      { path: 'train/n02/b c.JPEG', label: 12, line: 3 },
      { path: 'train/n01/d.JPEG', label: 3, line: 4 },
    ]);
  });

  it('names the line of a malformed entry', () => {
    assert.throws(() => parseListText('a.jpg 0\nb.jpg\n', 'L.txt'), (e: Error) => e instanceof UserError && e.message === 'L.txt line 2: expected "relative/path label"; is this a list file?');
    assert.throws(() => parseListText('a.jpg 0\n\nb.jpg -1\n', 'L.txt'), /L\.txt line 3: the label is not a whole number >= 0/);
    assert.throws(() => parseListText('a.jpg x7', 'L.txt'), /L\.txt line 1: the label is not/);
    // never the file's contents: /etc/shadow as a list file
    assert.throws(() => parseListText('root:*:20228:0:99999:7:::\n', '/etc/shadow'), (e: Error) => !/root|20228/.test(e.message));
    assert.throws(() => parseListText('\n\n', 'L.txt'), /L\.txt: no entries/);
  });
});

describe('list import', () => {
  let t: TempStore;
  let dir: string;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());

  it('imports in list order with decodes in flight, names from the names file', async () => {
    // 20 entries with interleaved labels: each image must land at its line's place
    const train = Array.from({ length: 20 }, (_, i) => (i * 7) % 4);
    const f = await writeListDataset(join(dir, 'l'), { train, test: [3, 2, 1, 0], names: ['w', 'x', 'y', 'z'] });
    const info = await importDataset(t.store, { format: 'list', name: 'l', ...f, size: 8 });
    assert.equal(info.format, 'list');
    assert.deepEqual(info.classNames, ['w', 'x', 'y', 'z']);
    assert.deepEqual(info.train.counts, [5, 5, 5, 5]);
    const p = datasetPart(t.store, 'l', 'train');
    assert.deepEqual(p.labels, Int32Array.from(train));
    const px = readFileSync(p.pixelsPath);
    for (let i = 0; i < 20; i++) assert.deepEqual([...px.subarray(i * 192, i * 192 + 3)], classColor(train[i]), `image ${i}`);
    assert.deepEqual(datasetPart(t.store, 'l', 'test').labels, Int32Array.from([3, 2, 1, 0]));
  });

  it('without a names file has classes 0..max label', async () => {
    const f = await writeListDataset(join(dir, 'n'), { train: [0, 2, 2, 1], test: [1] });
    const info = await importDataset(t.store, { format: 'list', name: 'n', root: f.root, trainList: f.trainList, testList: f.testList, size: 4 });
    assert.deepEqual(info.classNames, ['0', '1', '2']);
    assert.deepEqual(info.train.counts, [1, 1, 2]);
    assert.deepEqual(info.imageShape, [4, 4, 3]);
  });
});

describe('list bad input leaves the store unchanged', () => {
  let t: TempStore;
  let dir: string;
  let n = 0;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());
  const make = () => writeListDataset(join(dir, `d${n++}`), { train: [0, 1, 2, 0], test: [1, 2], names: ['a', 'b', 'c'] });

  it('a missing image names the list file and line', async () => {
    const f = await make();
    rmSync(join(f.root, 'images/train/2/2.png'));
    await assertImportFailsCleanly(t.store, { format: 'list', name: 'x', ...f }, /train\.txt line 3: image .*images\/train\/2\/2\.png not found/);
    assert.deepEqual(storeState(t.store), EMPTY_STATE);
  });

  it('a malformed line', async () => {
    const f = await make();
    writeFileSync(f.testList, 'images/test/1/0.png 1\nimages/test/2/1.png\n');
    await assertImportFailsCleanly(t.store, { format: 'list', name: 'x', ...f }, /test\.txt line 2: expected "relative\/path label"/);
  });

  it('a label with no class name', async () => {
    const f = await make();
    writeFileSync(f.trainList, 'images/train/0/0.png 0\nimages/train/1/1.png 3\n');
    await assertImportFailsCleanly(t.store, { format: 'list', name: 'x', ...f }, /train\.txt line 2: label 3 is outside 0\.\.2 \(3 names in .*names\.txt\)/);
  });

  it('a corrupt image names the file and the list line', async () => {
    const f = await make();
    writeFileSync(join(f.root, 'images/test/2/1.png'), Buffer.alloc(100, 7));
    await assertImportFailsCleanly(t.store, { format: 'list', name: 'x', ...f, channels: 3 }, /cannot decode image .*images\/test\/2\/1\.png \(.*test\.txt line 2\)/);
  });

  it('a missing list file', async () => {
    const f = await make();
    await assertImportFailsCleanly(t.store, { format: 'list', name: 'x', ...f, testList: join(dir, 'nope.txt') }, /test list file not found: .*nope\.txt/);
  });
});
