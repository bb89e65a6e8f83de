import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intervalTable, markdown, table } from '../bench/parity-bench';

const cell = (engine: 'ours' | 'torch', seed: number, top1: number) =>
  ({ engine, model: 'cnn' as const, epochs: 10, augment: 'none' as const, warmupForm: 'step' as const, seed, top1, many: null, medium: null, few: null, seconds: 1, at: '' });

test('parity table: mean, sample std, ours minus theirs, goal max(2 points, 1 std); cells not run are listed', () => {
  const rows = table(
    [cell('ours', 1, 0.70), cell('ours', 2, 0.72), cell('torch', 1, 0.74), cell('torch', 2, 0.76)],
    [{ model: 'cnn', epochs: 10, augment: 'none', warmupForm: 'step' }, { model: 'cnn', epochs: 60, augment: 'none', warmupForm: 'step' }],
  );
  assert.equal(rows.length, 2);
  assert.ok(Math.abs(rows[0].diff! - -0.04) < 1e-12);
  assert.equal(rows[0].withinGoal, false, '4 points apart, std 1.4 points');
  assert.equal(rows[1].diff, null);
  const md = markdown(rows).split('\n');
  assert.equal(md[2], '| cnn | 10 | none | per step | 71.0 ± 1.4 (2) | 75.0 ± 1.4 (2) | -4.0 | **no** |');
  assert.equal(md[3], '| cnn | 60 | none | per step | not run | not run | - | - |');
  assert.equal(table([cell('ours', 1, 0.70), cell('torch', 1, 0.715)])[0].withinGoal, true);
});

test('parity intervals: ours minus PyTorch with a Welch 95% interval per cell, and pooled over the cells', () => {
  // ours 70, 72 and PyTorch 74, 76: d = -4 points, se = sqrt(2/2 + 2/2) = 1.414 points, df = 2,
  // t(0.975, 2) = 4.30265: -4 +- 6.085 = [-10.1, 2.1]
  const one = [cell('ours', 1, 0.70), cell('ours', 2, 0.72), cell('torch', 1, 0.74), cell('torch', 2, 0.76)];
  const lines = intervalTable(table(one)).split('\n');
  assert.equal(lines[2], '| cnn | 10 | none | per step | 2 / 2 | -4.0 [-10.1, 2.1] |');
  // a second cell, identical but 4 points higher on both sides: the pooled difference is still -4,
  // four variance terms of 2 / 2 = 1 point^2: se = sqrt(4) / 2 = 1 point, df = 4^2 / (4 * 1^2 / 1) = 4,
  // t(0.975, 4) = 2.77645: -4 +- 2.78 = [-6.8, -1.2]
  const wide = one.map((c) => ({ ...c, epochs: 60, top1: c.top1 + 0.04 }));
  assert.equal(intervalTable(table([...one, ...wide])).split('\n').at(-1), '| **pooled** (2 cells, mean of the differences) | | | | 4 / 4 | **-4.0 [-6.8, -1.2]** |');
});
