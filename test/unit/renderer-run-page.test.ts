import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classRows, smooth, sortClassRows } from '../../src-renderer/lib/run-page';

// 3 classes, 10 test images each: class 0 right 8 times (2 -> class 1), class 1 right 5 times
// (5 -> class 0), class 2 right 10 times
const CM = [[8, 2, 0], [5, 5, 0], [0, 0, 10]];
const rows = classRows(['cat', 'dog', 'owl'], [500, 60, 5], { many: 100, few: 20 }, [0.8, 0.5, 1], CM);

test('precision and recall come from the confusion matrix, beside the count and shot group', () => {
  assert.deepEqual(rows.map((r) => r.group), ['many', 'medium', 'few']);
  assert.deepEqual(rows.map((r) => r.recall), [0.8, 0.5, 1]);
  // predicted as cat: 8 + 5 = 13, of which 8 are cats
  assert.equal(rows[0].precision, 8 / 13);
  assert.equal(rows[1].precision, 5 / 7);
  assert.equal(rows[2].precision, 1);
  assert.deepEqual(rows.map((r) => r.support), [10, 10, 10]);
});

test('without a confusion matrix precision and recall are unknown, not zero', () => {
  const r = classRows(['a'], [10], { many: 100, few: 20 }, [0.5]);
  assert.equal(r[0].precision, null);
  assert.equal(r[0].recall, null);
  assert.equal(r[0].accuracy, 0.5);
});

test('the table sorts by any column, unknown values last', () => {
  assert.deepEqual(sortClassRows(rows, 'precision', 'desc').map((r) => r.name), ['owl', 'dog', 'cat']);
  assert.deepEqual(sortClassRows(rows, 'count', 'asc').map((r) => r.name), ['owl', 'dog', 'cat']);
  assert.deepEqual(sortClassRows(rows, 'group', 'desc').map((r) => r.name), ['owl', 'dog', 'cat']);
  const withNull = classRows(['a', 'b'], [1, 2], { many: 100, few: 20 }, [null, 0.3]);
  assert.deepEqual(sortClassRows(withNull, 'accuracy', 'desc').map((r) => r.name), ['b', 'a']);
  assert.deepEqual(sortClassRows(withNull, 'accuracy', 'asc').map((r) => r.name), ['b', 'a']);
});

test('smoothing is TensorBoard\'s debiased moving average', () => {
  assert.deepEqual(smooth([1, 2, 3], 0), [1, 2, 3]);
  const s = smooth([1, 3], 0.5);
  // k=1: 0.5*1 / 0.5 = 1; k=2: (0.5*0.5 + 0.5*3) / 0.75 = 1.75 / 0.75
  assert.equal(s[0], 1);
  assert.ok(Math.abs(s[1] - 1.75 / 0.75) < 1e-12);
});
