// The compare screen's series: curves per epoch, group accuracies, per-class accuracy against the
// class's training count (the exports are compare-export.ts's).
import type { CompareRow } from '../../src-main/core/domain/contract';
import type { EpochRecord, RunInfo, SplitInfo } from '../../src-main/core/domain/types';

export type CurveMetric = 'loss' | 'testAcc' | 'trainAcc' | 'lr' | 'valAcc';

export interface Point {
  x: number;
  y: number;
}

/** One point per recorded epoch (1-based x), in epoch order; epochs without the value (not evaluated) are left out. */
export function curve(run: { epochs: readonly EpochRecord[] }, metric: CurveMetric): Point[] {
  const out: Point[] = [];
  for (const e of [...run.epochs].sort((a, b) => a.epoch - b.epoch)) {
    const y = e[metric];
    if (y != null) out.push({ x: e.epoch, y });
  }
  return out;
}

/** Per-run [overall, many, medium, few] from the stored metrics (null where a group is empty or the run has no metrics). */
export function groupBars(rows: readonly CompareRow[]): { run: string; values: (number | null)[] }[] {
  return rows.map((r) => ({ run: r.run, values: [r.top1, r.many, r.medium, r.few] }));
}

/**
 * Per-class accuracy against the class's training count in the run's split, for a log-scale
 * scatter. Classes with no test images (null accuracy) or no training images are left out.
 */
export function perClassPoints(run: RunInfo, split: SplitInfo): (Point & { cls: number })[] {
  const pc = run.metrics?.perClass ?? [];
  const out: (Point & { cls: number })[] = [];
  pc.forEach((acc, cls) => {
    const n = split.counts[cls];
    if (acc !== null && n > 0) out.push({ x: n, y: acc, cls });
  });
  return out.sort((a, b) => a.x - b.x || a.cls - b.cls);
}

/** Row-normalised confusion matrix (each true class sums to 1; an empty row stays 0). */
export function normaliseRows(m: readonly (readonly number[])[]): number[][] {
  return m.map((row) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (s > 0 ? v / s : 0));
  });
}
