import type { ClassStats, Groups, ShotThresholds } from '../domain/types';
import { DEFAULT_THRESHOLDS } from '../domain/split-schema';
import { shotGroup } from '../domain/shot-groups';

export { shotGroup };

export function shotGroups(counts: ArrayLike<number>, t: ShotThresholds): Groups {
  const g: Groups = { many: [], medium: [], few: [] };
  for (let i = 0; i < counts.length; i++) g[shotGroup(counts[i], t)].push(i);
  return g;
}

/** Gini coefficient: mean absolute difference over all pairs / (2 * mean), via the sorted-rank formula. */
export function gini(counts: ArrayLike<number>): number {
  const n = counts.length;
  const sorted = Float64Array.from(counts).sort();
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += sorted[i];
    weighted += (i + 1) * sorted[i];
  }
  if (n === 0 || total === 0) return 0;
  // rounding can take a balanced set a hair below 0
  return Math.max(0, (2 * weighted) / (n * total) - (n + 1) / n);
}

/** Shannon entropy of counts / total, divided by log(C) so a balanced set scores 1. */
export function normalizedEntropy(counts: ArrayLike<number>): number {
  const n = counts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i];
  if (n < 2 || total === 0) return n < 2 ? 1 : 0;
  // a balanced set is exactly 1; summing p log p would give 1 +- a few ulps
  let balanced = true;
  for (let i = 1; i < n && balanced; i++) balanced = counts[i] === counts[0];
  if (balanced) return 1;
  let h = 0;
  for (let i = 0; i < n; i++) {
    if (counts[i] > 0) {
      const p = counts[i] / total;
      h -= p * Math.log(p);
    }
  }
  return Math.min(1, h / Math.log(n));
}

export function classStats(counts: ArrayLike<number>, thresholds: ShotThresholds = DEFAULT_THRESHOLDS): ClassStats {
  let total = 0;
  let min = Infinity;
  let max = 0;
  let minNonZero = Infinity;
  let empty = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    total += c;
    if (c < min) min = c;
    if (c > max) max = c;
    if (c > 0 && c < minNonZero) minNonZero = c;
    if (c === 0) empty++;
  }
  return {
    numClasses: counts.length,
    total,
    min: counts.length ? min : 0,
    max,
    imbalanceRatio: minNonZero === Infinity ? null : max / minNonZero,
    gini: gini(counts),
    normalizedEntropy: normalizedEntropy(counts),
    emptyClasses: empty,
    thresholds: { ...thresholds },
    groups: shotGroups(counts, thresholds),
  };
}
