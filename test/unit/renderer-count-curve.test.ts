// The split builder's histogram of many classes: classes sorted by count, shaded by shot group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCurveChart, curveSegments } from '../../src-renderer/lib/count-curve';

const T = { many: 100, few: 20 };

test('classes are ranked by count (ties by label) and cut into contiguous shot-group segments that meet', () => {
  // counts by class: 150 (many), 5 (few), 300 (many), 20 (medium), 5 (few), 100 (medium)
  const s = curveSegments([150, 5, 300, 20, 5, 100], T);
  assert.deepEqual(s.map((x) => [x.group, x.classes]), [['many', 2], ['medium', 2], ['few', 2]]);
  assert.deepEqual(s[0].points, [{ x: 1, y: 300, cls: 2 }, { x: 2, y: 150, cls: 0 }, { x: 3, y: 100, cls: 5 }]);
  assert.deepEqual(s[1].points, [{ x: 3, y: 100, cls: 5 }, { x: 4, y: 20, cls: 3 }, { x: 5, y: 5, cls: 1 }]);
  assert.deepEqual(s[2].points, [{ x: 5, y: 5, cls: 1 }, { x: 6, y: 5, cls: 4 }]);
});

test('a balanced dataset is one segment; 8,142 classes make one point each', () => {
  assert.deepEqual(curveSegments([7, 7, 7], T).map((x) => [x.group, x.points.length]), [['few', 3]]);
  const counts = Array.from({ length: 8142 }, (_, c) => 1 + ((c * 7919) % 1000));
  const segs = curveSegments(counts, T);
  assert.equal(segs.reduce((a, x) => a + x.classes, 0), 8142);
  const chart = countCurveChart(counts, [], T, { many: '#000000', medium: '#111111', few: '#222222' }, true);
  assert.equal(chart.data.datasets.length, 3);
  assert.equal((chart.options?.scales?.y as { type?: string }).type, 'logarithmic');
  assert.equal(chart.data.datasets[0].label, `Many-shot (${segs[0].classes} classes)`);
});
