import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Progress } from '../../src-main/core/domain/types';
import { UserError } from '../../src-main/core/domain/errors';
import { Rng } from '../../src-main/core/rng';
import { sampleSplit } from '../../src-main/core/splits/sample';
import { classStats } from '../../src-main/core/splits/stats';
import { commitDataset, datasetPart } from '../../src-main/core/store/datasets';
import { trashObject } from '../../src-main/core/store/deletes';
import { emptyTrashEntries } from '../../src-main/core/store/trash-empty';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { createSplit, getSplit, listSplits, previewSplit, splitIndices } from '../../src-main/core/store/splits';
import { openStore, type Store } from '../../src-main/core/store/store';

const TRAIN_COUNTS = [60, 50, 40, 35, 30];
const NAMES = ['ant', 'bee', 'cat', 'dog', 'eel'];

/** A 2x2 grey dataset with TRAIN_COUNTS training images (shuffled) and 4 test images per class. */
function addDataset(store: Store, name: string): void {
  const staging = new Staging(store.dataDir);
  const part = (labels: number[], file: string) => {
    const w = new RecordWriter(staging.path(file), 4);
    w.append(new Uint8Array(labels.length * 4).map((_, i) => i & 255));
    return { pixels: w.close(), labels: Int32Array.from(labels) };
  };
  const train = new Rng(11).shuffle(TRAIN_COUNTS.flatMap((n, c) => Array<number>(n).fill(c)));
  const test = NAMES.flatMap((_, c) => [c, c, c, c]);
  commitDataset(store, name, staging, {
    format: 'folder',
    source: { path: '/synthetic' },
    imageShape: [2, 2, 1],
    classNames: NAMES,
    train: part(train, 'train.u8'),
    test: part(test, 'test.u8'),
  });
}

/** Every row of the split tables, hashed: equal snapshots mean nothing was written. */
function splitTables(store: Store): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of ['splits', 'split_classes', 'split_samples']) {
    const rows = store.db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
    out[t] = `${rows.length}:${createHash('sha256').update(JSON.stringify(rows, (_, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).digest('hex')}`;
  }
  return out;
}

function userError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UserError && re.test(e.message), `expected a UserError matching ${re}`);
}

let dir: string;
let store: Store;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'dive-test-'));
  store = openStore({ db: join(dir, 'dive.sqlite'), dataDir: join(dir, 'data') });
  addDataset(store, 'toy');
  addDataset(store, 'toy2');
});

after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('createSplit stores the split, its classes and its indices', () => {
  const seen: Progress[] = [];
  const s = createSplit(store, { dataset: 'toy', name: 'toy-lt', ratio: 3, seed: 7, many: 20, few: 12 }, (p) => seen.push(p));
  assert.equal(s.name, 'toy-lt');
  assert.equal(s.dataset, 'toy');
  assert.equal(s.profile, 'exp');
  assert.equal(s.classOrder, 'label');
  assert.equal(s.maxPerClass, 30); // the smallest class of the training set
  assert.equal(s.seed, 7);
  // 30 * 3^(-i/4) = 30, 22.8, 17.3, 13.2, 10
  assert.deepEqual(s.counts, [30, 22, 17, 13, 10]);
  assert.equal(s.total, 92);
  assert.deepEqual(s.order, [0, 1, 2, 3, 4]);
  assert.deepEqual(s.thresholds, { many: 20, few: 12 });
  assert.deepEqual(s.groups, { many: [0, 1], medium: [2, 3], few: [4] });
  assert.deepEqual(s.stats, classStats([30, 22, 17, 13, 10], { many: 20, few: 12 }));
  assert.ok(s.createdAt);
  assert.deepEqual(seen.at(-1), { phase: 'writing', done: 1, total: 1 });
  assert.ok(seen.some((p) => p.phase === 'sampling' && p.done === 5));

  const rows = store.db.prepare('SELECT class_idx, count, grp FROM split_classes WHERE split_id = ? ORDER BY class_idx').all(s.id);
  assert.deepEqual(rows, [
    { class_idx: 0, count: 30, grp: 'many' },
    { class_idx: 1, count: 22, grp: 'many' },
    { class_idx: 2, count: 17, grp: 'medium' },
    { class_idx: 3, count: 13, grp: 'medium' },
    { class_idx: 4, count: 10, grp: 'few' },
  ]);

  const idx = splitIndices(store, 'toy-lt');
  const { labels } = datasetPart(store, 'toy', 'train');
  assert.deepEqual(idx, sampleSplit(labels, s.counts, 7));
  const perClass = [0, 0, 0, 0, 0];
  idx.forEach((i, k) => {
    perClass[labels[i]]++;
    if (k > 0) assert.ok(i > idx[k - 1]);
  });
  assert.deepEqual(perClass, s.counts);
  // stored as Int32 little-endian
  const blob = (store.db.prepare('SELECT indices FROM split_samples WHERE split_id = ?').get(s.id) as { indices: Buffer }).indices;
  assert.equal(blob.length, 92 * 4);
  assert.equal(blob.readInt32LE(4 * 91), idx[91]);
});

test('the same request under another name gives the same indices; another seed others', () => {
  const a = createSplit(store, { dataset: 'toy', name: 'again', ratio: 3, seed: 7 });
  assert.deepEqual(splitIndices(store, a.id), splitIndices(store, 'toy-lt'));
  createSplit(store, { dataset: 'toy', name: 'seed8', ratio: 3, seed: 8 });
  assert.notDeepEqual(splitIndices(store, 'seed8'), splitIndices(store, 'toy-lt'));
});

test('previewSplit answers what createSplit would store and writes nothing', () => {
  const before = splitTables(store);
  const p = previewSplit(store, { dataset: 'toy', ratio: 3, seed: 7, many: 20, few: 12 });
  assert.deepEqual(p.counts, getSplit(store, 'toy-lt').counts);
  assert.deepEqual(p.groups, getSplit(store, 'toy-lt').groups);
  assert.deepEqual(previewSplit(store, { dataset: 'toy', name: 'toy-lt', ratio: 3 }).total, 92); // a taken name does not matter yet
  userError(() => previewSplit(store, { dataset: 'toy', ratio: 1, maxPerClass: 45 }), /^maxPerClass: class 2 \("cat"\) has 40 training images/);
  userError(() => previewSplit(store, { dataset: 'nope', ratio: 2 }), /no dataset named "nope"/);
  userError(() => previewSplit(store, { dataset: 'toy', ratio: 0 }), /ratio: must be at least 1/);
  assert.deepEqual(splitTables(store), before);
});

test('getSplit by name or id, listSplits all or by dataset', () => {
  const s = getSplit(store, 'toy-lt');
  assert.deepEqual(getSplit(store, s.id), s);
  createSplit(store, { dataset: 'toy2', name: 'other', ratio: 2, profile: 'step', classOrder: 'shuffle', seed: 1 });
  assert.deepEqual(listSplits(store).map((x) => x.name), ['toy-lt', 'again', 'seed8', 'other']);
  assert.deepEqual(listSplits(store, 'toy2').map((x) => x.name), ['other']);
  const o = getSplit(store, 'other');
  assert.equal(o.profile, 'step');
  assert.equal(o.classOrder, 'shuffle');
  // step at rho 2 from n_max 30: two ranks keep 30, three get 15, placed by the shuffled order
  assert.deepEqual(o.order.map((c) => o.counts[c]), [30, 30, 15, 15, 15]);
  userError(() => getSplit(store, 'nope'), /no split named "nope"/);
  userError(() => getSplit(store, 9999), /no split with id 9999/);
  userError(() => listSplits(store, 'nope'), /no dataset named "nope"/);
});

test('errors leave the split tables unchanged', () => {
  const before = splitTables(store);
  userError(() => createSplit(store, { dataset: 'toy', name: 'toy-lt', ratio: 5 }), /a split named "toy-lt" already exists/);
  userError(() => createSplit(store, { dataset: 'toy', name: 'big', ratio: 1, maxPerClass: 45 }), /^maxPerClass: class 2 \("cat"\) has 40 training images but the split needs 45 \(maxPerClass 45, ratio 1\); 2 more classes are short too; lower maxPerClass$/);
  userError(() => createSplit(store, { dataset: 'toy', name: 'flat', ratio: 0.5 }), /ratio: must be at least 1/);
  userError(() => createSplit(store, { dataset: 'toy', name: 'empty', ratio: 31 }), /^ratio: 31 with maxPerClass 30 leaves class 4 \("eel"\) with no training images/);
  userError(() => createSplit(store, { dataset: 'nope', name: 'x', ratio: 2 }), /no dataset named "nope"/);
  userError(() => createSplit(store, { dataset: 'toy', name: '', ratio: 2 }), /name: must not be empty/);
  assert.deepEqual(splitTables(store), before);
});

test('deleting a split moves it to the trash; emptying the trash removes it with its rows', () => {
  const s = getSplit(store, 'again');
  const d = trashObject(store, 'split', 'again');
  assert.deepEqual(d, { trashId: d.trashId, deletedRuns: [], deletedSplits: [], deletedStudies: [] });
  userError(() => getSplit(store, 'again'), /no split named "again"/);
  assert.ok(listSplits(store).every((x) => x.name !== 'again'));
  const count = (t: string) => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE split_id = ?`).get(s.id) as { n: number }).n;
  assert.equal(count('split_samples'), 1, 'kept while in the trash');
  userError(() => trashObject(store, 'split', 'again'), /no split named "again"/);
  emptyTrashEntries(store, [d.trashId]);
  for (const t of ['split_classes', 'split_samples']) assert.equal(count(t), 0, t);
});

test('deleting a dataset deletes its splits and its parts\' blob rows', () => {
  const blobs = () => store.db.prepare('SELECT COUNT(*) FROM blobs').pluck().get() as number;
  const before = blobs();
  const d = trashObject(store, 'dataset', 'toy2', { cascade: true });
  assert.equal(blobs(), before, 'kept while in the trash');
  emptyTrashEntries(store, [d.trashId]);
  assert.equal(blobs(), before - 2, 'the train and test pixel blobs');
  assert.deepEqual(listSplits(store).map((x) => x.name), ['toy-lt', 'seed8']);
  assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM split_samples').get() as { n: number }).n, 2);
});
