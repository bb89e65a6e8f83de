// Per-class histogram series: the shape every bar chart of class counts is drawn from.
import type { ShotGroup, ShotThresholds } from '../../src-main/core/domain/types';
import { groupOf } from './groups';

export interface Bar {
  /** class index in the dataset */
  cls: number;
  label: string;
  value: number;
  group: ShotGroup;
}

/**
 * One bar per class, in class order or sorted by count descending (head first, the long-tail
 * picture). Ties keep class order so the chart does not jump between renders.
 */
export function classBars(counts: readonly number[], names: readonly string[], t: ShotThresholds, order: 'class' | 'count' = 'class'): Bar[] {
  const bars = counts.map((value, cls) => ({ cls, label: names[cls] ?? String(cls), value, group: groupOf(value, t) }));
  if (order === 'count') bars.sort((a, b) => b.value - a.value || a.cls - b.cls);
  return bars;
}

/** Class indices sorted by count descending, ties by index: the x order of the paper's Figures 1 and 5. */
export function orderByCount(counts: readonly number[]): number[] {
  return counts.map((_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
}

/** Train and test counts side by side for a dataset's histogram, truncated to `limit` classes for legibility. */
export function trainTestSeries(train: readonly number[], test: readonly number[], names: readonly string[], limit = 200) {
  const idx = orderByCount(train).slice(0, limit);
  return {
    labels: idx.map((i) => names[i] ?? String(i)),
    train: idx.map((i) => train[i]),
    test: idx.map((i) => test[i] ?? 0),
    shown: idx.length,
    total: train.length,
  };
}

/** A split's (or a preview's) bars, head first: its counts in its rank order (`order`: class index at each rank). */
export function splitBars(s: { order: readonly number[]; counts: readonly number[]; thresholds: ShotThresholds }, names: readonly string[]): Bar[] {
  return s.order.map((c) => ({ cls: c, label: names[c] ?? String(c), value: s.counts[c], group: groupOf(s.counts[c], s.thresholds) }));
}
