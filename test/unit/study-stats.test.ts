// Study statistics on hand-made runs: groups, mean ± std, paired differences by seed (numbers by
// hand), the baseline pairs compared once, and per-class deltas sorted by class count.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { studyStatistics, type RunResult } from '../../src-main/core/eval/study-stats';
import { holm } from '../../src-main/core/eval/holm';

const r = (name: string, method: string, seed: number, top1: number | null, perClass: number[] = [0, 0, 0], extra: Partial<RunResult> = {}): RunResult => ({
  name, role: 'student', method, params: {}, seed, teacher: null,
  metrics: top1 == null ? null : { top1, many: top1, medium: null, few: top1 / 2, ece: 0.1, perClass },
  ...extra,
});

it('summarises groups and pairs each method with each baseline by seed', () => {
  const runs: RunResult[] = [
    r('t', 'bsce', 101, 0.8, [0.9, 0.8, 0.7], { role: 'teacher' }),
    r('b1', 'bsce', 1, 0.7, [0.8, 0.7, 0.6]),
    r('b2', 'bsce', 2, 0.74, [0.8, 0.7, 0.7]),
    r('c1', 'ce', 1, 0.6),
    r('c2', 'ce', 2, 0.64),
    r('d1', 'dive', 1, 0.72, [0.7, 0.8, 0.9], { params: { tau: 3 }, teacher: 't' }),
    r('d2', 'dive', 2, 0.78, [0.8, 0.8, 0.9], { params: { tau: 3 }, teacher: 't' }),
    r('d3', 'dive', 3, null, undefined, { params: { tau: 3 }, teacher: 't' }),
  ];
  const s = studyStatistics(runs, [1, 10, 5]);
  assert.deepEqual(s.summary.map((x) => [x.group, x.runs, x.completed]), [['teacher bsce', 1, 1], ['bsce', 2, 2], ['ce', 2, 2], ['dive tau=3', 3, 2]]);
  const dive = s.summary[3].metrics.top1;
  assert.equal(dive.n, 2);
  assert.ok(Math.abs(dive.mean! - 0.75) < 1e-12);
  assert.ok(Math.abs(dive.std! - Math.sqrt(0.0018)) < 1e-12); // deviations ±0.03: 2 * 0.0009 / 1
  assert.deepEqual(s.summary[1].metrics.medium, { n: 0, mean: null, std: null });

  assert.deepEqual(s.comparisons.map((c) => `${c.group} - ${c.baseline}`), ['ce - bsce', 'dive tau=3 - bsce', 'dive tau=3 - ce']);
  const c = s.comparisons[1];
  assert.deepEqual(c.seeds, [1, 2]);
  // differences 0.02, 0.04: mean 0.03, std sqrt(2 * 0.01^2) = 0.01414, se 0.01, t = 3 with 1 df;
  // t(0.975, 1) = 12.7062047 -> 0.03 ± 0.127062; p = 1 - (2 / pi) atan(3) = 0.2048328
  const d = c.diff.top1;
  assert.ok(Math.abs(d.mean! - 0.03) < 1e-12);
  assert.ok(Math.abs(d.lo! - (0.03 - 0.127062047)) < 1e-8);
  assert.ok(Math.abs(d.hi! - (0.03 + 0.127062047)) < 1e-8);
  assert.ok(Math.abs(d.p! - (1 - (2 / Math.PI) * Math.atan(3))) < 1e-9);
  assert.equal(c.diff.medium.n, 0, 'an empty shot group has no pairs');
  // each metric's p-values are adjusted together, across the three comparisons
  assert.deepEqual(s.comparisons.map((x) => x.diff.top1.pHolm), holm(s.comparisons.map((x) => x.diff.top1.p)));
  assert.match(s.warnings[0], /^n < 3: ce - bsce pairs 2 seeds, dive tau=3 - bsce pairs 2 seeds, dive tau=3 - ce pairs 2 seeds: a 95% interval from 2 seeds is ±12\.7 standard errors wide/);
  assert.equal(s.warnings[1], 'not complete: dive tau=3 2 of 3 runs; the figures use the completed runs only');

  const vsBsce = s.perClass.find((p) => p.group === 'dive tau=3' && p.against === 'bsce')!;
  // classes by count 10, 5, 1: class 1 deltas (0.8-0.7, 0.8-0.7) = 0.1; class 2 (0.3, 0.2) = 0.25; class 0 (-0.1, 0) = -0.05
  assert.deepEqual(vsBsce.classes.map((x) => [x.class, x.count, x.n]), [[1, 10, 2], [2, 5, 2], [0, 1, 2]]);
  assert.deepEqual(vsBsce.classes.map((x) => Math.round(x.delta! * 1e12) / 1e12), [0.1, 0.25, -0.05]);
  const vsTeacher = s.perClass.find((p) => p.group === 'dive tau=3' && p.against === 'teacher')!;
  // students d1, d2 against t (0.9, 0.8, 0.7): class 1 (0, 0) = 0, class 2 (0.2, 0.2), class 0 (-0.2, -0.1)
  assert.deepEqual(vsTeacher.classes.map((x) => Math.round(x.delta! * 1e12) / 1e12), [0, 0.2, -0.15]);
});
