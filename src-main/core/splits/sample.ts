import type { ProgressFn } from '../domain/types';
import { derivedRng, STREAM_CLASS_SAMPLE } from './seeds';

/**
 * Training indices of each class, ascending, packed class after class (a counting sort).
 * `start[c]..start[c+1]` is class c's range in `indices`.
 */
export function indicesByClass(labels: ArrayLike<number>, numClasses: number): { indices: Int32Array; start: Int32Array } {
  const start = new Int32Array(numClasses + 1);
  for (let i = 0; i < labels.length; i++) start[labels[i] + 1]++;
  for (let c = 0; c < numClasses; c++) start[c + 1] += start[c];
  const fill = start.slice(0, numClasses);
  const indices = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) indices[fill[labels[i]]++] = i;
  return { indices, start };
}

/**
 * The split's training indices, ascending. For each class, its indices in ascending order are
 * shuffled by an Rng derived from (seed, class index) alone and the first `counts[c]` kept, so a
 * class's sample does not depend on any other class, the data's order being the same.
 * A consequence worth knowing: with the same seed and class order, a split with a larger ratio
 * (or a smaller n_max) is a subset of one with a smaller ratio — splits are nested.
 * Counts must already be checked against what each class has (planSplit does).
 */
export function sampleSplit(labels: ArrayLike<number>, counts: readonly number[], seed: number, progress?: ProgressFn): Int32Array {
  const C = counts.length;
  const { indices, start } = indicesByClass(labels, C);
  const keep = new Uint8Array(labels.length);
  let total = 0;
  const every = Math.max(1, Math.floor(C / 100));
  for (let c = 0; c < C; c++) {
    const has = start[c + 1] - start[c];
    const n = counts[c];
    if (n > has) throw new Error(`class ${c}: ${n} images wanted, ${has} available (planSplit should have refused this)`);
    if (n > 0) {
      const mine = indices.subarray(start[c], start[c + 1]);
      derivedRng(seed, STREAM_CLASS_SAMPLE, c).shuffle(mine);
      for (let k = 0; k < n; k++) keep[mine[k]] = 1;
      total += n;
    }
    if (progress && ((c + 1) % every === 0 || c + 1 === C)) progress({ phase: 'sampling', done: c + 1, total: C });
  }
  const out = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) out[k++] = i;
  return out;
}
