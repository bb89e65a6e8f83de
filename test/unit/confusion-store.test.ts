// A run's confusion matrix stored as its non-zero cells (issue 25, item 2): the summaries the
// many-class screens show, by hand; the round trip through the store at 3 classes (the full matrix
// comes back) and at 8,142 (precision and the largest confusions, never C x C); a run stored before
// the cells existed, with its dense matrix in the JSON, opens as before; a damaged row is one line.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import type { ConfusionCell } from '../../src-main/core/domain/many-classes';
import { UserError } from '../../src-main/core/domain/errors';
import { parseRunConfig } from '../../src-main/core/domain/run-config';
import { cellsOfRows, denseRows, precisionOf, topConfusions } from '../../src-main/core/eval/confusion-summary';
import { confusionCells, evaluate, perClassFromCells } from '../../src-main/core/eval/metrics';
import { commitDataset } from '../../src-main/core/store/datasets';
import { RecordWriter, Staging } from '../../src-main/core/store/files';
import { getRun, insertRun, markCompleted, runDir } from '../../src-main/core/store/runs';
import { createSplit } from '../../src-main/core/store/splits';
import { tempStore, type TempStore } from '../helpers/fixtures';

// 3 classes; rows true, columns predicted
const ROWS = [
  [3, 1, 0],
  [2, 0, 2],
  [0, 0, 1],
];
const CELLS: ConfusionCell[] = [[0, 0, 3], [0, 1, 1], [1, 0, 2], [1, 2, 2], [2, 2, 1]];

test('cells and rows convert both ways; precision and the largest confusions by hand', () => {
  assert.deepEqual(cellsOfRows(ROWS), CELLS);
  assert.deepEqual(denseRows(CELLS, 3), ROWS);
  // predicted as 0: 3 + 2, of which 3 right; as 1: 1, none right; as 2: 2 + 1, one right
  assert.deepEqual(precisionOf(CELLS, 3), [3 / 5, 0, 1 / 3]);
  assert.deepEqual(precisionOf([[0, 0, 1]], 2), [1, null]);
  // off-diagonal: (1,0) 2 of 4, (1,2) 2 of 4, (0,1) 1 of 4: ties by count then share then indices
  assert.deepEqual(topConfusions(CELLS, 3, 10), [
    { actual: 1, predicted: 0, count: 2, share: 0.5 },
    { actual: 1, predicted: 2, count: 2, share: 0.5 },
    { actual: 0, predicted: 1, count: 1, share: 0.25 },
  ]);
  assert.equal(topConfusions(CELLS, 3, 1).length, 1);
  // 3 of 3 before 3 of 50
  assert.deepEqual(topConfusions([[0, 1, 3], [0, 0, 47], [1, 0, 3]], 2, 2).map((c) => c.actual), [1, 0]);
});

test('the cells of predictions are the dense matrix\'s non-zero entries; per-class accuracy from them', () => {
  const pred = [0, 1, 0, 0, 2, 2, 2, 0];
  const labels = [0, 0, 0, 0, 1, 1, 2, 1];
  assert.deepEqual(confusionCells(pred, labels, 3), [[0, 0, 3], [0, 1, 1], [1, 0, 1], [1, 2, 2], [2, 2, 1]]);
  assert.deepEqual(perClassFromCells(confusionCells(pred, labels, 3), 4), [0.75, 0, 1, null]);
  // above CLASS_MATRIX_MAX (100) classes the evaluation keeps no dense matrix
  const C = 150;
  const logits = new Float32Array(2 * C);
  logits[7] = 1;
  logits[C + 149] = 1;
  const e = evaluate(logits, [7, 3], C, { many: [], medium: [], few: [] });
  assert.equal(e.confusion, null);
  assert.deepEqual(e.cells, [[3, 149, 1], [7, 7, 1]]);
});

let t: TempStore;
before(() => {
  t = tempStore();
  for (const [name, C] of [['small', 3], ['inat', 8142]] as const) {
    const staging = new Staging(t.store.dataDir);
    const part = (labels: number[], file: string) => {
      const w = new RecordWriter(staging.path(`${name}-${file}`), 1);
      w.append(new Uint8Array(labels.length));
      return { pixels: w.close(), labels: Int32Array.from(labels) };
    };
    const labels = Array.from({ length: C }, (_, c) => c);
    commitDataset(t.store, name, staging, { format: 'folder', source: {}, imageShape: [1, 1, 1], classNames: labels.map(String), train: part([...labels, ...labels], 'train.u8'), test: part(labels, 'test.u8') });
    createSplit(t.store, { dataset: name, name: `${name}-all`, profile: 'natural' });
  }
});
after(() => t.cleanup());

function completedRun(name: string, split: string, metrics: Parameters<typeof markCompleted>[2]['metrics']): number {
  const id = insertRun(t.store, { name, splitId: getSplitId(split), teacherId: null, method: 'ce', model: 'mlp', config: parseRunConfig({ method: 'ce', model: 'mlp' }), teacherInfo: null });
  markCompleted(t.store, id, { metrics, imagesPerSecond: 1, weights: { path: join(runDir(t.store, id), 'weights.bin'), bytes: 1, sha256: 'ab' } });
  return id;
}
const getSplitId = (name: string) => t.store.db.prepare('SELECT id FROM splits WHERE name = ?').pluck().get(name) as number;
const base = { top1: 0.5, many: null, medium: null, few: 0.5, ece: 0.1 };

test('a few-class run keeps its full matrix; the metrics JSON holds no matrix, the cells their own row', () => {
  const id = completedRun('small-run', 'small-all', { ...base, perClass: [0.75, 0, 1], confusion: ROWS, confusionCells: CELLS, epoch: 1 });
  const m = getRun(t.store, 'small-run').metrics!;
  assert.deepEqual(m.confusion, ROWS);
  assert.equal(m.confusionCells, undefined);
  assert.equal(m.topConfusions, undefined);
  assert.deepEqual(getRun(t.store, 'small-run', { cells: true }).metrics!.confusionCells, CELLS);
  const json = t.store.db.prepare('SELECT metrics FROM runs WHERE id = ?').pluck().get(id) as string;
  assert.ok(!json.includes('confusion'), json);
  assert.equal(t.store.db.prepare('SELECT classes FROM run_confusion WHERE run_id = ?').pluck().get(id), 3);
});

test('an 8,142-class run stores one cell per test image at most and answers precision and the largest confusions', () => {
  const C = 8142;
  // every test image predicted as class (c + 1) % 10 for c < 5000, right otherwise
  const cells: ConfusionCell[] = Array.from({ length: C }, (_, c): ConfusionCell => (c < 5000 ? [c, (c + 1) % 10, 1] : [c, c, 1]));
  const perClass = cells.map(([a, p]) => (a === p ? 1 : 0));
  const id = completedRun('inat-run', 'inat-all', { ...base, perClass, confusionCells: cells, epoch: 1 });
  const bytes = t.store.db.prepare('SELECT length(cells) FROM run_confusion WHERE run_id = ?').pluck().get(id) as number;
  assert.equal(bytes, C * 12, 'three int32 per non-zero cell');
  const m = getRun(t.store, 'inat-run').metrics!;
  assert.equal(m.confusion, undefined);
  assert.equal(m.precision!.length, C);
  assert.equal(m.precision![5000], 1);
  assert.equal(m.precision![3], 0, 'class 3 is predicted for 500 images of other classes, never rightly (3 -> 4)');
  assert.equal(m.topConfusions!.length, 100);
  assert.deepEqual(m.topConfusions![0], { actual: 0, predicted: 1, count: 1, share: 1 });
  assert.equal(getRun(t.store, 'inat-run', { cells: true }).metrics!.confusionCells!.length, C);
});

test('a run stored before the cells existed opens with its dense matrix from the JSON', () => {
  const id = completedRun('legacy', 'small-all', { ...base, perClass: [0.75, 0, 1], epoch: 1 });
  t.store.db.prepare('DELETE FROM run_confusion WHERE run_id = ?').run(id);
  t.store.db.prepare('UPDATE runs SET metrics = ? WHERE id = ?').run(JSON.stringify({ ...base, perClass: [0.75, 0, 1], confusion: ROWS, epoch: 1 }), id);
  assert.deepEqual(getRun(t.store, 'legacy').metrics!.confusion, ROWS);
  assert.deepEqual(getRun(t.store, 'legacy', { cells: true }).metrics!.confusionCells, CELLS);
});

test('a damaged cells row is one line naming the run', () => {
  const id = t.store.db.prepare("SELECT id FROM runs WHERE name = 'small-run'").pluck().get() as number;
  t.store.db.prepare('UPDATE run_confusion SET cells = ? WHERE run_id = ?').run(Buffer.alloc(12), id);
  assert.throws(() => getRun(t.store, 'small-run'), (e: unknown) => e instanceof UserError && /^run "small-run": its stored confusion matrix is damaged/.test(e.message));
});
