// Statistics over seeds: mean, sample standard deviation, and the paired t interval and p-value
// that say whether a method's gain over a baseline is larger than the spread between seeds.
//
// Decision: the interval is the paired t interval at every n >= 2, never a bootstrap. With the
// 3 to 5 seeds a study has, a percentile bootstrap has only a handful of distinct resamples
// (10 for n = 3) and its interval is far too narrow; the t interval is exact when the per-seed
// differences are normal and is what papers report. At n = 1 there is no spread to measure, so
// the interval and p-value are null rather than a number that looks like evidence.

import type { PairedDifference, Spread } from '../domain/study-types';

export type { PairedDifference, Spread };

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1 in the denominator); null below two values. */
export function sampleStd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // the continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(|T| >= |t|) for Student's t with df degrees of freedom: the two-sided p-value. */
export function tTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t quantile q with P(T <= q) = prob, for prob in (0.5, 1) (bisection on the p-value). */
export function tQuantile(prob: number, df: number): number {
  if (!(prob > 0.5 && prob < 1)) throw new RangeError(`tQuantile: prob must be in (0.5, 1), got ${prob}`);
  const target = 2 * (1 - prob);
  let lo = 0;
  let hi = 1;
  while (tTwoSidedP(hi, df) > target) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tTwoSidedP(mid, df) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}


/** n, mean and sample std of the finite values in `xs` (null values, e.g. an empty shot group, are left out). */
export function spread(xs: readonly (number | null)[]): Spread {
  const v = xs.filter((x): x is number => x != null && Number.isFinite(x));
  return { n: v.length, mean: v.length ? mean(v) : null, std: sampleStd(v) };
}


/**
 * Paired comparison of a against b (a[i] and b[i] share seed i): mean difference, its 95% t
 * interval, and the two-sided p-value. Pairs where either side is null are dropped. Identical
 * differences (std 0) give a zero-width interval and p = 0 when the mean is not 0, 1 when it is.
 */
export function pairedT(a: readonly (number | null)[], b: readonly (number | null)[], level = 0.95): PairedDifference {
  if (a.length !== b.length) throw new RangeError(`pairedT: ${a.length} values against ${b.length}`);
  const d: number[] = [];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x != null && y != null && Number.isFinite(x) && Number.isFinite(y)) d.push(x - y);
  }
  const n = d.length;
  if (n === 0) return { n, mean: null, std: null, lo: null, hi: null, p: null, method: 'paired-t' };
  const m = mean(d);
  const s = sampleStd(d);
  if (s == null) return { n, mean: m, std: null, lo: null, hi: null, p: null, method: 'paired-t' };
  const se = s / Math.sqrt(n);
  if (se === 0) return { n, mean: m, std: 0, lo: m, hi: m, p: m === 0 ? 1 : 0, method: 'paired-t' };
  const q = tQuantile(1 - (1 - level) / 2, n - 1);
  return { n, mean: m, std: s, lo: m - q * se, hi: m + q * se, p: tTwoSidedP(m / se, n - 1), method: 'paired-t' };
}

/** A difference of independent means with its Welch interval (welchDifference). */
export interface WelchDifference {
  mean: number;
  /** standard error of the difference */
  se: number;
  /** Welch–Satterthwaite degrees of freedom */
  df: number;
  lo: number;
  hi: number;
}

/**
 * mean(a) - mean(b) of two independent samples (seeds of two engines share nothing), or with
 * several cells the average of their differences, d = (1/k) sum_i (mean(a_i) - mean(b_i)), with
 * Welch's t interval: var(d) = (1/k^2) sum_i (s_ai^2 / n_ai + s_bi^2 / n_bi), degrees of freedom
 * by Welch–Satterthwaite over every variance term. Each sample needs two values; null otherwise.
 */
export function welchDifference(cells: readonly { a: readonly number[]; b: readonly number[] }[], level = 0.95): WelchDifference | null {
  if (!cells.length || cells.some((c) => c.a.length < 2 || c.b.length < 2)) return null;
  const k = cells.length;
  let d = 0;
  const terms: { v: number; n: number }[] = [];
  for (const c of cells) {
    d += (mean(c.a) - mean(c.b)) / k;
    terms.push({ v: sampleStd(c.a)! ** 2 / c.a.length, n: c.a.length }, { v: sampleStd(c.b)! ** 2 / c.b.length, n: c.b.length });
  }
  const total = terms.reduce((s, t) => s + t.v, 0);
  const se = Math.sqrt(total) / k;
  if (se === 0) return { mean: d, se: 0, df: Infinity, lo: d, hi: d };
  const df = total ** 2 / terms.reduce((s, t) => s + t.v ** 2 / (t.n - 1), 0);
  const q = tQuantile(1 - (1 - level) / 2, df);
  return { mean: d, se, df, lo: d - q * se, hi: d + q * se };
}
