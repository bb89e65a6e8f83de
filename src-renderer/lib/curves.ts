// Per-epoch curves as they were logged: straight segments between logged points (a spline would
// invent values between epochs: an lr above its maximum, a loss dipping below what was measured),
// the learning rate as steps (constant within an epoch as recorded), accuracies in percent as the
// tables show them, and a note where the test points are few or partly on the test sample.
import type { EpochRecord } from '../../src-main/core/domain/types';
import { curve, type CurveMetric, type Point } from './compare';
import { int } from './format';

/** the metrics whose values are fractions shown as percentages */
export const ACCURACY_METRICS: readonly CurveMetric[] = ['testAcc', 'trainAcc', 'valAcc'];

export const isAccuracy = (m: CurveMetric): boolean => ACCURACY_METRICS.includes(m);

/** The y-axis title of a metric, with its unit. */
export function metricTitle(m: CurveMetric): string {
  switch (m) {
    case 'loss': return 'training loss';
    case 'lr': return 'learning rate';
    case 'trainAcc': return 'train accuracy (%)';
    case 'valAcc': return 'validation balanced accuracy (%)';
    case 'testAcc': return 'test accuracy (%)';
  }
}

/** A curve in display units: accuracies as percentages, the rest as logged. */
export function displayCurve(run: { epochs: readonly EpochRecord[] }, m: CurveMetric): Point[] {
  const pts = curve(run, m);
  return isAccuracy(m) ? pts.map((p) => ({ x: p.x, y: p.y * 100 })) : pts;
}

/**
 * Chart.js line options that draw only what was logged: straight segments (tension 0, no
 * monotone cubic), or steps for the learning rate. Chart.js's 'after' steps rise at the previous
 * point and run level to the next, so the rate logged for epoch e (its last batch's) holds over
 * (e - 1, e], the epoch it was the rate of.
 */
export function drawnAsLogged(m: CurveMetric): { tension: 0; cubicInterpolationMode: 'default'; stepped: false | 'after' } {
  return { tension: 0, cubicInterpolationMode: 'default', stepped: m === 'lr' ? 'after' : false };
}

/**
 * What a reader must know about a run's test points: tested at one epoch only, or some epochs on
 * the fixed test sample (domain/eval-plan.ts) rather than the whole test set; null when neither.
 * `testTotal`: the dataset's test images (null when unknown).
 */
export function testPointsNote(epochs: readonly EpochRecord[], testTotal: number | null): string | null {
  const tested = [...epochs].filter((e) => e.testAcc != null).sort((a, b) => a.epoch - b.epoch);
  if (tested.length === 0) return null;
  if (tested.length === 1) return `tested at epoch ${tested[0].epoch} only`;
  const sampled = sampledEpochs(tested, testTotal);
  if (!sampled.length) return null;
  const epochsText = (es: readonly EpochRecord[]) => (es.length === 1 ? `epoch ${es[0].epoch}` : `epochs ${ranges(es.map((e) => e.epoch))}`);
  const full = tested.filter((e) => !sampled.includes(e));
  const whole = testTotal ? ` of the ${int(testTotal)}` : '';
  const rest = full.length ? `${epochsText(full)} on all of them` : 'the last epoch will be on all of them';
  return `${epochsText(sampled)} tested on a fixed sample of ${int(sampled[0].testImages!)}${whole} test images (hollow points); ${rest}`;
}

/** Tested epochs measured on fewer images than the whole test set. */
export function sampledEpochs(epochs: readonly EpochRecord[], testTotal: number | null): EpochRecord[] {
  const full = testTotal ?? Math.max(0, ...epochs.map((e) => e.testImages ?? 0));
  return epochs.filter((e) => e.testAcc != null && e.testImages != null && e.testImages < full);
}

/** [1, 2, 3, 5] -> "1–3, 5" */
export function ranges(xs: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(j > i ? `${xs[i]}–${xs[j]}` : String(xs[i]));
    i = j + 1;
  }
  return out.join(', ');
}
