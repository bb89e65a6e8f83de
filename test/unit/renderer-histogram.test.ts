import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupOf, groupSizes } from '../../src-renderer/lib/groups';
import { classBars, orderByCount, trainTestSeries } from '../../src-renderer/lib/histogram';
import { ratioToSlider, sliderToRatio, snapRatio } from '../../src-renderer/lib/log-slider';

const T = { many: 100, few: 20 };

test('groupOf follows the core rule: > many is many, < few is few', () => {
  assert.equal(groupOf(101, T), 'many');
  assert.equal(groupOf(100, T), 'medium');
  assert.equal(groupOf(20, T), 'medium');
  assert.equal(groupOf(19, T), 'few');
  // the rho = 100, n_max = 500 split of a 10-class dataset
  assert.deepEqual(groupSizes([500, 299, 179, 107, 64, 38, 23, 13, 8, 5], T), { many: 4, medium: 3, few: 3 });
});

test('classBars keeps class order or sorts by count with ties in class order', () => {
  const bars = classBars([5, 200, 50, 200], ['a', 'b', 'c'], T);
  assert.deepEqual(bars.map((b) => [b.cls, b.label, b.group]), [[0, 'a', 'few'], [1, 'b', 'many'], [2, 'c', 'medium'], [3, '3', 'many']]);
  const sorted = classBars([5, 200, 50, 200], ['a', 'b', 'c', 'd'], T, 'count');
  assert.deepEqual(sorted.map((b) => b.cls), [1, 3, 2, 0]);
  assert.deepEqual(orderByCount([3, 9, 3, 1]), [1, 0, 2, 3]);
});

test('trainTestSeries orders by train count and truncates', () => {
  const s = trainTestSeries([10, 30, 20], [1, 3, 2], ['x', 'y', 'z'], 2);
  assert.deepEqual(s, { labels: ['y', 'z'], train: [30, 20], test: [3, 2], shown: 2, total: 3 });
});

test('the log slider reaches the usual ratios and round-trips them', () => {
  assert.equal(sliderToRatio(0), 1);
  assert.equal(sliderToRatio(1000), 500);
  // 500^(741/1000) = e^(0.741 * ln 500) = 99.98 -> 100
  assert.equal(ratioToSlider(100), 741);
  assert.equal(sliderToRatio(741), 100);
  for (const r of [2, 5.5, 10, 37, 50, 99, 100, 150, 200, 255, 495]) assert.equal(sliderToRatio(ratioToSlider(r)), r);
  assert.equal(ratioToSlider(1), 0);
  assert.equal(ratioToSlider(10_000), 1000);
  assert.equal(snapRatio(3.14159), 3.1);
  assert.equal(snapRatio(12.6), 13);
  assert.equal(snapRatio(201.3), 200);
  assert.equal(snapRatio(203), 205);
});
