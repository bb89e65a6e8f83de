// Seed statistics pinned to hand-computed values and to numbers scipy 1.17 printed once
// (scipy.stats.t.ppf / t.sf, scipy.stats.ttest_rel(...).confidence_interval(0.95),
// scipy.special.betainc / gammaln); the test does not need scipy.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { incompleteBeta, logGamma, mean, pairedT, sampleStd, spread, tQuantile, tTwoSidedP, welchDifference } from '../../src-main/core/eval/seed-stats';

const close = (a: number | null, b: number, tol = 1e-9) => assert.ok(a != null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

it('mean and sample std by hand', () => {
  // 1.2, 0.8, 1.5, 1.1, 0.9: mean 1.1; squared deviations 0.01 + 0.09 + 0.16 + 0 + 0.04 = 0.30; /4 = 0.075
  close(mean([1.2, 0.8, 1.5, 1.1, 0.9]), 1.1);
  close(sampleStd([1.2, 0.8, 1.5, 1.1, 0.9]), Math.sqrt(0.075));
  assert.equal(sampleStd([3]), null);
  assert.ok(Number.isNaN(mean([])));
  const s = spread([0.5, null, 0.7]);
  assert.equal(s.n, 2);
  close(s.mean, 0.6);
  close(s.std, Math.sqrt(0.02)); // deviations 0.1, 0.1: 0.02 / 1
  assert.deepEqual(spread([null]), { n: 0, mean: null, std: null });
});

it('log-gamma and the incomplete beta function against scipy', () => {
  close(logGamma(0.5), 0.5723649429247, 1e-12); // ln sqrt(pi)
  close(logGamma(10.3), 13.482036786138359, 1e-12);
  close(logGamma(5), Math.log(24), 1e-12);
  close(incompleteBeta(0.3, 2.5, 0.5), 0.018927124071945658, 1e-10);
  assert.equal(incompleteBeta(0, 2, 3), 0);
  assert.equal(incompleteBeta(1, 2, 3), 1);
  // I_x(1, 1) = x
  close(incompleteBeta(0.37, 1, 1), 0.37, 1e-12);
});

it('t quantiles and two-sided p-values against scipy', () => {
  const q975 = { 1: 12.70620474, 2: 4.30265273, 3: 3.18244631, 4: 2.77644511, 9: 2.26215716, 29: 2.04522964 };
  for (const [df, q] of Object.entries(q975)) close(tQuantile(0.975, Number(df)), q, 1e-8);
  const p = { 1: 0.24223788, 2: 0.12961172, 4: 0.06676654, 10: 0.03144684 };
  for (const [df, v] of Object.entries(p)) close(tTwoSidedP(2.5, Number(df)), v, 1e-7);
  // df = 1 is the Cauchy distribution: P(|T| >= 1) = 1/2
  close(tTwoSidedP(1, 1), 0.5, 1e-12);
  close(tTwoSidedP(0, 7), 1, 1e-12);
  assert.throws(() => tQuantile(0.4, 3), /prob must be in/);
});

it('paired t interval and p-value against scipy.stats.ttest_rel', () => {
  // the README's DiVE and BSCE top-1 over three seeds
  const dive = [0.769, 0.7682, 0.7727];
  const bsce = [0.7689, 0.7693, 0.7774];
  const r = pairedT(dive, bsce);
  assert.equal(r.n, 3);
  assert.equal(r.method, 'paired-t');
  close(r.mean, -0.0019, 1e-9);
  close(r.std, 0.0024979991993593154, 1e-9);
  close(r.lo, -0.008105374015050583, 1e-8);
  close(r.hi, 0.004305374015050631, 1e-8);
  close(r.p, 0.3183787968325318, 1e-8);

  const g = pairedT([1.2, 0.8, 1.5, 1.1, 0.9], [0, 0, 0, 0, 0]);
  close(g.lo, 0.7599563096708724, 1e-9);
  close(g.hi, 1.4400436903291278, 1e-9);
  close(g.p, 0.0008505445157144149, 1e-7);
});

it('pairs with a missing side are dropped; one pair has no interval; equal differences have zero width', () => {
  const r = pairedT([0.5, null, 0.7], [0.4, 0.3, 0.6]);
  assert.equal(r.n, 2);
  close(r.mean, 0.1);
  assert.equal(r.std != null && r.std < 1e-12, true);
  const one = pairedT([0.5], [0.4]);
  assert.deepEqual({ n: one.n, lo: one.lo, hi: one.hi, p: one.p }, { n: 1, lo: null, hi: null, p: null });
  close(one.mean, 0.1);
  const same = pairedT([2, 3, 4], [1, 2, 3]);
  assert.deepEqual([same.lo, same.hi, same.p], [1, 1, 0]);
  assert.throws(() => pairedT([1], [1, 2]), /1 values against 2/);
});

it("Welch's interval for independent samples, and pooled over cells", () => {
  // a = 1, 2, 3 (mean 2, var 1), b = 4, 6 (mean 5, var 2): d = -3, se^2 = 1/3 + 2/2 = 4/3,
  // df = (4/3)^2 / ((1/3)^2 / 2 + 1^2 / 1) = 32/19; interval from scipy.stats.ttest_ind(equal_var=False)
  const w = welchDifference([{ a: [1, 2, 3], b: [4, 6] }])!;
  close(w.mean, -3);
  close(w.se, Math.sqrt(4 / 3));
  close(w.df, 32 / 19);
  close(w.lo, -8.976997448258373, 1e-7);
  close(w.hi, 2.9769974482583734, 1e-7);
  // two identical cells: the same mean difference, se / sqrt(2), df doubled to 2 * 32/19... by the formula:
  // total = 2 * 4/3, se = sqrt(8/3) / 2, df = (8/3)^2 / (2 * (1/18 + 1)) = 64/9 / (19/9) = 64/19
  const p = welchDifference([{ a: [1, 2, 3], b: [4, 6] }, { a: [1, 2, 3], b: [4, 6] }])!;
  close(p.mean, -3);
  close(p.se, Math.sqrt(8 / 3) / 2);
  close(p.df, 64 / 19);
  assert.equal(welchDifference([{ a: [1], b: [2, 3] }]), null);
});
