// Grouped comparison (lib/grouping.ts, lib/compare-curves.ts), pinned to hand-computed numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupDatasets } from '../../src-renderer/lib/compare-curves';
import { bandEdges, groupableKeys, groupBand, groupRuns, groupSummary, groupValue, spread } from '../../src-renderer/lib/grouping';
import { config, run } from './renderer-fixtures';

const ep = (epoch: number, testAcc: number | null, lr = 0.1) => ({ epoch, loss: 1, lr, trainAcc: 0.5, testAcc, seconds: 1, imagesPerSec: 100 });

test('spread: mean, sample std (n - 1), min and max', () => {
  // 1, 2, 6: mean 3; squared deviations 4 + 1 + 9 = 14; 14 / 2 = 7; std sqrt(7) = 2.6457513
  const s = spread([1, 2, 6])!;
  assert.equal(s.n, 3);
  assert.equal(s.mean, 3);
  assert.ok(Math.abs(s.std! - 2.6457513110645907) < 1e-12);
  assert.deepEqual([s.min, s.max], [1, 6]);
  assert.deepEqual(spread([0.5]), { n: 1, mean: 0.5, std: null, min: 0.5, max: 0.5 });
  assert.equal(spread([null, undefined, Number.NaN]), null);
  assert.equal(spread([null, 4, 2])!.mean, 3, 'missing values are left out');
});

test('band edges: min-max, or mean -/+ std (a single value has no width)', () => {
  assert.deepEqual(bandEdges(spread([1, 2, 6])!, 'minmax'), { lo: 1, hi: 6 });
  const e = bandEdges(spread([2, 4])!, 'std'); // mean 3, std sqrt(2) = 1.41421356
  assert.ok(Math.abs(e.lo - (3 - Math.SQRT2)) < 1e-12 && Math.abs(e.hi - (3 + Math.SQRT2)) < 1e-12);
  assert.deepEqual(bandEdges(spread([5])!, 'std'), { lo: 5, hi: 5 });
});

test('a group curve: per epoch, the mean of the runs that logged a value there, and how many', () => {
  const a = [{ x: 1, y: 10 }, { x: 2, y: 20 }, { x: 3, y: 30 }];
  const b = [{ x: 1, y: 14 }, { x: 2, y: 22 }];
  assert.deepEqual(groupBand([a, b], 'minmax'), [
    { x: 1, mean: 12, lo: 10, hi: 14, n: 2 },
    { x: 2, mean: 21, lo: 20, hi: 22, n: 2 },
    { x: 3, mean: 30, lo: 30, hi: 30, n: 1 },
  ]);
  // std of 10 and 14: sqrt(((-2)^2 + 2^2) / 1) = sqrt(8) = 2.828427
  const s = groupBand([a, b], 'std')[0];
  assert.ok(Math.abs(s.lo - (12 - Math.sqrt(8))) < 1e-12 && Math.abs(s.hi - (12 + Math.sqrt(8))) < 1e-12);
});

const runs = [
  run({ name: 'ce-s1', method: 'ce', study: 'st', config: config({ method: 'ce', epochs: 2, seed: 1, lr: 0.1 }), epochs: [ep(1, 0.5), ep(2, 0.6)] }),
  run({ name: 'dive-s1', method: 'dive', study: 'st', config: config({ method: 'dive', epochs: 2, seed: 1, lr: 0.1 }), epochs: [ep(1, 0.6), ep(2, 0.7)] }),
  run({ name: 'ce-s2', method: 'ce', study: 'st', config: config({ method: 'ce', epochs: 2, seed: 2, lr: 0.05 }), epochs: [ep(1, 0.3), ep(2, 0.8)] }),
  run({ name: 'lone', method: 'ce', config: config({ method: 'ce', epochs: 2, seed: 3, lr: 0.05 }) }),
];

test('runs group by method, study or a config key, in order of first appearance', () => {
  assert.deepEqual(groupRuns(runs, 'method').map((g) => [g.value, g.runs.map((r) => r.name)]), [['ce', ['ce-s1', 'ce-s2', 'lone']], ['dive', ['dive-s1']]]);
  assert.deepEqual(groupRuns(runs, 'study').map((g) => [g.value, g.runs.length]), [['st', 3], ['(no study)', 1]]);
  assert.deepEqual(groupRuns(runs, 'config.lr').map((g) => [g.value, g.runs.map((r) => r.name)]), [['0.1', ['ce-s1', 'dive-s1']], ['0.05', ['ce-s2', 'lone']]]);
  assert.equal(groupValue(runs[0], 'config.nothing'), '(none)');
  assert.deepEqual(groupRuns(runs, '').map((g) => g.value), ['ce-s1', 'dive-s1', 'ce-s2', 'lone'], 'no key: one group per run');
});

test('groupable config keys are those that differ between the runs', () => {
  const keys = groupableKeys(runs);
  assert.ok(keys.includes('lr') && keys.includes('seed') && keys.includes('method'));
  assert.ok(!keys.includes('epochs') && !keys.includes('momentum'));
});

test('group datasets: the band edges (upper filled down to lower), then the mean, in percent', () => {
  const groups = groupRuns(runs.slice(0, 3), 'method');
  const ds = groupDatasets(groups, 'testAcc', 'minmax', () => '#4e79a7');
  // ce: two runs -> low, high, mean; dive: one run -> mean only
  assert.deepEqual(ds.map((d) => [d.band ?? 'mean', d.fill ?? null]), [['lo', false], ['hi', '-1'], ['mean', false], ['mean', false]]);
  // ce at epoch 1: 50% and 30% -> mean 40, band 30..50; epoch 2: 60% and 80% -> mean 70, band 60..80
  const close = (got: { x: number; y: number }[], want: [number, number][]) => got.forEach((p, i) => assert.ok(p.x === want[i][0] && Math.abs(p.y - want[i][1]) < 1e-9, JSON.stringify(got)));
  close(ds[0].data, [[1, 30], [2, 60]]);
  close(ds[1].data, [[1, 50], [2, 80]]);
  close(ds[2].data, [[1, 40], [2, 70]]);
  assert.equal(ds[2].label, 'ce (mean of 2)');
  assert.ok(ds.every((d) => d.tension === 0 && d.stepped === false));
  assert.ok(groupDatasets(groups, 'lr', 'std', () => '#000').every((d) => d.stepped === 'after'), 'the learning rate steps');
});

test('a group summary: mean ± std of the final figures per group', () => {
  const rows = [
    { run: 'ce-s1', top1: 0.5, many: 0.9, medium: 0.4, few: 0.1, ece: 0.02 },
    { run: 'ce-s2', top1: 0.7, many: 0.8, medium: null, few: 0.3, ece: 0.04 },
    { run: 'dive-s1', top1: 0.6, many: 0.85, medium: 0.5, few: 0.2, ece: 0.1 },
  ];
  const [ce, dive] = groupSummary(groupRuns(runs.slice(0, 3), 'method'), rows);
  assert.deepEqual(ce.runs, ['ce-s1', 'ce-s2']);
  // top-1 0.5 and 0.7: mean 0.6, std sqrt(0.02) = 0.141421
  assert.ok(Math.abs(ce.stats.top1!.mean - 0.6) < 1e-12 && Math.abs(ce.stats.top1!.std! - Math.sqrt(0.02)) < 1e-12);
  assert.deepEqual(ce.stats.medium, { n: 1, mean: 0.4, std: null, min: 0.4, max: 0.4 });
  assert.equal(dive.stats.few!.mean, 0.2);
});
