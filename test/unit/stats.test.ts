import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS } from '../../src-main/core/domain/split-schema';
import { classStats, gini, normalizedEntropy, shotGroup, shotGroups } from '../../src-main/core/splits/stats';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} is not ${b}`);

test('Gini coefficient against hand-computed values', () => {
  // [1,1,2,4]: sum over ordered pairs of |x_i - x_j| = 20; 20 / (2 * 4^2 * mean 2) = 0.3125
  assert.equal(gini([4, 2, 1, 1]), 0.3125);
  assert.equal(gini([1, 4, 1, 2]), 0.3125); // order does not matter
  assert.equal(gini([1, 1, 1, 1]), 0);
  assert.equal(gini(Array(37).fill(5000)), 0);
  assert.equal(gini([0, 0, 0, 10]), 0.75); // all in one of n classes: (n - 1) / n
  close(gini([1, 2, 3]), 2 / 9); // pairs' |diff| sum 8 / (2 * 9 * 2)
  assert.equal(gini([]), 0);
  assert.equal(gini([0, 0]), 0);
});

test('normalised entropy against hand-computed values', () => {
  // p = 1/2, 1/4, 1/8, 1/8: H = 1.75 ln 2, log 4 = 2 ln 2
  close(normalizedEntropy([4, 2, 1, 1]), 0.875);
  close(normalizedEntropy([1, 1, 0, 0]), 0.5);
  assert.equal(normalizedEntropy([5, 0, 0, 0]), 0);
  for (const n of [2, 3, 5, 10, 12, 25, 100, 8142]) assert.equal(normalizedEntropy(Array(n).fill(7)), 1, `uniform over ${n}`);
  assert.equal(normalizedEntropy([0, 0, 0]), 0);
});

test('shot groups use many > t.many, few < t.few, medium between (both ends included)', () => {
  assert.equal(shotGroup(101, DEFAULT_THRESHOLDS), 'many');
  assert.equal(shotGroup(100, DEFAULT_THRESHOLDS), 'medium');
  assert.equal(shotGroup(20, DEFAULT_THRESHOLDS), 'medium');
  assert.equal(shotGroup(19, DEFAULT_THRESHOLDS), 'few');
  assert.deepEqual(shotGroups([101, 100, 20, 19, 0, 500], DEFAULT_THRESHOLDS), { many: [0, 5], medium: [1, 2], few: [3, 4] });
});

test('custom thresholds move the group boundaries', () => {
  const t = { many: 10, few: 5 };
  assert.deepEqual(shotGroups([11, 10, 5, 4, 50], t), { many: [0, 4], medium: [1, 2], few: [3] });
  // few = many + 1 leaves no medium class
  assert.deepEqual(shotGroups([11, 10, 9], { many: 9, few: 10 }), { many: [0, 1], medium: [], few: [2] });
});

test('classStats puts it together', () => {
  const s = classStats([4, 2, 1, 1], { many: 3, few: 2 });
  assert.equal(s.numClasses, 4);
  assert.equal(s.total, 8);
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  assert.equal(s.imbalanceRatio, 4);
  assert.equal(s.gini, 0.3125);
  close(s.normalizedEntropy, 0.875);
  assert.equal(s.emptyClasses, 0);
  assert.deepEqual(s.thresholds, { many: 3, few: 2 });
  assert.deepEqual(s.groups, { many: [0], medium: [1], few: [2, 3] });
});

test('classStats: empty classes are counted, and left out of the imbalance ratio', () => {
  const s = classStats([0, 10, 5]);
  assert.equal(s.min, 0);
  assert.equal(s.imbalanceRatio, 2);
  assert.equal(s.emptyClasses, 1);
  assert.deepEqual(s.thresholds, DEFAULT_THRESHOLDS);
  assert.equal(classStats([0, 0]).imbalanceRatio, null);
  // the stored JSON round-trips (no Infinity or NaN)
  assert.deepEqual(JSON.parse(JSON.stringify(classStats([0, 0]))), classStats([0, 0]));
});

test('classStats of CIFAR-100-LT-like counts: rho and groups', () => {
  const counts = [500, 250, 120, 101, 100, 50, 20, 19, 5];
  const s = classStats(counts);
  assert.equal(s.imbalanceRatio, 100);
  assert.deepEqual(s.groups, { many: [0, 1, 2, 3], medium: [4, 5, 6], few: [7, 8] });
  assert.ok(s.gini > 0 && s.gini < 1);
});
