// The compare table marks the best value of each column (highest accuracy, lowest ECE), and
// the runs' splits, since accuracies measured on different splits' training do not compare.
import type { CompareRow } from '../../src-main/core/domain/contract';

export type BestKey = 'top1' | 'many' | 'medium' | 'few' | 'ece';

/** Per column, the runs holding its best value (ties all marked); none when fewer than two runs have a value. */
export function bestPerColumn(rows: readonly CompareRow[]): Record<BestKey, string[]> {
  const out: Record<BestKey, string[]> = { top1: [], many: [], medium: [], few: [], ece: [] };
  for (const k of ['top1', 'many', 'medium', 'few', 'ece'] as const) {
    const vals: { run: string; v: number }[] = [];
    for (const r of rows) {
      const v = r[k];
      if (v != null) vals.push({ run: r.run, v });
    }
    if (vals.length < 2) continue;
    const best = k === 'ece' ? Math.min(...vals.map((x) => x.v)) : Math.max(...vals.map((x) => x.v));
    out[k] = vals.filter((x) => x.v === best).map((x) => x.run);
  }
  return out;
}

/** The distinct splits of the compared runs, with the runs on each, in first-seen order. */
export function splitsOf(runs: readonly { name: string; split: string }[]): { split: string; runs: string[] }[] {
  const by = new Map<string, string[]>();
  for (const r of runs) by.set(r.split, [...(by.get(r.split) ?? []), r.name]);
  return [...by].map(([split, names]) => ({ split, runs: names }));
}
