// DiVE's virtual-example distribution (the paper's Figures 1 and 5): a model's softened
// predictions over the training split, read as fractional examples of every class.
// V_k = sum_i P_ik with P = power-normalised tempered softmax of the logits, so sum_k V_k = N.
import type { Flatness, GroupMeans, Groups } from '../domain/types';
import { UserError } from '../domain/errors';

/**
 * V_k = sum_i P_ik, P_i = softmax_T(z_i) raised to p and renormalised, which is exactly
 * softmax(z_i * p / T) (computed that way in float64, max-shifted: stable for any logits scale).
 * logits: row-major [n * numClasses].
 */
export function virtualExamples(logits: ArrayLike<number>, n: number, numClasses: number, T: number, p = 1): Float64Array {
  const v = new Float64Array(numClasses);
  addVirtualExamples(v, logits, n, numClasses, T, p);
  return v;
}

/**
 * Adds the rows of one batch of logits to V (the training split streamed a batch at a time:
 * adding the batches in order gives V of the whole, to the last bit). `first` numbers the rows in
 * error messages.
 */
export function addVirtualExamples(v: Float64Array, logits: ArrayLike<number>, n: number, numClasses: number, T: number, p = 1, first = 0): void {
  if (logits.length !== n * numClasses) {
    throw new Error(`virtualExamples: ${logits.length} values for ${n} samples x ${numClasses} classes`);
  }
  if (!(T > 0) || !Number.isFinite(T)) throw new UserError(`temperature T must be a positive number, got ${T}`);
  if (!(p > 0) || !Number.isFinite(p)) throw new UserError(`power p must be a positive number, got ${p}`);
  const scale = p / T;
  const e = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const o = i * numClasses;
    let max = -Infinity;
    for (let k = 0; k < numClasses; k++) if (logits[o + k] > max) max = logits[o + k];
    if (!Number.isFinite(max)) throw new UserError(`virtualExamples: sample ${first + i} has non-finite logits`);
    let sum = 0;
    for (let k = 0; k < numClasses; k++) sum += e[k] = Math.exp((logits[o + k] - max) * scale);
    if (!Number.isFinite(sum)) throw new UserError(`virtualExamples: sample ${first + i} has non-finite logits`);
    for (let k = 0; k < numClasses; k++) v[k] += e[k] / sum;
  }
}

function groupMean(values: ArrayLike<number>, classes: readonly number[]): number | null {
  if (classes.length === 0) return null;
  let s = 0;
  for (const j of classes) s += values[j];
  return s / classes.length;
}

function groupMeans(values: ArrayLike<number>, groups: Groups): GroupMeans {
  return { many: groupMean(values, groups.many), medium: groupMean(values, groups.medium), few: groupMean(values, groups.few) };
}

const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : a / b);

function maxOverMin(values: ArrayLike<number>, positiveOnly: boolean): number | null {
  let max = -Infinity;
  let min = Infinity;
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (positiveOnly && !(x > 0)) continue;
    if (x > max) max = x;
    if (x < min) min = x;
  }
  return min > 0 && Number.isFinite(max) ? max / min : null;
}

/** Group means of V and of the training counts, and flatness ratios (shot groups from the counts). */
export function flatness(v: ArrayLike<number>, counts: ArrayLike<number>, groups: Groups): Flatness {
  if (v.length !== counts.length) throw new Error(`flatness: ${v.length} virtual counts for ${counts.length} classes`);
  const virtual = groupMeans(v, groups);
  const input = groupMeans(counts, groups);
  return {
    virtual,
    input,
    fewOverMany: ratio(virtual.few, virtual.many),
    inputFewOverMany: ratio(input.few, input.many),
    maxOverMin: maxOverMin(v, false),
    inputMaxOverMin: maxOverMin(counts, true),
  };
}
