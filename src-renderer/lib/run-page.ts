// The run page's numbers: the per-class table (accuracy, precision and recall from the stored
// confusion matrix, beside the class's training count and shot group), TensorBoard's smoothing
// of a curve, and sorting. Pure, so each is pinned to hand-computed values in a unit test.
import type { ShotGroup, ShotThresholds } from '../../src-main/core/domain/types';
import { groupOf } from './groups';

export interface ClassRow {
  cls: number;
  name: string;
  /** training images of the class in the run's split */
  count: number;
  group: ShotGroup;
  /** test accuracy of the class (= recall on a balanced test set); null without test images */
  accuracy: number | null;
  /** of the test images predicted as this class, the share that are; null when none is */
  precision: number | null;
  recall: number | null;
  /** test images of the class */
  support: number;
}

/** One row per class; precision and recall need the confusion matrix (rows true, columns predicted). */
export function classRows(names: readonly string[], counts: readonly number[], t: ShotThresholds, perClass: readonly (number | null)[], confusion?: readonly (readonly number[])[]): ClassRow[] {
  const colSum = (j: number) => (confusion ? confusion.reduce((a, row) => a + (row[j] ?? 0), 0) : 0);
  return counts.map((count, c) => {
    const row = confusion?.[c];
    const support = row ? row.reduce((a, b) => a + b, 0) : 0;
    const predicted = colSum(c);
    const hit = row?.[c] ?? 0;
    return {
      cls: c,
      name: names[c] ?? String(c),
      count,
      group: groupOf(count, t),
      accuracy: perClass[c] ?? null,
      precision: confusion && predicted > 0 ? hit / predicted : null,
      recall: confusion && support > 0 ? hit / support : null,
      support,
    };
  });
}

export type ClassKey = 'cls' | 'name' | 'count' | 'group' | 'accuracy' | 'precision' | 'recall';

const GROUP_RANK: Record<ShotGroup, number> = { many: 0, medium: 1, few: 2 };

/** Sorted copy; missing values (null) go last whichever the direction. */
export function sortClassRows(rows: readonly ClassRow[], key: ClassKey, dir: 'asc' | 'desc'): ClassRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  const val = (r: ClassRow): number | string | null => (key === 'group' ? GROUP_RANK[r.group] : r[key]);
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    if (x === null || y === null) return x === y ? a.cls - b.cls : x === null ? 1 : -1;
    const d = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return d !== 0 ? sign * d : a.cls - b.cls;
  });
}

/**
 * TensorBoard's smoothing: an exponential moving average with weight w in [0, 1), debiased so the
 * first points are not pulled towards zero (s_k = (w s_{k-1} + (1-w) y_k) / (1 - w^k)).
 */
export function smooth(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  let last = 0;
  return values.map((y, k) => {
    last = last * weight + (1 - weight) * y;
    return last / (1 - weight ** (k + 1));
  });
}
