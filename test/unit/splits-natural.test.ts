// Natural splits (issue 25, item 1): the training set as it is, for datasets that are long-tailed
// already (ImageNet-LT, iNaturalist). Counts, ratio, order and groups by hand; the refusals of the
// parameters a natural split has no use for; the store keeping every image; and migration 014,
// which rebuilds the splits table to let 'natural' in, leaving every referencing row in place.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src-main/core/domain/errors';
import { parseSplitRequest } from '../../src-main/core/domain/split-schema';
import { previewFromCounts } from '../../src-main/core/splits/preview';
import { loadMigrations, migrate, openDatabase } from '../../src-main/core/store/db';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { createSplit, splitIndices } from '../../src-main/core/store/splits';
import { openStore } from '../../src-main/core/store/store';

const root = mkdtempSync(join(tmpdir(), 'dive-natural-'));
after(() => rmSync(root, { recursive: true, force: true }));

function userError(fn: () => unknown, re: RegExp): UserError {
  let caught: unknown;
  assert.throws(fn, (e: unknown) => ((caught = e), e instanceof UserError && re.test(e.message)), `expected a UserError matching ${re}`);
  return caught as UserError;
}

test('a natural split keeps the counts as they are: ratio max / min, n_max the head, classes ranked by count', () => {
  const p = previewFromCounts({ counts: [30, 2, 120, 30, 9] }, { profile: 'natural' });
  assert.deepEqual(p.counts, [30, 2, 120, 30, 9]);
  assert.equal(p.total, 191);
  assert.equal(p.ratio, 60); // 120 / 2
  assert.equal(p.maxPerClass, 120);
  assert.equal(p.stats.imbalanceRatio, 60);
  // largest first, ties by label: 120 (class 2), 30 (0), 30 (3), 9 (4), 2 (1)
  assert.deepEqual(p.order, [2, 0, 3, 4, 1]);
  // many > 100, few < 20
  assert.deepEqual(p.groups, { many: [2], medium: [0, 3], few: [1, 4] });
  assert.equal(p.seed, 0);
  assert.equal(p.classOrder, 'label');
});

test("a natural split's shot groups follow the thresholds given", () => {
  const p = previewFromCounts({ counts: [30, 2, 120, 30, 9] }, { profile: 'natural', many: 29, few: 3 });
  assert.deepEqual(p.groups, { many: [0, 2, 3], medium: [4], few: [1] });
});

test('a natural split of a balanced dataset is allowed and says its ratio is 1', () => {
  const p = previewFromCounts({ counts: [6000, 6000, 6000] }, { profile: 'natural' });
  assert.equal(p.ratio, 1);
  assert.equal(p.stats.imbalanceRatio, 1);
  assert.equal(p.stats.gini, 0);
  assert.deepEqual(p.order, [0, 1, 2]);
});

test('a natural split refuses what would shape a drawn profile, naming the field', () => {
  for (const [extra, field] of [[{ ratio: 10 }, 'ratio'], [{ maxPerClass: 5 }, 'maxPerClass'], [{ classOrder: 'shuffle' }, 'classOrder'], [{ seed: 3 }, 'seed']] as const) {
    const e = userError(() => previewFromCounts({ counts: [5, 3] }, { profile: 'natural', ...extra }), new RegExp(`^invalid split parameters: ${field}: a natural split keeps every training image`));
    assert.deepEqual(e.problems.map((p) => p.path), [[field]]);
  }
  // a drawn profile still needs its ratio
  const e = userError(() => parseSplitRequest({ dataset: 'd', name: 'n', profile: 'exp' }), /^invalid split request: ratio: required for the exp profile \(missing\)/);
  assert.deepEqual(e.problems, [{ path: ['ratio'], message: 'required' }]);
});

test('a natural split refuses a class without training images, in one line naming it', () => {
  userError(() => previewFromCounts({ counts: [5, 0, 3, 0], classNames: ['a', 'b', 'c', 'd'] }, { profile: 'natural' }), /^class 1 \("b"\) has no training images \(and 1 more class\); a split needs every class/);
});

test('the store keeps every training image of a natural split', () => {
  const store = openStore({ db: join(root, 'store', 'dive.sqlite'), dataDir: join(root, 'store', 'data') });
  try {
    const staging = new Staging(store.dataDir);
    const labels = [2, 0, 2, 1, 2, 2, 0];
    const part = (l: number[], file: string) => {
      const w = new RecordWriter(staging.path(file), 1);
      w.append(new Uint8Array(l.length));
      return { pixels: w.close(), labels: Int32Array.from(l) };
    };
    commitDataset(store, 'lt', staging, { format: 'folder', source: { path: '/x' }, imageShape: [1, 1, 1], classNames: ['a', 'b', 'c'], train: part(labels, 'train.u8'), test: part([0, 1, 2], 'test.u8') });
    const s = createSplit(store, { dataset: 'lt', name: 'lt-natural', profile: 'natural' });
    assert.equal(s.profile, 'natural');
    assert.deepEqual(s.counts, [2, 1, 4]);
    assert.equal(s.ratio, 4);
    assert.equal(s.maxPerClass, 4);
    assert.deepEqual(Array.from(splitIndices(store, s.name)), [0, 1, 2, 3, 4, 5, 6]);
  } finally {
    store.close();
  }
});

test('migration 014 lets natural splits in and leaves the rows that reference splits, and the trash columns, in place', () => {
  const path = join(root, 'old', 'dive.sqlite');
  mkdirSync(join(root, 'old'));
  const all = loadMigrations();
  const v010 = all.findIndex((m) => m.name.endsWith('_natural_splits_sparse_confusion.sql'));
  assert.ok(v010 > 0, 'the natural-splits migration is shipped');
  assert.ok(all.slice(0, v010).some((m) => m.name.endsWith('_trash.sql')), 'it comes after the trash, whose columns it must keep');
  const raw = new Database(path);
  raw.pragma('foreign_keys = ON');
  migrate(raw, all.slice(0, v010));
  raw.exec(`INSERT INTO datasets (id, name, format, source, height, width, channels, num_classes, dir, stats) VALUES (1, 'd', 'folder', '{}', 1, 1, 1, 2, 'x', '{}');
    INSERT INTO splits (id, name, dataset_id, profile, ratio, n_max, seed, class_order, order_json, many_threshold, few_threshold, total, stats)
      VALUES (7, 's', 1, 'exp', 10, 5, 0, 'label', '[0,1]', 100, 20, 6, '{}');
    INSERT INTO split_classes VALUES (7, 0, 5, 'few'), (7, 1, 1, 'few');
    INSERT INTO runs (id, name, split_id, method, model, config, status) VALUES (3, 'r', 7, 'ce', 'mlp', '{}', 'completed');
    INSERT INTO studies (id, name, split_id, spec) VALUES (2, 'st', 7, '{}');
    INSERT INTO trash (id, kind, name) VALUES (4, 'split', 'gone');
    INSERT INTO splits (id, name, dataset_id, profile, ratio, n_max, seed, class_order, order_json, many_threshold, few_threshold, total, stats, trash_id, trashed_name)
      VALUES (8, ' [trash #4] gone', 1, 'step', 2, 5, 0, 'label', '[0,1]', 100, 20, 6, '{}', 4, 'gone');`);
  assert.throws(() => raw.prepare(`INSERT INTO splits (name, dataset_id, profile, ratio, n_max, seed, class_order, order_json, many_threshold, few_threshold, total, stats) VALUES ('n', 1, 'natural', 1, 1, 0, 'label', '[]', 1, 1, 1, '{}')`).run(), /CHECK constraint failed/);
  raw.close();

  const db = openDatabase(path);
  try {
    assert.equal(db.pragma('user_version', { simple: true }), all.length);
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are on again after the rebuild');
    assert.deepEqual(db.prepare('SELECT id, name, profile, ratio, trash_id, trashed_name FROM splits ORDER BY id').all(), [
      { id: 7, name: 's', profile: 'exp', ratio: 10, trash_id: null, trashed_name: null },
      { id: 8, name: ' [trash #4] gone', profile: 'step', ratio: 2, trash_id: 4, trashed_name: 'gone' },
    ]);
    assert.equal(db.prepare('SELECT split_id FROM runs WHERE id = 3').pluck().get(), 7);
    assert.equal(db.prepare('SELECT COUNT(*) FROM split_classes WHERE split_id = 7').pluck().get(), 2);
    db.prepare(`INSERT INTO splits (name, dataset_id, profile, ratio, n_max, seed, class_order, order_json, many_threshold, few_threshold, total, stats) VALUES ('n', 1, 'natural', 1, 1, 0, 'label', '[]', 1, 1, 1, '{}')`).run();
    assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'splits_dataset'").get(), 'the index is rebuilt');
    assert.match(String(db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'splits_trash'").pluck().get()), /WHERE trash_id IS NOT NULL/, 'the trash\'s partial index is rebuilt');
    assert.throws(() => db.prepare('UPDATE splits SET trash_id = 99 WHERE id = 7').run(), /FOREIGN KEY/, 'trash_id still references the trash');
    // the references still cascade: deleting the split takes its run, study and classes
    db.prepare('DELETE FROM splits WHERE id = 7').run();
    assert.equal(db.prepare('SELECT COUNT(*) FROM runs').pluck().get(), 0);
    assert.equal(db.prepare('SELECT COUNT(*) FROM studies').pluck().get(), 0);
    assert.equal(db.prepare('SELECT COUNT(*) FROM split_classes').pluck().get(), 0);
  } finally {
    db.close();
  }
});
