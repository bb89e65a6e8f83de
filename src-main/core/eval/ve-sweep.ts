// The temperature rule as a diagnostic: DiVE's notes say to raise T until the teacher's
// virtual-example distribution is roughly flat across many / medium / few. This sweeps T over a
// grid on the training split's logits (never the test set) and reports, per T, the group means of
// V, few/many, max/min and how close the targets are to uniform (their mean normalised entropy),
// then applies the rule honestly: when flatness is only reached where the targets have become
// nearly uniform (they no longer say anything about the image), it suggests no T and says so.
import { FLAT_FEW_OVER_MANY, type Groups, type SweepPoint, type VeSweep } from '../domain/types';
import { addVirtualExamples, flatness } from './virtual-examples';

export { FLAT_FEW_OVER_MANY, type SweepPoint, type VeSweep };

/** T values tried by default (the T given to the method; the effective temperature is T / p). */
export const SWEEP_TAUS = [1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 16];
/** Targets whose mean entropy reaches this share of log C are "nearly uniform". */
export const NEARLY_UNIFORM_ENTROPY = 0.95;

/** Mean over rows of the normalised entropy of softmax(z * p / T). */
export function meanTargetEntropy(logits: ArrayLike<number>, n: number, numClasses: number, tau: number, power: number): number {
  const total = entropySum(logits, n, numClasses, tau, power, 0);
  return n && numClasses > 1 ? total / n / Math.log(numClasses) : 0;
}

/** `total` plus the entropies (nats) of softmax(z * p / T) over the rows, added in row order. */
function entropySum(logits: ArrayLike<number>, n: number, numClasses: number, tau: number, power: number, total: number): number {
  const scale = power / tau;
  const e = new Float64Array(numClasses);
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
  return total;
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

/**
 * The sweep accumulated a batch of training logits at a time (the split streamed: V and the
 * entropy sums per T, C values each, never the N x C logits; the same figures as veSweep on the
 * whole array).
 */
export class VeSweepAccumulator {
  private readonly taus: number[];
  private readonly v: Float64Array[];
  private readonly entropy: number[];
  private n = 0;

  constructor(private readonly numClasses: number, private readonly power: number, taus: readonly number[] = SWEEP_TAUS) {
    this.taus = [...new Set(taus)].sort((a, b) => a - b);
    this.v = this.taus.map(() => new Float64Array(numClasses));
    this.entropy = this.taus.map(() => 0);
  }

  add(logits: ArrayLike<number>, rows: number): void {
    this.taus.forEach((tau, j) => {
      addVirtualExamples(this.v[j], logits, rows, this.numClasses, tau, this.power, this.n);
      this.entropy[j] = entropySum(logits, rows, this.numClasses, tau, this.power, this.entropy[j]);
    });
    this.n += rows;
  }

  result(run: string, counts: readonly number[], groups: Groups): VeSweep {
    const c = this.numClasses;
    const sweep = this.taus.map((tau, j): SweepPoint => {
      const f = flatness(this.v[j], counts, groups);
      const entropy = this.n && c > 1 ? this.entropy[j] / this.n / Math.log(c) : 0;
      return { tau, effectiveTau: tau / this.power, virtual: f.virtual, fewOverMany: f.fewOverMany, maxOverMin: f.maxOverMin, entropy };
    });
    const input = flatness(counts, counts, groups).input;
    return { run, power: this.power, input, sweep, ...suggestTau(sweep) };
  }
}

export function veSweep(run: string, logits: ArrayLike<number>, n: number, counts: readonly number[], groups: Groups, power: number, taus: readonly number[] = SWEEP_TAUS): VeSweep {
  const acc = new VeSweepAccumulator(counts.length, power, taus);
  acc.add(logits, n);
  return acc.result(run, counts, groups);
}
