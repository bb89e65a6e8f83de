// Image-file imports keep each training image's path (db/011_dataset_paths.sql) in training-part
// order, so a split's "path label" list names the files the split was drawn from; array datasets
// keep none. Checked for the list and iNaturalist importers (the folder one in cli-split-export).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportSplit } from '../../src-main/core/app/split-export';
import { importDataset } from '../../src-main/core/data/import';
import { datasetPart, datasetTrainPaths, getDataset } from '../../src-main/core/store/datasets';
import { createSplit, splitIndices } from '../../src-main/core/store/splits';
import { tempStore, writeIdxDataset, writeInatDataset, writeListDataset, type TempStore } from '../helpers/fixtures';

describe('training image paths of image-file datasets', () => {
  let t: TempStore;
  before(() => (t = tempStore()));
  after(() => t.cleanup());

  it('a list dataset keeps its list file\'s paths and labels, and a split lists its own images', async () => {
    const f = await writeListDataset(join(t.dir, 'lt'), { train: [0, 1, 0, 2, 0, 1, 0, 0], test: [0, 1, 2] });
    const ds = await importDataset(t.store, { format: 'list', name: 'lst', root: f.root, trainList: f.trainList, testList: f.testList, size: 8 });
    const listed = readFileSync(f.trainList, 'utf8').trimEnd().split('\n');
    const paths = datasetTrainPaths(t.store, ds.id)!;
    assert.equal(paths.root, f.root);
    assert.deepEqual(paths.paths, listed.map((l) => l.split(' ')[0]));
    const split = createSplit(t.store, { dataset: 'lst', name: 'lst-lt', ratio: 4, maxPerClass: 4 });
    const out = exportSplit(t.store, 'lst-lt', 'list');
    const idx = splitIndices(t.store, split.id);
    // each line is the list file's line of that training image: same path, same label
    assert.deepEqual(out.text.trimEnd().split('\n'), Array.from(idx, (i) => listed[i]));
    assert.deepEqual([out.filename, out.contentType], ['lst-lt-train.txt', 'text/plain']);
  });

  it('an iNaturalist dataset keeps its file_name values', async () => {
    const f = await writeInatDataset(join(t.dir, 'inat'), { categories: { 3: 'fern', 9: 'moss' }, train: [3, 9, 3], test: [3, 9] });
    const ds = await importDataset(t.store, { format: 'inat', name: 'in', root: f.root, trainJson: f.trainJson, testJson: f.testJson, size: 8 });
    const json = JSON.parse(readFileSync(f.trainJson, 'utf8')) as { images: { file_name: string }[] };
    assert.deepEqual(datasetTrainPaths(t.store, ds.id)!.paths, json.images.map((im) => im.file_name));
    assert.equal(datasetTrainPaths(t.store, ds.id)!.paths.length, datasetPart(t.store, ds.id, 'train').labels.length);
  });

  it('an IDX dataset keeps none, and its list export is refused', async () => {
    const f = writeIdxDataset(join(t.dir, 'idx'), { trainLabels: [0, 1, 1, 0], testLabels: [0, 1] });
    await importDataset(t.store, { format: 'idx', name: 'arr', ...f });
    assert.equal(datasetTrainPaths(t.store, getDataset(t.store, 'arr').id), null);
    createSplit(t.store, { dataset: 'arr', name: 'arr-s', ratio: 1, maxPerClass: 2 });
    assert.throws(() => exportSplit(t.store, 'arr-s', 'list'), /no list: dataset "arr" \(idx\) holds decoded arrays/);
  });
});
