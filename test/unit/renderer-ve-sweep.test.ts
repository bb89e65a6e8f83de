import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VeSweep } from '../../src-main/core/eval/ve-sweep';
import { sweepChart, sweepSeries } from '../../src-renderer/lib/ve-sweep-chart';

const s: VeSweep = {
  run: 't', power: 0.5, input: { many: 300, medium: 40, few: 8 }, suggestedTau: null, reason: 'none',
  sweep: [
    { tau: 1, effectiveTau: 2, virtual: { many: 1, medium: 1, few: 1 }, fewOverMany: 0.2, maxOverMin: 9, entropy: 0.3 },
    { tau: 4, effectiveTau: 8, virtual: { many: 1, medium: 1, few: 1 }, fewOverMany: null, maxOverMin: null, entropy: 0.9 },
  ],
};

test('sweep series leave out undefined readouts; the chart has the threshold across the grid', () => {
  assert.deepEqual(sweepSeries(s, 'fewOverMany'), [{ x: 1, y: 0.2 }]);
  assert.deepEqual(sweepSeries(s, 'entropy'), [{ x: 1, y: 0.3 }, { x: 4, y: 0.9 }]);
  const c = sweepChart(s);
  assert.equal(c.data.datasets.length, 3);
  assert.deepEqual(c.data.datasets[2].data, [{ x: 1, y: 0.8 }, { x: 4, y: 0.8 }]);
});
