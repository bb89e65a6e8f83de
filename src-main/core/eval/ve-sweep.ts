// The temperature rule as a diagnostic: DiVE's notes say to raise T until the teacher's
// virtual-example distribution is roughly flat across many / medium / few. This sweeps T over a
// grid on the training split's logits (never the test set) and reports, per T, the group means of
// V, few/many, max/min and how close the targets are to uniform (their mean normalised entropy),
// then applies the rule honestly: when flatness is only reached where the targets have become
// nearly uniform (they no longer say anything about the image), it suggests no T and says so.
import { FLAT_FEW_OVER_MANY, type Groups, type SweepPoint, type VeSweep } from '../domain/types';
import { flatness, virtualExamples } from './virtual-examples';

export { FLAT_FEW_OVER_MANY, type SweepPoint, type VeSweep };

/** T values tried by default (the T given to the method; the effective temperature is T / p). */
export const SWEEP_TAUS = [1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16];
/** Targets whose mean entropy reaches this share of log C are "nearly uniform". */
export const NEARLY_UNIFORM_ENTROPY = 0.95;

/** Mean over rows of the normalised entropy of softmax(z * p / T). */
export function meanTargetEntropy(logits: ArrayLike<number>, n: number, numClasses: number, tau: number, power: number): number {
  const scale = power / tau;
  const e = new Float64Array(numClasses);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * numClasses;
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) max = Math.max(max, logits[o + k]);
    let sum = 0;
    for (let k = 0; k < numClasses; k++) sum += e[k] = Math.exp((logits[o + k] - max) * scale);
    let h = 0;
    for (let k = 0; k < numClasses; k++) {
      const q = e[k] / sum;
      if (q > 0) h -= q * Math.log(q);
    }
    total += h;
  }
  return n && numClasses > 1 ? total / n / Math.log(numClasses) : 0;
}

/** The rule applied to a sweep (points in increasing tau). */
export function suggestTau(points: readonly SweepPoint[]): { suggestedTau: number | null; reason: string } {
  const flat = points.find((p) => p.fewOverMany !== null && p.fewOverMany >= FLAT_FEW_OVER_MANY);
  const pc = (x: number) => `${(x * 100).toFixed(0)}%`;
  if (!flat) {
    const last = points[points.length - 1];
    const fm = last?.fewOverMany == null ? 'undefined' : last.fewOverMany.toFixed(2);
    return {
      suggestedTau: null,
      reason: `the rule (few/many >= ${FLAT_FEW_OVER_MANY}) cannot be met before the targets are nearly uniform: at T=${last?.tau} (effective ${last?.effectiveTau}) few/many is ${fm} with the targets at ${pc(last?.entropy ?? 0)} of maximum entropy`,
    };
  }
  if (flat.entropy >= NEARLY_UNIFORM_ENTROPY) {
    return {
      suggestedTau: null,
      reason: `the rule (few/many >= ${FLAT_FEW_OVER_MANY}) is only met at T=${flat.tau} (effective ${flat.effectiveTau}), where the targets are at ${pc(flat.entropy)} of maximum entropy: nearly uniform, so no T is suggested`,
    };
  }
  return { suggestedTau: flat.tau, reason: `the smallest T with few/many >= ${FLAT_FEW_OVER_MANY} (${flat.fewOverMany?.toFixed(2)}), targets at ${pc(flat.entropy)} of maximum entropy` };
}

export function veSweep(run: string, logits: ArrayLike<number>, n: number, counts: readonly number[], groups: Groups, power: number, taus: readonly number[] = SWEEP_TAUS): VeSweep {
  const c = counts.length;
  const sorted = [...new Set(taus)].sort((a, b) => a - b);
  const sweep = sorted.map((tau): SweepPoint => {
    const f = flatness(virtualExamples(logits, n, c, tau, power), counts, groups);
    return { tau, effectiveTau: tau / power, virtual: f.virtual, fewOverMany: f.fewOverMany, maxOverMin: f.maxOverMin, entropy: meanTargetEntropy(logits, n, c, tau, power) };
  });
  const input = flatness(counts, counts, groups).input;
  return { run, power, input, sweep, ...suggestTau(sweep) };
}
