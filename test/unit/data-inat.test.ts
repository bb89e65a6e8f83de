import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importDataset } from '../../src-main/core/data/import';
import { inatCategories, inatLabels, parseInatJson } from '../../src-main/core/data/inat';
import { datasetPart } from '../../src-main/core/store/datasets';
import { assertImportFailsCleanly, classColor, EMPTY_STATE, storeState, tempStore, writeInatDataset, type TempStore } from '../helpers/fixtures';

const doc = (o: object) => JSON.stringify({ images: [], annotations: [], categories: [], ...o });

describe('iNaturalist JSON parsing', () => {
  it('maps category ids over both files to 0..C-1 in ascending id order', () => {
    const a = parseInatJson(doc({ categories: [{ id: 30, name: 'thirty' }, { id: 5, name: 'five' }] }), 'a');
    const b = parseInatJson(doc({ categories: [{ id: 12, name: 'twelve' }, { id: 5, name: 'five' }] }), 'b');
    const { labelOf, classNames } = inatCategories([a, b]);
    assert.deepEqual(classNames, ['five', 'twelve', 'thirty']);
    assert.deepEqual([...labelOf], [[5, 0], [12, 1], [30, 2]]);
  });

  it('labels images in images[] order from their annotations', () => {
    const j = parseInatJson(
      doc({
        images: [{ id: 9, file_name: 'x/9.jpg' }, { id: 3, file_name: 'x/3.jpg' }],
        annotations: [{ image_id: 3, category_id: 30 }, { image_id: 9, category_id: 5 }],
        categories: [{ id: 30, name: 'thirty' }, { id: 5, name: 'five' }],
      }),
      'j',
    );
    const { labelOf } = inatCategories([j]);
    assert.deepEqual(inatLabels(j, labelOf, 'j'), [{ fileName: 'x/9.jpg', label: 0, index: 0 }, { fileName: 'x/3.jpg', label: 1, index: 1 }]);
  });

  it('rejects bad JSON and missing fields, naming the file and the field', () => {
    assert.throws(() => parseInatJson('{"images": [', 'f.json'), /^UserError: f\.json: not valid JSON( \(error at byte \d+\))?; is this an iNaturalist JSON file\?$/);
    // V8 quotes the text in its message; ours never does (web mode could point at any file)
    assert.throws(() => parseInatJson('root:*:20228:0:99999:7:::', 'shadow'), (e: Error) => !/root/.test(e.message));
    assert.throws(() => parseInatJson('{"images": [], "annotations": []}', 'f.json'), /f\.json: categories: /);
    assert.throws(() => parseInatJson(doc({ images: [{ id: 1, file_name: 'a' }, { id: 2 }] }), 'f.json'), /f\.json: images\[1\]\.file_name: /);
  });

  it('rejects annotations pointing nowhere and unannotated images', () => {
    const cats = [{ id: 1, name: 'one' }];
    const labelOf = new Map([[1, 0]]);
    const j1 = parseInatJson(doc({ images: [{ id: 1, file_name: 'a' }], annotations: [{ image_id: 1, category_id: 2 }], categories: cats }), 'f');
    assert.throws(() => inatLabels(j1, labelOf, 'f'), /f: annotations\[0\]: category_id 2 is not in categories/);
    const j2 = parseInatJson(doc({ images: [{ id: 1, file_name: 'a' }], annotations: [{ image_id: 7, category_id: 1 }], categories: cats }), 'f');
    assert.throws(() => inatLabels(j2, labelOf, 'f'), /f: annotations\[0\]: image_id 7 is not in images/);
    const j3 = parseInatJson(doc({ images: [{ id: 1, file_name: 'a' }, { id: 2, file_name: 'b' }], annotations: [{ image_id: 1, category_id: 1 }], categories: cats }), 'f');
    assert.throws(() => inatLabels(j3, labelOf, 'f'), /f: images\[1\] \(id 2, b\) has no annotation/);
  });
});

describe('iNaturalist import', () => {
  let t: TempStore;
  let dir: string;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());

  it('imports images with labels from sorted category ids and names from categories', async () => {
    const f = await writeInatDataset(join(dir, 'i'), { categories: { 204: 'Quercus', 17: 'Acer', 3000: 'Zea' }, train: [204, 17, 3000, 17, 204], test: [3000, 17] });
    const info = await importDataset(t.store, { format: 'inat', name: 'i', ...f, size: 8 });
    assert.equal(info.format, 'inat');
    assert.deepEqual(info.classNames, ['Acer', 'Quercus', 'Zea']);
    assert.deepEqual(info.train.counts, [2, 2, 1]);
    const p = datasetPart(t.store, 'i', 'train');
    assert.deepEqual(p.labels, Int32Array.from([1, 0, 2, 0, 1]));
    const px = readFileSync(p.pixelsPath);
    for (let i = 0; i < 5; i++) assert.deepEqual([...px.subarray(i * 192, i * 192 + 3)], classColor(p.labels[i]));
    assert.deepEqual(datasetPart(t.store, 'i', 'test').labels, Int32Array.from([2, 0]));
  });
});

describe('iNaturalist bad input leaves the store unchanged', () => {
  let t: TempStore;
  let dir: string;
  let n = 0;
  before(() => {
    t = tempStore();
    dir = t.dir; // fixtures live beside the store and go with it
  });
  after(() => t.cleanup());
  const make = () => writeInatDataset(join(dir, `d${n++}`), { categories: { 1: 'a', 2: 'b' }, train: [1, 2, 1], test: [2, 1] });

  it('JSON that does not parse', async () => {
    const f = await make();
    writeFileSync(f.testJson, readFileSync(f.testJson, 'utf8').slice(0, 50));
    await assertImportFailsCleanly(t.store, { format: 'inat', name: 'x', ...f }, /val\.json: not valid JSON/);
    assert.deepEqual(storeState(t.store), EMPTY_STATE);
  });

  it('JSON missing a field', async () => {
    const f = await make();
    const j = JSON.parse(readFileSync(f.trainJson, 'utf8'));
    delete j.annotations[1].category_id;
    writeFileSync(f.trainJson, JSON.stringify(j));
    await assertImportFailsCleanly(t.store, { format: 'inat', name: 'x', ...f }, /train\.json: annotations\[1\]\.category_id: /);
  });

  it('a missing image names the JSON file and entry', async () => {
    const f = await make();
    rmSync(join(f.root, 'train/2/1.png'));
    await assertImportFailsCleanly(t.store, { format: 'inat', name: 'x', ...f }, /train\.json images\[1\]: image .*train\/2\/1\.png not found/);
  });

  it('a corrupt image', async () => {
    const f = await make();
    writeFileSync(join(f.root, 'val/1/1.png'), 'garbage');
    await assertImportFailsCleanly(t.store, { format: 'inat', name: 'x', ...f }, /cannot decode image .*val\/1\/1\.png \(.*val\.json images\[1\]\)/);
  });
});
